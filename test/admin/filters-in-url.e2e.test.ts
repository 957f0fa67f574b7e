/**
 * The filters live in the page's URL: a reload, a shared link or Back brings back what the
 * analyst chose (a preset still a preset, moving with the day), a link with nonsense in it
 * opens on the defaults, and the token never goes into the URL.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipE2E } from '../e2e/support/browser';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app';
import { checkout } from '../support/orders';
import {
  adminInChromium,
  filterControls as controls,
  openPage,
  paidOrder,
  signedIn,
  signIn,
  waitForText,
} from './support/page';

const skip = skipE2E();
const chromium = adminInChromium();
let t: TestApp;

const DAY = 86_400_000;
const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp();
  await paidOrder(t, [{ sku: 'BAGGIO-1994', quantity: 1 }], 'first@example.com');
  await checkout(t, [{ sku: 'MALDINI-2003', quantity: 1 }], 'browsing@example.com');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const DEFAULTS = { from: '', to: '', pressed: [], status: '', email: '' };

/** Opens `at` in a tab of its own and signs in there, as whoever was sent the link would. */
async function openLink(at: string): Promise<Page> {
  const { page } = await openPage(chromium.browser, t.url, {}, at);
  await signIn(page, ADMIN_TOKEN);
  await page.locator('#live-status', { hasText: /^Live$/ }).waitFor();
  return page;
}

describe.skipIf(skip)('filters kept in the page URL', () => {
  it('a reload keeps the preset, status and email, the preset counted from the new day', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      const entries = await page.evaluate(() => history.length);
      await page.getByRole('button', { name: 'Last 7 days' }).click();
      await page.locator('#status').selectOption('paid');
      await page.locator('#email').fill('first');
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      await page.waitForFunction(() => location.href.includes('first'));
      const link = new URL(page.url());
      expect(link.href).not.toContain(ADMIN_TOKEN);
      expect(
        Object.fromEntries(new URLSearchParams(link.hash.slice(1))),
        'the preset is kept as a preset, not as the dates it gave today',
      ).toEqual({ range: '7', status: 'paid', email: 'first' });
      expect(await page.evaluate(() => history.length), 'each edit added a Back step').toBe(
        entries,
      );

      // Three days later, the same tab reloaded: "Last 7 days" now ends on that day.
      const later = Date.now() + 3 * DAY;
      await page.clock.setFixedTime(later);
      await page.reload();
      await waitForText(page, '#page-info', 'Page 1 of 1');
      expect(await controls(page), 'the reload went back to the default filters').toEqual({
        from: dayOf(later - 6 * DAY),
        to: dayOf(later),
        pressed: ['Last 7 days'],
        status: 'paid',
        email: 'first',
      });
      expect(await page.locator('#page-info').textContent()).toBe('Page 1 of 1 · 1 order');
      expect(page.url()).not.toContain(ADMIN_TOKEN);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('a shared link, and Back after leaving, open with the dates and status chosen', async () => {
    const page = await signedIn(chromium.browser, t.url);
    let shared: Page | undefined;
    try {
      const today = dayOf(Date.now());
      await page.locator('#from').fill('2001-01-01');
      await page.locator('#to').fill(today);
      await page.locator('#status').selectOption('checkout_started');
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      await page.waitForFunction(() => location.href.includes('checkout_started'));
      const chosen = {
        from: '2001-01-01',
        to: today,
        pressed: [],
        status: 'checkout_started',
        email: '',
      };
      const link = page.url();
      expect(link).not.toContain(ADMIN_TOKEN);

      shared = await openLink(new URL(link).pathname + new URL(link).hash);
      await waitForText(shared, '#page-info', 'Page 1 of 1');
      expect(await controls(shared), 'the link opened on the default filters').toEqual(chosen);
      expect(await shared.locator('#page-info').textContent()).toBe('Page 1 of 1 · 1 order');

      await page.goto('about:blank');
      await page.goBack();
      await waitForText(page, '#page-info', 'Page 1 of 1');
      expect(await controls(page), 'Back opened on the default filters').toEqual(chosen);
    } finally {
      await shared?.context().close();
      await page.context().close();
    }
  }, 60_000);

  it('a link pasted into the tab already open applies its filters at once', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      await waitForText(page, '#page-info', 'Page 1 of 1 · 2 orders');
      await page.goto(`${t.url}/admin/#status=paid`);
      await waitForText(page, '#page-info', 'Page 1 of 1 · 1 order');
      expect(await controls(page)).toEqual({ ...DEFAULTS, status: 'paid' });
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('a link with some invalid filters keeps the valid ones and shows no error', async () => {
    const today = Date.now();
    const page = await openLink(
      `/admin/#range=7&status=bogus&from=2026-02-30&email=${'x'.repeat(201)}&token=${ADMIN_TOKEN}`,
    );
    try {
      await waitForText(page, '#page-info', 'Page 1 of 1');
      expect(await controls(page)).toEqual({
        ...DEFAULTS,
        from: dayOf(today - 6 * DAY),
        to: dayOf(today),
        pressed: ['Last 7 days'],
      });
      expect(await page.locator('#dashboard-error').textContent()).toBe('');
      expect(await page.locator('#page-info').textContent()).toBe('Page 1 of 1 · 2 orders');
      expect(page.url(), 'a token in a pasted link stays in the URL').not.toContain(ADMIN_TOKEN);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it.each([
    '#range=13&status=constructor&from=yesterday&to=2026-99-01',
    '#from=2026-03-10&to=2026-03-01',
    '#%E0%A4%A&range=&&=',
  ])(
    'a link with only invalid filters (%s) opens on the defaults',
    async (hash) => {
      const page = await openLink(`/admin/${hash}`);
      try {
        await waitForText(page, '#page-info', 'Page 1 of 1');
        expect(await controls(page)).toEqual(DEFAULTS);
        expect(await page.locator('#dashboard-error').textContent()).toBe('');
        expect(await page.locator('#page-info').textContent()).toBe('Page 1 of 1 · 2 orders');
      } finally {
        await page.context().close();
      }
    },
    60_000,
  );
});
