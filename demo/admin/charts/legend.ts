/** A visible legend: colour swatches always beside words, never colour alone. */
import { h } from '../dom';

export function legend(items: { className: string; label: string }[]): HTMLElement {
  return h(
    'ul',
    { class: 'legend' },
    ...items.map((item) =>
      h(
        'li',
        {},
        h('span', { class: `swatch ${item.className}`, 'aria-hidden': 'true' }),
        item.label,
      ),
    ),
  );
}
