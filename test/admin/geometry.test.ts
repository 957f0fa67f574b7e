import { describe, expect, it } from 'vitest';
import { barIn, columnLayout, proportion, stackedIn } from '../../demo/admin/charts/geometry';
import { bands, linearScale, niceStep } from '../../demo/admin/scale';

describe('scales', () => {
  it('picks steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(100, 4)).toBe(50);
    expect(niceStep(9, 4)).toBe(5);
    expect(niceStep(18_900, 4)).toBe(5000);
    expect(niceStep(0, 4)).toBe(1);
  });

  it('rounds the top of the axis up to a whole step and lists the ticks from zero', () => {
    const scale = linearScale(18_900, 200, 4);
    expect(scale.max).toBe(20_000);
    expect(scale.ticks).toEqual([0, 5000, 10_000, 15_000, 20_000]);
    expect(scale(10_000)).toBe(100);
    expect(scale(20_000)).toBe(200);
  });

  it('never puts a tick between two integers', () => {
    const scale = linearScale(2, 100, 4);
    expect(scale.ticks).toEqual([0, 1, 2]);
  });

  it('has an axis even when every value is zero', () => {
    const scale = linearScale(0, 100);
    expect(scale.max).toBe(1);
    expect(scale(0)).toBe(0);
  });

  it('splits a length into equal bands with the padding centred', () => {
    expect(bands(2, 100, 0.2)).toEqual([
      { offset: 5, width: 40 },
      { offset: 55, width: 40 },
    ]);
    expect(bands(0, 100)).toEqual([]);
  });
});

describe('bar geometry', () => {
  const margin = { top: 10, right: 0, bottom: 20, left: 50 };

  it('stands columns on the baseline, the tallest reaching its share of the axis', () => {
    const layout = columnLayout([0, 5000, 20_000], 350, 230, margin);
    expect(layout.plot).toEqual({ x: 50, y: 10, width: 300, height: 200 });
    const [zero, half, full] = layout.columns;
    expect(zero).toMatchObject({ height: 0, y: 210 });
    expect(half!.height).toBeCloseTo(50);
    expect(half!.y + half!.height).toBeCloseTo(210);
    expect(full).toMatchObject({ y: 10, height: 200 });
    expect(layout.columns.map((c) => c.x)).toEqual([60, 160, 260]);
    expect(layout.ticks.at(0)).toEqual({ value: 0, y: 210 });
    expect(layout.ticks.at(-1)).toEqual({ value: 20_000, y: 10 });
  });

  it('keeps a tiny non-zero value visible', () => {
    const layout = columnLayout([1, 1_000_000], 350, 230, margin);
    expect(layout.columns[0]!.height).toBeGreaterThanOrEqual(2);
    expect(proportion(1, 1_000_000, 100)).toBe(2);
    expect(proportion(0, 10, 100)).toBe(0);
    expect(proportion(5, 0, 100)).toBe(0);
  });

  it('labels only every nth column when there are many days', () => {
    expect(columnLayout(new Array(30).fill(1), 600, 200, margin, 8).labelEvery).toBe(4);
    expect(columnLayout([1, 2, 3], 600, 200, margin, 8).labelEvery).toBe(1);
  });

  it('draws a bar as its share of the longest', () => {
    const track = { x: 0, y: 0, width: 400, height: 10 };
    expect(barIn(track, 50, 200).width).toBe(100);
    expect(barIn(track, 300, 200).width).toBe(400);
  });

  it('stacks segments end to end, zero and negative ones taking no room', () => {
    const track = { x: 10, y: 0, width: 100, height: 10 };
    const [sold, reserved, available] = stackedIn(track, [2, 0, 3], 10);
    expect(sold).toMatchObject({ x: 10, width: 20 });
    expect(reserved).toMatchObject({ x: 30, width: 0 });
    expect(available).toMatchObject({ x: 30, width: 30 });
    expect(stackedIn(track, [-4, 5], 10)[1]).toMatchObject({ x: 10, width: 50 });
  });
});
