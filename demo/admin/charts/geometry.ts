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

export interface TextSpot {
  x: number;
  /** Baseline of the text. */
  y: number;
  anchor: 'start' | 'end';
}

export interface RowGeometry {
  label: TextSpot;
  value: TextSpot;
  /** The full-length track the row's bar sits in. */
  track: Rect;
}

export interface RowLayout {
  rows: RowGeometry[];
  height: number;
}

/** Average advance of a 13px system-ui character, enough to tell whether two texts collide. */
export const CHAR_WIDTH = 7.2;
const TEXT_GAP = 16;

/** Whether every row's label and value fit side by side above its bar. */
export function fitsOnOneLine(texts: readonly [string, string][], width: number): boolean {
  return texts.every(
    ([label, value]) => ([...label].length + [...value].length) * CHAR_WIDTH + TEXT_GAP <= width,
  );
}

/**
 * Rows of "label above a horizontal bar", so long product names never squeeze the bars:
 * the value sits at the right end of the label line, or on a line of its own when
 * `twoLines` (narrow screens).
 */
export function rowLayout(
  count: number,
  width: number,
  { twoLines = false, barHeight = 16, padding = 4 } = {},
): RowLayout {
  const textHeight = twoLines ? 38 : 20;
  const rowHeight = textHeight + barHeight + 8;
  const rows = Array.from({ length: count }, (_, index): RowGeometry => {
    const top = padding + index * rowHeight;
    return {
      label: { x: 0, y: top + 14, anchor: 'start' },
      value: twoLines
        ? { x: 0, y: top + 32, anchor: 'start' }
        : { x: width, y: top + 14, anchor: 'end' },
      track: { x: 0, y: top + textHeight, width, height: barHeight },
    };
  });
  return { rows, height: padding * 2 + count * rowHeight };
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

/** Cuts a label to `max` characters with an ellipsis: SVG text does not wrap. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

export interface RowTextPlan {
  twoLines: boolean;
  /** Longest label, in characters, that fits its line. */
  labelChars: number;
}

/** Labels and values side by side when they fit, else each on its own line, labels clipped to the width. */
export function planRowText(texts: readonly [string, string][], width: number): RowTextPlan {
  const twoLines = !fitsOnOneLine(texts, width);
  return { twoLines, labelChars: Math.max(8, Math.floor(width / CHAR_WIDTH)) };
}
