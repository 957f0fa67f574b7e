/**
 * Refunds on the analytics page, against the real server and read models: a paid order gets
 * money back (a `PaymentRefunded` planted in its stream, as the webhook would record it), and
 * the live page shows it in the totals, revenue kept as paid beside what the shop kept, and
 * beside the order's status in the table.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipE2E } from '../e2e/support/browser';
import { startTestApp, type TestApp } from '../support/app';
import { givenOrderEvent } from '../support/orders';
import { adminInChromium, paidOrder, signedIn, waitForText } from './support/page';
import { paymentOf } from './support/payments';

const skip = skipE2E();
const chromium = adminInChromium();
let t: TestApp;
/** Two paid orders: 2 × €45.00, and 1 × €39.00; and one nobody refunds, 1 × €189.00. */
let partly: string;
let fully: string;
let kept: string;

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp();
  partly = (await paidOrder(t, [{ sku: 'BAGGIO-1994', quantity: 2 }], 'partly@example.com'))
    .orderId;
  fully = (await paidOrder(t, [{ sku: 'MALDINI-2003', quantity: 1 }], 'fully@example.com')).orderId;
  kept = (await paidOrder(t, [{ sku: 'PELE-1958', quantity: 1 }], 'kept@example.com')).orderId;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** Records a refund of `amount` on the order's payment, `refunded` all it has had back so far. */
async function refund(orderId: string, amount: number, refunded: number): Promise<void> {
  const { paymentIntentId } = await paymentOf(t.app.services.store, orderId);
  const at = new Date().toISOString();
  await givenOrderEvent(t.app.services.store, orderId, 'PaymentRefunded', {
    orderId,
    stripeEventId: `evt_test_refund_${orderId.slice(0, 8)}_${refunded}`,
    paymentIntentId,
    chargeId: `ch_test_${paymentIntentId}`,
    refundId: `re_test_${orderId.slice(0, 8)}_${refunded}`,
    amount,
    refunded,
    currency: 'eur',
    at,
    refundedAt: at,
  });
}

/** Waits until the read models count the refunds, as the page's next load will read them. */
async function readModelsShow(refunded: { total: number; orderId: string; order: number }) {
  await expect
    .poll(async () => (await t.admin.analytics.sales.query({})).totals[0]?.refunded)
    .toBe(refunded.total);
  await expect
    .poll(async () => {
      const report = await t.admin.analytics.orders.query({ page: 1, pageSize: 10 });
      return report.orders.find((o) => o.orderId === refunded.orderId)?.refunded;
    })
    .toBe(refunded.order);
}

const statusOf = (page: Page, orderId: string) =>
  page.locator(`#orders tr[data-order-id="${orderId}"] td`).nth(3).locator('.status');

describe.skipIf(skip)('refunds on the analytics page', () => {
  it('shows what went back and what the shop kept, live, and which orders had money back', async () => {
    const page = await signedIn(chromium.browser, t.url);
    try {
      const totals = page.locator('#totals [data-currency="eur"] dd');
      // No refund yet: the card reads as it always did (revenue, orders, average, units).
      await waitForText(page, '#totals [data-currency="eur"]', '€318.00');
      expect(await totals.allTextContents()).toEqual(['€318.00', '3', '€106.00', '4']);
      expect(await page.locator('#orders .status-refunded').count()).toBe(0);

      // Part of the first order's €90.00 goes back while the page is open.
      expect((await paymentOf(t.app.services.store, partly)).amount).toBe(9000);
      await refund(partly, 2000, 2000);
      await readModelsShow({ total: 2000, orderId: partly, order: 2000 });
      await waitForText(page, '#totals [data-currency="eur"]', 'Refunded');
      // Revenue stays as paid; the refund and the net are a line of text under it.
      expect(await totals.allTextContents()).toEqual([
        '€318.00',
        'Refunded €20.00 · Net €298.00',
        '3',
        '€106.00',
        '4',
      ]);
      await statusOf(page, partly).filter({ hasText: 'Refunded' }).waitFor();
      expect(await statusOf(page, partly).allTextContents()).toEqual(['Paid', 'Refunded €20.00']);
      // So does the product's row in the top products, and its row in the table read out.
      await waitForText(page, '#products .bar-row', 'Refunded €20.00');
      const product = (name: string) =>
        page.locator('#products tr', { hasText: name }).locator('th, td').allTextContents();
      expect(await product('Baggio')).toEqual([
        'Baggio 1994',
        '€90.00',
        '2',
        '1',
        'Refunded €20.00',
      ]);
      expect(await product('Pelé')).toEqual(['Pelé 1958', '€189.00', '1', '1', '']);

      // All of the second order's €39.00 goes back.
      await refund(fully, 3900, 3900);
      await readModelsShow({ total: 5900, orderId: fully, order: 3900 });
      await waitForText(page, '#totals [data-currency="eur"]', 'Refunded €59.00');
      expect(await totals.nth(1).textContent()).toBe('Refunded €59.00 · Net €259.00');
      await statusOf(page, fully).filter({ hasText: 'Refunded' }).waitFor();
      expect(await statusOf(page, fully).allTextContents()).toEqual(['Paid', 'Refunded in full']);
      expect(await statusOf(page, fully).nth(1).getAttribute('title')).toBe('€39.00 refunded');
      // The order nobody refunded shows none, and each order is still counted as paid.
      expect(await statusOf(page, kept).allTextContents()).toEqual(['Paid']);
      expect(await page.locator('#orders tbody tr', { hasText: 'Paid' }).count()).toBe(3);
      // A screen reader reads the refund as text in the row and the card, not a colour.
      const read = (selector: string) => page.locator(selector).ariaSnapshot();
      expect(await read(`#orders tr[data-order-id="${partly}"]`)).toContain('Refunded €20.00');
      expect(await read('#totals [data-currency="eur"]')).toContain(
        'Refunded €59.00 · Net €259.00',
      );
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
