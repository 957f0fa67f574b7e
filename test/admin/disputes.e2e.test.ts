/**
 * Disputes on the analytics page, against the real server and read models: the shoppers'
 * banks dispute paid orders (`PaymentDisputed` and `DisputeClosed` planted in their streams, as
 * the webhook would record them), and the live page tags each order with its dispute's state
 * and, once one is lost, says under the revenue what it took and what the shop kept.
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
/** Three paid orders: 2 × €45.00 (its dispute lost), 1 × €39.00 (won), 1 × €189.00 (an inquiry). */
let lost: string;
let won: string;
let inquired: string;

beforeAll(async () => {
  if (skip) return;
  t = await startTestApp();
  lost = (await paidOrder(t, [{ sku: 'BAGGIO-1994', quantity: 2 }], 'lost@example.com')).orderId;
  won = (await paidOrder(t, [{ sku: 'MALDINI-2003', quantity: 1 }], 'won@example.com')).orderId;
  inquired = (await paidOrder(t, [{ sku: 'PELE-1958', quantity: 1 }], 'inquired@example.com'))
    .orderId;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const disputeIdOf = (orderId: string) => `dp_test_${orderId.slice(0, 8)}`;

/** Records the bank disputing all of the order's payment (or asking about it: an inquiry). */
async function dispute(orderId: string, reason: string, inquiry = false): Promise<void> {
  const { paymentIntentId, amount } = await paymentOf(t.app.services.store, orderId);
  const at = new Date().toISOString();
  await givenOrderEvent(t.app.services.store, orderId, 'PaymentDisputed', {
    orderId,
    stripeEventId: `evt_test_dispute_${orderId.slice(0, 8)}`,
    paymentIntentId,
    chargeId: `ch_test_${paymentIntentId}`,
    disputeId: disputeIdOf(orderId),
    amount,
    currency: 'eur',
    reason,
    inquiry,
    at,
    disputedAt: at,
  });
}

/** Records the order's dispute closing; a lost one takes all that was disputed. */
async function close(orderId: string, outcome: 'won' | 'lost' | 'warning_closed'): Promise<void> {
  const { paymentIntentId, amount } = await paymentOf(t.app.services.store, orderId);
  const at = new Date().toISOString();
  await givenOrderEvent(t.app.services.store, orderId, 'DisputeClosed', {
    orderId,
    stripeEventId: `evt_test_dispute_closed_${orderId.slice(0, 8)}`,
    paymentIntentId,
    disputeId: disputeIdOf(orderId),
    outcome,
    lost: outcome === 'lost' ? amount : 0,
    closing: 1,
    currency: 'eur',
    at,
    closedAt: at,
  });
}

/** Waits until the read models hold these dispute outcomes (null: open) and the sum lost. */
async function readModelsShow(outcomes: Record<string, string | null>, lostToDisputes: number) {
  await expect
    .poll(async () => {
      const report = await t.admin.analytics.orders.query({ page: 1, pageSize: 10 });
      return Object.fromEntries(
        Object.keys(outcomes).map((id) => [
          id,
          report.orders.find((o) => o.orderId === id)?.disputes[0]?.outcome,
        ]),
      );
    })
    .toEqual(outcomes);
  await expect
    .poll(async () => (await t.admin.analytics.sales.query({})).totals[0]?.lostToDisputes)
    .toBe(lostToDisputes);
}

const statusOf = (page: Page, orderId: string) =>
  page.locator(`#orders tr[data-order-id="${orderId}"] td`).nth(3).locator('.status');

/** Each tag's text, background and WCAG contrast ratio of its text on that background. */
const tagLooks = (page: Page, orderId: string) =>
  statusOf(page, orderId)
    .last()
    .evaluate((tag) => {
      const rgb = (value: string) => (value.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      const luminance = (colour: number[]) => {
        const [r = 0, g = 0, b = 0] = colour.map((c) => {
          const s = c / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const style = getComputedStyle(tag);
      const [hi, lo] = [luminance(rgb(style.color)), luminance(rgb(style.backgroundColor))].sort(
        (a, b) => b - a,
      );
      return {
        text: tag.textContent,
        background: style.backgroundColor,
        contrast: (hi! + 0.05) / (lo! + 0.05),
      };
    });

describe.skipIf(skip)('disputes on the analytics page', () => {
  it('tags each disputed order with its dispute, live, and counts the disputes lost under the revenue', async () => {
    const page = await signedIn(chromium.browser, t.url);
    const totals = page.locator('#totals [data-currency="eur"] dd');
    const disputeTags =
      '#orders :is(.status-disputed, .status-dispute-lost, .status-dispute-won, .status-inquiry-closed)';
    try {
      // No dispute yet: the card reads as it always did, and no order is tagged.
      await waitForText(page, '#totals [data-currency="eur"]', '€318.00');
      expect(await totals.allTextContents()).toEqual(['€318.00', '3', '€106.00', '4']);
      expect(await page.locator(disputeTags).count()).toBe(0);

      // Two chargebacks and an inquiry open while the page is open.
      await dispute(lost, 'fraudulent');
      await dispute(won, 'product_not_received');
      await dispute(inquired, 'general', true);
      await readModelsShow({ [lost]: null, [won]: null, [inquired]: null }, 0);
      await statusOf(page, inquired).filter({ hasText: 'Inquiry' }).waitFor();
      await statusOf(page, lost).filter({ hasText: 'Disputed' }).waitFor();
      await statusOf(page, won).filter({ hasText: 'Disputed' }).waitFor();
      expect(await statusOf(page, lost).allTextContents()).toEqual(['Paid', 'Disputed €90.00']);
      expect(await statusOf(page, won).allTextContents()).toEqual(['Paid', 'Disputed €39.00']);
      expect(await statusOf(page, inquired).allTextContents()).toEqual(['Paid', 'Inquiry €189.00']);
      expect(await statusOf(page, lost).nth(1).getAttribute('title')).toBe(
        '€90.00 disputed: fraudulent',
      );
      // Held back, as a refund is given back: in its amber, readable on it (WCAG 1.4.3: 4.5:1).
      const held = await tagLooks(page, lost);
      expect([held.text, held.background]).toEqual(['Disputed €90.00', 'rgb(254, 243, 199)']);
      expect(held.contrast).toBeGreaterThanOrEqual(4.5);
      // Held back is not lost: the card still reads as it did.
      expect(await totals.allTextContents()).toEqual(['€318.00', '3', '€106.00', '4']);

      // The banks decide: one lost, one won, the inquiry closed without a chargeback.
      await close(lost, 'lost');
      await close(won, 'won');
      await close(inquired, 'warning_closed');
      await readModelsShow({ [lost]: 'lost', [won]: 'won', [inquired]: 'warning_closed' }, 9000);
      await waitForText(page, '#totals [data-currency="eur"]', 'Lost to disputes');
      // Revenue stays as paid; what the dispute took and the net are a line of text under it.
      expect(await totals.allTextContents()).toEqual([
        '€318.00',
        'Lost to disputes €90.00 · Net €228.00',
        '3',
        '€106.00',
        '4',
      ]);
      await statusOf(page, inquired).filter({ hasText: 'Inquiry closed' }).waitFor();
      await statusOf(page, lost).filter({ hasText: 'Dispute lost' }).waitFor();
      await statusOf(page, won).filter({ hasText: 'Dispute won' }).waitFor();
      expect(await statusOf(page, lost).allTextContents()).toEqual(['Paid', 'Dispute lost €90.00']);
      expect(await statusOf(page, won).allTextContents()).toEqual(['Paid', 'Dispute won']);
      expect(await statusOf(page, inquired).allTextContents()).toEqual(['Paid', 'Inquiry closed']);
      // Each order is still counted as paid.
      expect(await page.locator('#orders tbody tr', { hasText: 'Paid' }).count()).toBe(3);

      // The colour says what it meant for the money (lost as a failure, won as paid, an inquiry
      // closed as nothing), its text readable on it.
      const looks = [await tagLooks(page, lost), await tagLooks(page, won)];
      looks.push(await tagLooks(page, inquired));
      expect(looks.map(({ text, background }) => [text, background])).toEqual([
        ['Dispute lost €90.00', 'rgb(254, 226, 226)'],
        ['Dispute won', 'rgb(220, 252, 231)'],
        ['Inquiry closed', 'rgb(238, 241, 245)'],
      ]);
      for (const { text, contrast } of looks) expect(contrast, text!).toBeGreaterThanOrEqual(4.5);
      // A screen reader reads the dispute as text in the row and the card, not a colour.
      const read = (selector: string) => page.locator(selector).ariaSnapshot();
      expect(await read(`#orders tr[data-order-id="${lost}"]`)).toContain('Dispute lost €90.00');
      expect(await read('#totals [data-currency="eur"]')).toContain(
        'Lost to disputes €90.00 · Net €228.00',
      );
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
