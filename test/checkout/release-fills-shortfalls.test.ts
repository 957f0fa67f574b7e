/**
 * Units an ended order gives back go to a paid order short of them (a late payment's
 * shortfall) before any new shopper: in the release's own decision, so neither a failure and
 * retry around it nor a reservation arriving while the order is read can come between.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Products } from '../../server/catalog/products';
import { orderDecider } from '../../server/checkout/order';
import { releaseEndedOrderStock } from '../../server/checkout/order-stock';
import { handleCommand } from '../../server/command-handler';
import type { EventOf } from '../../server/domain/events';
import { orderStream } from '../../server/domain/events';
import { openEventStore } from '../../server/eventstore/open';
import type { EventStore } from '../../server/eventstore/port';

const SKU = 'RG-FILL';
const at = () => new Date().toISOString();
const meta = { correlationId: 'review', causationId: 'review' };
const stores: EventStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setup(hook: (stream: string) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-g-'));
  const inner = await openEventStore({
    sqlitePath: path.join(dir, 'events.sqlite'),
    synchronous: 'NORMAL',
  });
  stores.push(inner);
  // The store, with a hook run before each read of an order stream.
  const store: EventStore = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'readStream') {
        return async (stream: string, options?: unknown) => {
          if (stream.startsWith('order-')) await hook(stream);
          return target.readStream(stream, options as never);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const products = new Products(store);
  const product = {
    sku: SKU,
    name: SKU,
    description: '',
    image: '',
    unitAmount: 1000,
    currency: 'eur',
  };
  await products.execute({ type: 'ListProduct', product, stock: 1, at: at() }, meta);
  const orderA = randomUUID();
  const orderB = randomUUID();
  // A holds the last unit; B was paid late and found it missing.
  await products.execute(
    { type: 'ReserveStock', sku: SKU, orderId: orderA, quantity: 1, expiresAt: at(), at: at() },
    meta,
  );
  const retake = await products.execute(
    { type: 'RetakeStock', sku: SKU, orderId: orderB, quantity: 1, at: at() },
    meta,
  );
  expect(retake.events.map((e) => e.type)).toEqual(['StockShortfall']);
  const cart: EventOf<'CartValidated'>['data'] = {
    orderId: orderA,
    checkoutId: randomUUID(),
    lines: [{ sku: SKU, name: SKU, image: '', quantity: 1, unitAmount: 1000, amount: 1000 }],
    currency: 'eur',
    total: 1000,
    email: 'a@example.com',
    origin: 'http://shop.test',
    returnUrl: 'http://shop.test/',
    at: at(),
  };
  // A has ended (its checkout failed at Stripe): only an ended order gives its units back.
  const orderMeta = { metadata: meta };
  await handleCommand(
    inner,
    orderStream(orderA),
    orderDecider,
    { type: 'ValidateCart', cart },
    orderMeta,
  );
  await handleCommand(
    inner,
    orderStream(orderA),
    orderDecider,
    { type: 'FailCheckout', reason: 'stripe_unreachable', message: 'unreachable', at: at() },
    orderMeta,
  );
  return { store, products, orderA, orderB, cart };
}

describe('units an ended order gives back', () => {
  it('go to the late payment short of them, also when a failure is retried', async () => {
    let failOnce = true;
    const { store, products, orderB, cart } = await setup(async () => {
      if (failOnce) {
        failOnce = false;
        throw new Error('transient read failure (or a crash) after the release');
      }
    });
    await expect(
      releaseEndedOrderStock(store, products, cart, 'expired', at(), {
        causationId: 'reservation-sweep',
      }),
    ).rejects.toThrow(/transient/);
    // The sweep's releaseRetries (or the redelivered webhook) runs the same call again.
    await releaseEndedOrderStock(store, products, cart, 'expired', at(), {
      causationId: 'reservation-sweep',
    });
    const state = await products.state(SKU);
    expect(state.shortfalls.size).toBe(0);
    expect(state.holds.get(orderB)).toBe(1);
  });

  it('go to the late payment before a reservation that arrives while the order is read', async () => {
    let products!: Products;
    let injected = false;
    const orderC = randomUUID();
    let reservedByC: unknown = 'not tried';
    const ctx = await setup(async () => {
      if (injected) return;
      injected = true;
      // Another shopper's checkout.start reaches the product while the order is read.
      reservedByC = await products
        .execute(
          {
            type: 'ReserveStock',
            sku: SKU,
            orderId: orderC,
            quantity: 1,
            expiresAt: at(),
            at: at(),
          },
          meta,
        )
        .then((h) => h.events.map((e) => e.type))
        .catch((e) => String(e));
    });
    products = ctx.products;
    await releaseEndedOrderStock(ctx.store, products, ctx.cart, 'expired', at(), {
      causationId: 'x',
    });
    const state = await products.state(SKU);
    expect({
      reservedByC,
      shortfalls: state.shortfalls.size,
      b: state.holds.get(ctx.orderB),
    }).toEqual({
      reservedByC: expect.stringMatching(/sold_out|Only 0/),
      shortfalls: 0,
      b: 1,
    });
  });
});

describe('a late payment whose re-take reaches the product before its release', () => {
  it('keeps its units: the release gives nothing, not even to an older shortfall', async () => {
    const ctx = await setup(async () => {});
    const { products, orderA, orderB } = ctx;
    // The release was decided on the order as it was read (ended, unpaid); the payment is
    // recorded and its re-take reaches the product before the release does.
    const execute = products.execute.bind(products);
    products.execute = async (command, metadata) => {
      if (command.type === 'ReleaseStock' && command.orderId === orderA) {
        products.execute = execute;
        await execute(
          { type: 'RetakeStock', sku: SKU, orderId: orderA, quantity: 1, at: at() },
          metadata,
        );
      }
      return execute(command, metadata);
    };
    await releaseEndedOrderStock(ctx.store, products, ctx.cart, 'expired', at(), {
      causationId: 'reservation-sweep',
    });

    const state = await products.state(SKU);
    expect({ a: state.holds.get(orderA), b: state.holds.get(orderB) }).toEqual({
      a: 1,
      b: undefined,
    });
    expect(state.shortfalls.get(orderB)).toBe(1);
    const types = (await ctx.store.readStream(`product-${SKU}`)).map((e) => e.type);
    expect(types.slice(-1)).toEqual(['HoldKept']);
    expect(types).not.toContain('StockReleased');
  });
});
