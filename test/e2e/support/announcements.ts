/**
 * What a screen reader would hear from live regions, frame by frame, as Chromium's
 * accessibility tree sees them.
 */
import type { Page } from 'playwright-core';

/**
 * Records, at every rendered frame, what the page's live regions (in open shadow roots too)
 * would make a screen reader say. Chromium serializes its accessibility tree once per
 * rendering update and fires a live-region event when a rendered region's text differs from
 * the last one it serialized; a region that appears already holding its text is not read
 * (role="alert" excepted: Chromium fires an alert when one is shown). A region outside an
 * open modal dialog is inert, so not read. Call before the page loads (an init script).
 */
export async function recordAnnouncements(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const said: string[] = [];
    const frames: { region: string; text: string; shown: boolean }[][] = [];
    Object.assign(window, { said, liveFrames: frames });
    const previous = new WeakMap<Element, { shown: boolean; text: string }>();
    const roots = (root: Document | ShadowRoot, out: (Document | ShadowRoot)[] = []) => {
      out.push(root);
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) roots(el.shadowRoot, out);
      return out;
    };
    const tick = () => {
      const all = roots(document);
      const modal = all.map((r) => r.querySelector('dialog:modal')).find(Boolean) ?? null;
      const frame: { region: string; text: string; shown: boolean }[] = [];
      for (const root of all) {
        for (const el of root.querySelectorAll('[aria-live], [role="status"], [role="alert"]')) {
          const inModal = !modal || modal.contains(el);
          const shown = el.getClientRects().length > 0 && inModal && !el.closest('[inert]');
          const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
          const alert = el.getAttribute('role') === 'alert';
          const before = previous.get(el);
          const changed = before ? before.shown && before.text !== text : false;
          const appeared = alert && !before?.shown;
          if (shown && text && (changed || appeared)) said.push(text);
          previous.set(el, { shown, text });
          frame.push({ region: el.className || el.tagName, text, shown });
        }
      }
      frames.push(frame);
      if (frames.length > 400) frames.shift();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** What the live regions have said so far, in order. */
export function announcements(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { said: string[] }).said]);
}

/** Waits for two more rendered frames, so the recorder has seen the current state. */
export function twoFrames(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
      ),
  );
}

/**
 * Makes every animation frame come `ms` late, as on a loaded machine, where a page renders
 * less often than a timer fires. Call before `recordAnnouncements`, which then samples as
 * seldom as the page renders.
 */
export async function slowFrames(page: Page, ms: number): Promise<void> {
  await page.addInitScript((late) => {
    const frame = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (run) => {
      setTimeout(() => frame(run), late);
      return 0;
    };
  }, ms);
}
