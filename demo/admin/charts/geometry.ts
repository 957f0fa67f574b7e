/** Where every bar goes, as plain numbers in SVG user units: no DOM, so it is testable. */
import { bands, linearScale } from '../scale';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** A value that is not zero stays visible, however small beside the largest. */
const MIN_VISIBLE = 2;

export function proportion(value: number, max: number, length: number): number {
  if (!(value > 0) || !(max > 0)) return 0;
  return Math.max(MIN_VISIBLE, (Math.min(value, max) / max) * length);
}

export interface ColumnLayout {
  /** The drawing area inside the margins. */
  plot: Rect;
  /** One column per value, bottom-aligned on the baseline. */
  columns: Rect[];
  /** Horizontal grid lines with their values, from 0 up. */
  ticks: { value: number; y: number }[];
  /** Label every nth column so the x labels never overlap. */
  labelEvery: number;
}

export function columnLayout(
  values: readonly number[],
  width: number,
  height: number,
  margin: Margins,
  maxLabels = 8,
): ColumnLayout {
  const plot: Rect = {
    x: margin.left,
    y: margin.top,
    width: width - margin.left - margin.right,
    height: height - margin.top - margin.bottom,
  };
  const baseline = plot.y + plot.height;
  const scale = linearScale(Math.max(0, ...values), plot.height);
  const columns = bands(values.length, plot.width).map((band, index) => {
    const value = values[index] ?? 0;
    const barHeight = value > 0 ? Math.max(MIN_VISIBLE, scale(value)) : 0;
    return {
      x: plot.x + band.offset,
      y: baseline - barHeight,
      width: band.width,
      height: barHeight,
    };
  });
  return {
    plot,
    columns,
    ticks: scale.ticks.map((value) => ({ value, y: baseline - scale(value) })),
    labelEvery: Math.max(1, Math.ceil(values.length / maxLabels)),
  };
}

/** A bar from the track's start, `value` out of `max` of its length. */
export function barIn(track: Rect, value: number, max: number): Rect {
  return { ...track, width: proportion(value, max, track.width) };
}

/**
 * Segments laid end to end in the track, each `value` out of `max` of its length; zero
 * segments get no width (and so no minimum), negative ones count as zero.
 */
export function stackedIn(track: Rect, values: readonly number[], max: number): Rect[] {
  let x = track.x;
  return values.map((value) => {
    const width = value > 0 && max > 0 ? (value / max) * track.width : 0;
    const rect = { ...track, x, width };
    x += width;
    return rect;
  });
}
