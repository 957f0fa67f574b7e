/** The label and value texts of one horizontal-bar row, placed where the layout says. */
import { s } from '../dom';
import type { TextSpot } from './geometry';

export function rowText(spot: TextSpot, className: string, ...content: (Node | string | null)[]) {
  return s(
    'text',
    { x: spot.x, y: spot.y, 'text-anchor': spot.anchor, class: className },
    ...content,
  );
}
