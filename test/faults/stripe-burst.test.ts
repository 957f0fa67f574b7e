/**
 * Stripe failing under a burst of checkouts (test/checkout/stripe-failures.test.ts covers
 * one checkout per fault): whatever mix of failures and successes, no reservation is left
 * behind by a failed checkout, and stock comes back to exactly what the survivors hold.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind } from '../../demo/sandbox';
import type { TestApp } from '../support/app';
import { startTestApp } from '../support/app';
import { RETURN_URL } from '../support/orders';
import { cards, tally } from './harness';
import { heldUnits, ledgerOf, orphanHolds } from './ledger';

const SKUS = cards(3, 200);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ catalog: SKUS });
});
afterAll(async () => {
  await t?.close();
});

/** Two lines on two of the three skus, so a failure has several reservations to undo. */
const cartOf = (i: number) => [
  { sku: SKUS[i % 3]!.sku, quantity: 1 + (i % 2) },
  { sku: SKUS[(i + 1) % 3]!.sku, quantity: 1 },
];

async function available(): Promise<Record<string, number>> {
  const list = await t.client.catalog.list.query();
  return Object.fromEntries(list.map((p) => [p.sku, p.available]));
}

/** Starts `count` checkouts at once; returns each one's order id (when it got one) or error. */
async function burst(count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        const started = await t.client.checkout.start.mutate({
          checkoutId: randomUUID(),
          items: cartOf(i),
          email: `fan${i}@example.com`,
          returnUrl: RETURN_URL,
        });
        return { ok: true as const, orderId: started.orderId };
      } catch (error) {
        const { data, message } = error as { data?: { code?: string }; message: string };
        return { ok: false as const, code: data?.code ?? 'no answer', message };
      }
    }),
  );
}

/** Queues faults interleaved (a, b, c, a, b, c, ...) so concurrent checkouts meet a mix. */
function failInTurn(kinds: FaultKind[], total: number) {
  for (let i = 0; i < total; i++) t.sandbox.failNext(kinds[i % kinds.length]!);
}

async function books() {
  return ledgerOf(await t.app.services.store.readAll());
}

describe('Stripe down during a burst of checkouts', () => {
  it('30 checkouts, every Stripe call failing: each gets a clear error, CheckoutFailed, and all stock comes back', async () => {
    const before = await available();
    // The gateway retries a reset or a timeout once, not a 500 (Stripe says a retry would
    // only replay it): at most two calls per checkout, so every one of them fails. Faults
    // left over go to the next burst, which expects a mix.
    failInTurn(['http500', 'reset', 'timeout'], 60);
    const results = await burst(30);

    expect(tally(results, (r) => (r.ok ? 'started' : r.code))).toEqual({
      SERVICE_UNAVAILABLE: 30,
    });
    for (const result of results) {
      if (!result.ok) expect(result.message).toMatch(/payment provider could not be reached/);
    }
    const ledger = await books();
    expect(ledger.failed.size).toBe(30);
    expect(ledger.started.size).toBe(0);
    expect(ledger.reservations).toBe(60);
    expect(ledger.releases).toBe(60);
    expect(ledger.strayReleases).toEqual([]);
    for (const { sku } of SKUS) expect(heldUnits(ledger, sku), sku).toBe(0);
    expect(await available()).toEqual(before);
  }, 60_000);

  it('40 checkouts meeting 50 mixed faults: failed ones hold nothing, the rest hold exactly their carts', async () => {
    const before = await available();
    const ledgerBefore = await books();
    // More faults than first attempts, so some retries fail too: refused, unreachable and started mix.
    failInTurn(['http500', 'reset', 'card_error', 'http500', 'reset'], 50);
    const results = await burst(40);
    const outcomes = tally(results, (r) => (r.ok ? 'started' : r.code));
    console.log('mixed fault burst outcomes', JSON.stringify(outcomes));
    expect(outcomes.started ?? 0).toBeLessThan(40);
    for (const code of Object.keys(outcomes)) {
      expect(['started', 'BAD_GATEWAY', 'SERVICE_UNAVAILABLE']).toContain(code);
    }

    const ledger = await books();
    const startedNow = results.flatMap((r) => (r.ok ? [r.orderId] : []));
    const isOpen = (orderId: string) => ledger.started.has(orderId) && !ledger.failed.has(orderId);
    expect(orphanHolds(ledger, isOpen)).toEqual([]);
    expect(ledger.failed.size - ledgerBefore.failed.size).toBe(40 - startedNow.length);
    expect(ledger.strayReleases).toEqual([]);

    const heldByStarted: Record<string, number> = {};
    for (const orderId of startedNow) {
      for (const { sku, quantity } of ledger.carts.get(orderId)!) {
        heldByStarted[sku] = (heldByStarted[sku] ?? 0) + quantity;
      }
    }
    const after = await available();
    for (const { sku } of SKUS) {
      expect(after[sku], sku).toBe(before[sku]! - (heldByStarted[sku] ?? 0));
      expect(heldUnits(ledger, sku), sku).toBe(heldByStarted[sku] ?? 0);
    }
  }, 60_000);
});
