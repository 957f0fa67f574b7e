/**
 * WCAG contrast as the shopper sees it, measured in the page: a colour (faded by its
 * opacity) against the nearest painted background behind it, across shadow roots.
 */
import type { Locator } from 'playwright-core';

export interface Measured {
  /** The text measured, or the element's tag for a border. */
  what: string;
  ratio: number;
}

/**
 * Every visible text in `host`'s shadow root (aria-disabled controls excepted: WCAG leaves
 * them out), or, with `border`, the border of the element itself against what is around it.
 */
export function contrasts(locator: Locator, mode: 'text' | 'border'): Promise<Measured[]> {
  return locator.evaluate((target, mode) => {
    type Rgba = [number, number, number, number];
    const parse = (value: string): Rgba => {
      const [r = 0, g = 0, b = 0, a = 1] = (value.match(/[\d.]+/g) ?? []).map(Number);
      return [r, g, b, a];
    };
    const up = (el: Element): Element | null =>
      el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null);
    /** The first opaque-ish background at or above `from`; white (the page's) when none. */
    const backdrop = (from: Element | null): Rgba => {
      for (let el = from; el; el = up(el)) {
        const bg = parse(getComputedStyle(el).backgroundColor);
        if (bg[3] > 0) return bg;
      }
      return [255, 255, 255, 1];
    };
    const opacity = (from: Element): number => {
      let product = 1;
      for (let el: Element | null = from; el; el = up(el))
        product *= Number(getComputedStyle(el).opacity);
      return product;
    };
    const luminance = ([r, g, b]: Rgba) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const ratio = (fg: Rgba, alpha: number, bg: Rgba) => {
      const mixed = fg.map((c, i) => (i < 3 ? c * alpha + bg[i]! * (1 - alpha) : 1)) as Rgba;
      const [hi, lo] = [luminance(mixed), luminance(bg)].sort((a, b) => b - a);
      return Math.round(((hi! + 0.05) / (lo! + 0.05)) * 100) / 100;
    };
    if (mode === 'border') {
      const border = parse(getComputedStyle(target).borderTopColor);
      return [
        {
          what: target.tagName.toLowerCase(),
          ratio: ratio(border, border[3], backdrop(up(target))),
        },
      ];
    }
    const measured: { what: string; ratio: number }[] = [];
    for (const el of target.shadowRoot!.querySelectorAll('*')) {
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent)
        .join('')
        .trim();
      if (!text || !el.checkVisibility() || el.closest('.sr, [aria-disabled="true"]')) continue;
      const color = parse(getComputedStyle(el).color);
      measured.push({ what: text, ratio: ratio(color, color[3] * opacity(el), backdrop(el)) });
    }
    return measured;
  }, mode);
}
