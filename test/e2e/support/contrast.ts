/**
 * WCAG contrast as the shopper sees it, measured in the page: a colour (faded by its
 * opacity) against the nearest painted background behind it, across shadow roots.
 */
import type { Locator, Page } from 'playwright-core';

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

/**
 * The keyboard focus ring (the outline of the focused element, looking through shadow roots)
 * against what it is drawn on: the first background behind the element, or every colour of
 * a gradient there (the worst one counts). Null when nothing has focus, or it draws no ring,
 * or it is aria-disabled (WCAG leaves inactive controls out, and the cart fades them).
 */
export function focusRing(page: Page): Promise<Measured | null> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const colours = (value: string): Rgba[] =>
      (value.match(/rgba?\([^)]*\)/g) ?? []).map((c) => {
        const [r = 0, g = 0, b = 0, a = 1] = (c.match(/[\d.]+/g) ?? []).map(Number);
        return [r, g, b, a];
      });
    const up = (el: Element): Element | null =>
      el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null);
    const behind = (from: Element | null): Rgba[] => {
      for (let el = from; el; el = up(el)) {
        const style = getComputedStyle(el);
        const gradient = colours(style.backgroundImage);
        if (gradient.length > 0) return gradient;
        const [bg] = colours(style.backgroundColor);
        if (bg && bg[3] > 0) return [bg];
      }
      return [[255, 255, 255, 1]];
    };
    const luminance = ([r, g, b]: Rgba) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body || el.closest('[aria-disabled="true"]')) return null;
    if (getComputedStyle(el).outlineStyle === 'none') return null;
    let alpha = 1;
    for (let at: Element | null = el; at; at = up(at))
      alpha *= Number(getComputedStyle(at).opacity);
    const [ring] = colours(getComputedStyle(el).outlineColor);
    const ratios = behind(up(el)).map((bg) => {
      const a = ring![3] * alpha;
      const mixed = ring!.map((c, i) => (i < 3 ? c * a + bg[i]! * (1 - a) : 1)) as Rgba;
      const [hi, lo] = [luminance(mixed), luminance(bg)].sort((x, y) => y - x);
      return Math.round(((hi! + 0.05) / (lo! + 0.05)) * 100) / 100;
    });
    const what = `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`;
    return { what, ratio: Math.min(...ratios) };
  });
}
