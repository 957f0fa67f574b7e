/** The cart as data: lines of sku and quantity, changed only through `reduceCart`. */

export interface CartLine {
  sku: string;
  quantity: number;
}

/** The server accepts 1..99 of a sku and at most 50 lines. */
export const MAX_QUANTITY = 99;
export const MAX_LINES = 50;

export type CartAction =
  | { type: 'add'; sku: string; quantity: number; max?: number }
  | { type: 'setQuantity'; sku: string; quantity: number; max?: number }
  | { type: 'remove'; sku: string }
  /** Takes a paid order's quantities out, leaving whatever was added besides. */
  | { type: 'paid'; lines: readonly CartLine[] }
  | { type: 'clear' };

const clamp = (quantity: number, max = MAX_QUANTITY) =>
  Math.max(0, Math.min(Math.trunc(quantity), max, MAX_QUANTITY));

/** Returns the new lines; the same array when nothing changed, so callers can skip work. */
export function reduceCart(lines: readonly CartLine[], action: CartAction): readonly CartLine[] {
  switch (action.type) {
    case 'add': {
      if (!Number.isFinite(action.quantity) || action.quantity < 1) return lines;
      const existing = lines.find((l) => l.sku === action.sku);
      if (!existing) {
        if (lines.length >= MAX_LINES) return lines;
        const quantity = clamp(action.quantity, action.max);
        return quantity > 0 ? [...lines, { sku: action.sku, quantity }] : lines;
      }
      return setQuantity(lines, action.sku, existing.quantity + action.quantity, action.max);
    }
    case 'setQuantity':
      if (!Number.isFinite(action.quantity)) return lines;
      return setQuantity(lines, action.sku, action.quantity, action.max);
    case 'remove':
      return lines.some((l) => l.sku === action.sku)
        ? lines.filter((l) => l.sku !== action.sku)
        : lines;
    case 'paid':
      return action.lines.reduce(
        (rest, paid) =>
          setQuantity(
            rest,
            paid.sku,
            (rest.find((l) => l.sku === paid.sku)?.quantity ?? 0) - paid.quantity,
          ),
        lines,
      );
    case 'clear':
      return lines.length > 0 ? [] : lines;
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}

function setQuantity(
  lines: readonly CartLine[],
  sku: string,
  wanted: number,
  max?: number,
): readonly CartLine[] {
  const existing = lines.find((l) => l.sku === sku);
  if (!existing) return lines;
  // Never below what is already there because of a lower max: stock hints must not eat a cart.
  const quantity =
    wanted > existing.quantity ? Math.max(clamp(wanted, max), existing.quantity) : clamp(wanted);
  if (quantity === existing.quantity) return lines;
  if (quantity < 1) return lines.filter((l) => l.sku !== sku);
  return lines.map((l) => (l.sku === sku ? { sku, quantity } : l));
}

/** Whether two carts hold the same lines; every line is built here as `{ sku, quantity }`. */
export const sameLines = (a: readonly CartLine[], b: readonly CartLine[]) =>
  JSON.stringify(a) === JSON.stringify(b);

export const itemCount = (lines: readonly CartLine[]) =>
  lines.reduce((sum, line) => sum + line.quantity, 0);

/** Accepts only well-formed lines, e.g. from storage written by an older or tampered page. */
export function parseLines(value: unknown): CartLine[] {
  if (!Array.isArray(value)) return [];
  const seen = new Set<string>();
  const lines: CartLine[] = [];
  for (const entry of value) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { sku, quantity } = entry as Record<string, unknown>;
    if (typeof sku !== 'string' || !sku || seen.has(sku)) continue;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity)) continue;
    if (quantity < 1 || quantity > MAX_QUANTITY || lines.length >= MAX_LINES) continue;
    seen.add(sku);
    lines.push({ sku, quantity });
  }
  return lines;
}
