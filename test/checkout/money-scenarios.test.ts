/**
 * Directed sequences through the same World as the property (money-world.ts): the paths the
 * random steps reach rarely, each ending with the same final checks.
 */
import { expect, it } from 'vitest';
import { allEvents, givenOrderEvent } from '../support/orders';
import { OTHER, SCARCE, type Step, storyOf, World } from './money-world';

async function story(
  carts: { sku: string; quantity: number }[][],
  steps: Step[],
  then?: (world: World) => Promise<void>,
) {
  const world = new World();
  try {
    await world.start(carts);
    for (const s of steps) await world.run(s);
    await world.finish(1);
    await then?.(world);
    if (process.env.MONEY_VERBOSE) console.log(world.log.join('\n'));
  } finally {
    await world.close();
  }
}

const MONTH = 30 * 24 * 60 + 61;

it('a debit given up on after 30 days that then succeeds, its units sold meanwhile', async () => {
  await story(
    [[{ sku: SCARCE, quantity: 2 }], [{ sku: SCARCE, quantity: 2 }]],
    [
      { kind: 'start', cart: 0, mode: 'fresh' },
      { kind: 'pay', session: 0, method: 'debit_ok' },
      { kind: 'deliver', event: 0, copies: 1 },
      { kind: 'tick', minutes: MONTH },
      { kind: 'sweep' },
      { kind: 'start', cart: 1, mode: 'fresh' },
      { kind: 'pay', session: 0, method: 'card' },
      { kind: 'deliver', event: 0, copies: 1 },
      { kind: 'settle', which: 0 },
      { kind: 'deliver', event: 0, copies: 2 },
      { kind: 'restock', sku: SCARCE },
    ],
    async (world) => {
      // Reached: failed, then paid late, one unit taken back, one missing until the restock.
      const story = storyOf(await allEvents(world.t.app.services.store), world.orders[0]!);
      expect(story).toMatch(/PaymentFailed[\s\S]*PaymentCompleted [^\n]*late=true/);
      expect(story).toMatch(
        /StockRetaken quantity=1[\s\S]*StockShortfall missing=1[\s\S]*StockRetaken quantity=1/,
      );
    },
  );
});

it('a debit given up on that settles with its webhook lost, then delivered days later', async () => {
  await story(
    [
      [
        { sku: SCARCE, quantity: 1 },
        { sku: OTHER, quantity: 1 },
      ],
    ],
    [
      { kind: 'start', cart: 0, mode: 'fresh' },
      { kind: 'pay', session: 0, method: 'debit_ok' },
      { kind: 'deliver', event: 0, copies: 1 },
      { kind: 'tick', minutes: MONTH },
      { kind: 'sweep' },
      { kind: 'settle', which: 0 },
      { kind: 'tick', minutes: 120 },
      { kind: 'sweep' },
    ],
  );
});

it('the checks themselves: a second PaymentCompleted planted in the store is caught', async () => {
  const world = new World();
  try {
    await world.start([[{ sku: SCARCE, quantity: 1 }]]);
    await world.run({ kind: 'start', cart: 0, mode: 'fresh' });
    await world.run({ kind: 'pay', session: 0, method: 'card' });
    await world.run({ kind: 'deliver', event: 0, copies: 1 });
    const orderId = world.orders[0]!;
    await givenOrderEvent(world.t.app.services.store, orderId, 'PaymentCompleted', {
      orderId,
      stripeEventId: 'evt_planted',
      sessionId: world.sessions[0],
      paymentIntentId: 'pi_planted',
      amount: 1000,
      currency: 'eur',
      at: new Date().toISOString(),
    });
    await expect(world.finish(1)).rejects.toThrow(/has 2 PaymentCompleted/);
  } finally {
    await world.close();
  }
});
