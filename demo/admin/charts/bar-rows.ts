/**
 * Horizontal bars as HTML rows: a name, its figures, and the bar below them. The name and
 * figures are HTML text, not SVG text (which cannot wrap), so a long product name is read
 * whole on a phone, where no hover title can be opened, and figures wrap inside a 320 px card.
 */
import { h, s } from '../dom';
import type { Rect } from './geometry';

/** The bar's track, 100 units long: stretched to the row's width, so a unit is a percent. */
export const TRACK: Rect = { x: 0, y: 0, width: 100, height: 16 };

export interface BarFigure {
  text: string;
  /** A class for the eye, e.g. a warning's colour. */
  className?: string;
}

export interface BarRow {
  label: string;
  /** Shown "a · b · c"; a line breaks between figures, never inside one. */
  figures: BarFigure[];
  /** The marks drawn in `TRACK`, each with its class. */
  marks: { className: string; rect: Rect }[];
  /** Identifies the row to tests and scripts, e.g. `{ 'data-sku': 'PELE-1958' }`. */
  data?: Record<string, string>;
}

export function barRows(rows: readonly BarRow[]): HTMLElement {
  return h(
    'ul',
    { class: 'bar-rows' },
    ...rows.map((row) =>
      h(
        'li',
        { class: 'bar-row', ...row.data },
        h('span', { class: 'bar-label' }, row.label),
        h(
          'span',
          { class: 'bar-figures' },
          ...row.figures.flatMap((figure, index) => [
            index > 0 ? ' · ' : null,
            h('span', { class: `bar-figure ${figure.className ?? ''}`.trim() }, figure.text),
          ]),
        ),
        s(
          'svg',
          {
            class: 'bar-track',
            viewBox: `0 0 ${TRACK.width} ${TRACK.height}`,
            preserveAspectRatio: 'none',
            focusable: 'false',
          },
          s('rect', { class: 'track', ...TRACK }),
          ...row.marks.map((mark) => s('rect', { class: mark.className, ...mark.rect })),
        ),
      ),
    ),
  );
}
