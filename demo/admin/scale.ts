/** Linear scales and "nice" axis ticks for the charts, as pure arithmetic. */

export interface LinearScale {
  (value: number): number;
  readonly max: number;
  readonly ticks: number[];
}

/**
 * The smallest "nice" step (1, 2 or 5 times a power of ten) that covers `max` in at most
 * `count` steps, so axes read 0, 50, 100 rather than 0, 43, 86.
 */
export function niceStep(max: number, count: number): number {
  if (!(max > 0)) return 1;
  const rough = max / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= rough) return factor * power;
  }
  return 10 * power;
}

/**
 * Maps [0, niceMax] onto [0, length]. With integer-only data (counts, minor units) the
 * step never drops below 1, so no tick falls between two possible values.
 */
export function linearScale(dataMax: number, length: number, tickCount = 4): LinearScale {
  const step = Math.max(1, niceStep(dataMax, tickCount));
  const max = dataMax > 0 ? Math.ceil(dataMax / step) * step : step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= max + step / 2; tick += step) ticks.push(tick);
  const scale = ((value: number) => (Math.max(0, value) / max) * length) as LinearScale;
  return Object.assign(scale, { max, ticks });
}

export interface Band {
  /** Start of the band's bar, after the padding. */
  offset: number;
  /** Width of the bar inside the band. */
  width: number;
}

/** Splits `length` into `count` equal bands; `padding` is the share of each band left empty. */
export function bands(count: number, length: number, padding = 0.2): Band[] {
  if (count <= 0) return [];
  const step = length / count;
  const width = step * (1 - padding);
  return Array.from({ length: count }, (_, index) => ({
    offset: index * step + (step - width) / 2,
    width,
  }));
}
