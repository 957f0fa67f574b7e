/**
 * A realistic, seeded shop history appended to a real event store: products listed and
 * restocked, shoppers' orders interleaving in $all, each ending paid (some pending first,
 * some late after expiry or a sweep, their units taken back from stock or recorded missing
 * until a restock fills them),
 * expired, failed, refused by Stripe, rolled back, mismatched or still open. Every append
 * carries the exact expected revision.
 */
import type { DomainEvent, EventOf } from '../../server/domain/events';
import type { EventStore } from '../../server/eventstore/port';

export interface HistoryOptions {
  orders: number;
  seed?: number;
  ordersPerDay?: number;
  startAt?: string;
  /** Appends in flight at once (they are group-committed by the store). */
  pipeline?: number;
  onProgress?: (done: { orders: number; events: number }) => void;
}

export interface HistoryStats {
  orders: number;
  events: number;
  outcomes: Record<Outcome, number>;
}

type Outcome =
  | 'paid'
  | 'paid_after_pending'
  | 'expired'
  | 'payment_failed'
  | 'checkout_failed'
  | 'stock_unavailable'
  | 'rolled_back'
  | 'late_after_expiry'
  | 'late_after_sweep'
  | 'released_after_payment'
  | 'mismatched'
  | 'swept_unstarted'
  | 'open';

const OUTCOMES: [Outcome, number][] = [
  ['paid', 0.58],
  ['paid_after_pending', 0.08],
  ['expired', 0.13],
  ['payment_failed', 0.04],
  ['checkout_failed', 0.03],
  ['stock_unavailable', 0.01],
  ['rolled_back', 0.02],
  ['late_after_expiry', 0.02],
  ['late_after_sweep', 0.01],
  ['released_after_payment', 0.01],
  ['mismatched', 0.01],
  // The server stopped mid-checkout: no session, and the sweep expired the cart later.
  ['swept_unstarted', 0.01],
  ['open', 0.05],
];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Product {
  sku: string;
  name: string;
  unitAmount: number;
  currency: string;
  available: number;
  listed: boolean;
  /** Units late payments found missing, per order, in the order recorded: a restock fills them first. */
  shortfalls: Map<string, number>;
}

interface Step {
  time: number;
  seq: number;
  run: () => void;
}

/** Mulberry32: small, fast and good enough to make shoppers differ. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class MinHeap {
  private items: Step[] = [];
  get size() {
    return this.items.length;
  }
  peekTime(): number {
    return this.items[0]?.time ?? Number.POSITIVE_INFINITY;
  }
  push(step: Step) {
    const items = this.items;
    items.push(step);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): Step | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l]!, items[m]!)) m = l;
        if (r < items.length && before(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Step, b: Step) => a.time < b.time || (a.time === b.time && a.seq < b.seq);

export async function generateHistory(
  store: EventStore,
  options: HistoryOptions,
): Promise<HistoryStats> {
  const rand = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(rand() * 4)]!;
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const start = Date.parse(options.startAt ?? '2024-01-01T00:00:00Z');
  const gap = (24 * HOUR) / (options.ordersPerDay ?? 400);
  const pipeline = options.pipeline ?? 1_000;

  const revisions = new Map<string, bigint>();
  let inFlight: Promise<unknown>[] = [];
  let events = 0;
  let stripeCounter = 0;
  const iso = (time: number) => new Date(time).toISOString();

  const emit = async (stream: string, event: DomainEvent, correlationId: string) => {
    const revision = revisions.get(stream);
    revisions.set(stream, (revision ?? -1n) + 1n);
    inFlight.push(
      store.append(
        stream,
        [{ id: uuid(), type: event.type, data: event.data, metadata: { correlationId } }],
        {
          expectedRevision: revision ?? 'no_stream',
        },
      ),
    );
    events += 1;
    if (inFlight.length >= pipeline) {
      const batch = inFlight;
      inFlight = [];
      await Promise.all(batch);
    }
  };

  const products: Product[] = [];
  const pending: { stream: string; event: DomainEvent; correlationId: string }[] = [];
  const queue = (stream: string, event: DomainEvent, correlationId: string) =>
    pending.push({ stream, event, correlationId });
  const productEvent = (product: Product, event: DomainEvent) =>
    queue(`product-${product.sku}`, event, product.sku);

  for (let i = 0; i < 40; i++) {
    const product: Product = {
      sku: `sku-${String(i).padStart(3, '0')}`,
      name: `${pick(['Mug', 'Tee', 'Poster', 'Cap', 'Tote', 'Notebook'])} ${i}`,
      unitAmount: 500 + Math.floor(rand() * 95) * 100,
      currency: i % 4 === 3 ? 'usd' : 'eur',
      available: 0,
      listed: true,
      shortfalls: new Map(),
    };
    products.push(product);
    productEvent(product, {
      type: 'ProductListed',
      data: { ...productFacts(product), at: iso(start) },
    });
    restock(product, start);
  }

  function productFacts(p: Product) {
    return {
      sku: p.sku,
      name: p.name,
      description: `${p.name}, made with care`,
      image: `/img/${p.sku}.png`,
      unitAmount: p.unitAmount,
      currency: p.currency,
    };
  }
  function restock(product: Product, time: number) {
    const delta = 200 + Math.floor(rand() * 300);
    product.available += delta;
    productEvent(product, {
      type: 'StockAdjusted',
      data: { sku: product.sku, delta, reason: 'restock', at: iso(time) },
    });
    for (const [orderId, missing] of product.shortfalls) {
      const quantity = Math.min(missing, product.available);
      if (quantity === 0) break;
      product.available -= quantity;
      if (quantity === missing) product.shortfalls.delete(orderId);
      else product.shortfalls.set(orderId, missing - quantity);
      productEvent(product, {
        type: 'StockRetaken',
        data: { sku: product.sku, orderId, quantity, at: iso(time) },
      });
    }
  }

  const heap = new MinHeap();
  let seq = 0;
  const at = (time: number, run: () => void) => heap.push({ time, seq: seq++, run });
  const outcomes = Object.fromEntries(OUTCOMES.map(([o]) => [o, 0])) as Record<Outcome, number>;

  const chooseOutcome = (): Outcome => {
    let r = rand();
    for (const [outcome, p] of OUTCOMES) {
      r -= p;
      if (r < 0) return outcome;
    }
    return 'paid';
  };

  function startOrder(t0: number) {
    const currency = rand() < 0.75 ? 'eur' : 'usd';
    const choices = products.filter((p) => p.listed && p.currency === currency);
    const count = 1 + Math.floor(rand() * 3);
    const chosen = [...new Set(Array.from({ length: count }, () => pick(choices)))];
    const orderId = uuid();
    const stream = `order-${orderId}`;
    const lines = chosen.map((p) => {
      const quantity = 1 + Math.floor(rand() * 3);
      return {
        sku: p.sku,
        name: p.name,
        image: `/img/${p.sku}.png`,
        unitAmount: p.unitAmount,
        quantity,
        amount: p.unitAmount * quantity,
      };
    });
    const total = lines.reduce((sum, l) => sum + l.amount, 0);
    const outcome = chooseOutcome();
    outcomes[outcome] += 1;
    const sessionId = `cs_test_${orderId.replaceAll('-', '').slice(0, 24)}`;
    const order = (event: DomainEvent) => queue(stream, event, orderId);
    const stripeFacts = (time: number) => ({
      orderId,
      stripeEventId: `evt_${++stripeCounter}`,
      sessionId,
      at: iso(time),
    });
    const holds: { product: Product; quantity: number }[] = [];
    const release = (time: number, reason: EventOf<'StockReleased'>['data']['reason']) => {
      for (const { product, quantity } of holds.splice(0)) {
        product.available += quantity;
        productEvent(product, {
          type: 'StockReleased',
          data: { sku: product.sku, orderId, quantity, reason, at: iso(time) },
        });
      }
    };
    // A late payment's units come back from stock, those no longer there are recorded missing.
    const retake = (time: number) => {
      for (const { sku, quantity } of lines) {
        const product = products.find((p) => p.sku === sku)!;
        const taken = Math.min(quantity, product.available);
        product.available -= taken;
        const data = { sku, orderId, at: iso(time) };
        if (taken > 0)
          productEvent(product, { type: 'StockRetaken', data: { ...data, quantity: taken } });
        if (taken < quantity) {
          product.shortfalls.set(orderId, quantity - taken);
          productEvent(product, {
            type: 'StockShortfall',
            data: { ...data, missing: quantity - taken },
          });
          // Some shoppers would rather have their money back: the site owner refunds them
          // and settles the shortfall, unless a restock filled it first. Chosen by the order
          // id, not by `rand`, so the rest of the history is the same with or without it.
          if (orderId.endsWith('0') || orderId.endsWith('8'))
            at(time + 20 * MINUTE, () => settle(product, time + 20 * MINUTE));
        }
      }
    };
    const settle = (product: Product, time: number) => {
      const units = product.shortfalls.get(orderId);
      if (units === undefined) return;
      product.shortfalls.delete(orderId);
      productEvent(product, {
        type: 'ShortfallSettled',
        data: { sku: product.sku, orderId, units, reason: 'refunded', at: iso(time) },
      });
    };
    const paymentIntentId = `pi_${orderId.slice(0, 8)}`;
    const paid = (time: number, late?: boolean) => {
      order({
        type: 'PaymentCompleted',
        data: {
          ...stripeFacts(time),
          paymentIntentId,
          amount: total,
          currency,
          ...(late ? { late } : {}),
        },
      });
      // Some payments are refunded, a third of them a day and a half on (which seldom splits
      // evenly over the lines), the rest later on: chosen by the order id, so the rest of the
      // history is the same with or without them.
      if (orderId.endsWith('3')) {
        const part = Math.floor(total / 3) || total;
        at(time + 36 * HOUR, () => refund(time + 36 * HOUR, part, part));
        if (part < total) at(time + 60 * HOUR, () => refund(time + 60 * HOUR, total - part, total));
        // A few of those first refunds fail a day on: the bank could not take the money back.
        if (orderId.endsWith('13')) at(time + 60 * HOUR, () => refundFail(time + 60 * HOUR, part));
      }
      // Some are disputed by the shopper's bank a few days on, and lost or won weeks later
      // (chosen by the order id too; their event ids use no counter, for the same reason);
      // a few for more than the charge, as a bank's conversion makes them.
      if (orderId.endsWith('5')) {
        const disputed = orderId.endsWith('45') ? total + 101 : total;
        at(time + 100 * HOUR, () => dispute(time + 100 * HOUR, disputed));
        const outcome = Number.parseInt(orderId.at(-2)!, 16) % 2 === 0 ? 'lost' : 'won';
        at(time + 500 * HOUR, () => closeDispute(time + 500 * HOUR, outcome, disputed));
      }
    };
    const refundFail = (time: number, amount: number) =>
      order({
        type: 'RefundFailed',
        data: {
          orderId,
          stripeEventId: `evt_re_${orderId.slice(0, 8)}_failed`,
          paymentIntentId,
          chargeId: `ch_${orderId.slice(0, 8)}`,
          refundId: `re_${orderId.slice(0, 8)}_${amount}`,
          amount,
          refunded: 0,
          currency,
          at: iso(time + MINUTE),
          failedAt: iso(time),
        },
      });
    const disputeId = `dp_${orderId.slice(0, 8)}`;
    const dispute = (time: number, amount: number) =>
      order({
        type: 'PaymentDisputed',
        data: {
          orderId,
          stripeEventId: `evt_${disputeId}_created`,
          paymentIntentId,
          chargeId: `ch_${orderId.slice(0, 8)}`,
          disputeId,
          amount,
          currency,
          reason: 'fraudulent',
          inquiry: false,
          at: iso(time + MINUTE),
          disputedAt: iso(time),
        },
      });
    const closeDispute = (time: number, outcome: 'lost' | 'won', amount: number) =>
      order({
        type: 'DisputeClosed',
        data: {
          orderId,
          stripeEventId: `evt_${disputeId}_closed`,
          paymentIntentId,
          disputeId,
          outcome,
          lost: outcome === 'lost' ? amount : 0,
          closing: 1,
          currency,
          at: iso(time + MINUTE),
          closedAt: iso(time),
        },
      });
    const refund = (time: number, amount: number, refunded: number) =>
      order({
        type: 'PaymentRefunded',
        data: {
          orderId,
          stripeEventId: `evt_${++stripeCounter}`,
          paymentIntentId,
          chargeId: `ch_${orderId.slice(0, 8)}`,
          refundId: `re_${orderId.slice(0, 8)}_${refunded}`,
          amount,
          refunded,
          currency,
          at: iso(time + MINUTE),
          refundedAt: iso(time),
        },
      });
    const expire = (time: number) => {
      order({
        type: 'CheckoutExpired',
        data: { orderId, stripeEventId: `evt_${++stripeCounter}`, sessionId, at: iso(time) },
      });
      release(time, 'expired');
    };

    order({
      type: 'CartValidated',
      data: {
        orderId,
        checkoutId: uuid(),
        lines,
        currency,
        total,
        email: `shopper${Math.floor(rand() * 5000)}@example.com`,
        origin: 'https://shop.example',
        returnUrl: 'https://shop.example/cart',
        at: iso(t0),
      },
    });
    const toReserve =
      outcome === 'rolled_back' || outcome === 'stock_unavailable' ? lines.slice(0, -1) : lines;
    for (const line of toReserve) {
      const product = products.find((p) => p.sku === line.sku)!;
      if (product.available < line.quantity + 20) restock(product, t0);
      product.available -= line.quantity;
      holds.push({ product, quantity: line.quantity });
      productEvent(product, {
        type: 'StockReserved',
        data: {
          sku: product.sku,
          orderId,
          quantity: line.quantity,
          expiresAt: iso(t0 + 24 * HOUR),
          at: iso(t0),
        },
      });
    }
    if (outcome === 'rolled_back') return release(t0 + 50, 'rollback');
    if (outcome === 'swept_unstarted') {
      const swept = t0 + 36 * MINUTE;
      return at(swept, () => {
        order({
          type: 'CheckoutExpired',
          data: { orderId, stripeEventId: null, sessionId: '', at: iso(swept) },
        });
        release(swept, 'swept');
      });
    }
    if (outcome === 'stock_unavailable' || outcome === 'checkout_failed') {
      const reason = outcome === 'checkout_failed' ? 'stripe_unreachable' : 'stock_unavailable';
      order({
        type: 'CheckoutFailed',
        data: { orderId, reason, message: 'could not start the checkout', at: iso(t0 + 400) },
      });
      return release(t0 + 400, 'checkout_failed');
    }
    const t1 = t0 + 300 + Math.floor(rand() * 700);
    order({
      type: 'CheckoutStarted',
      data: {
        orderId,
        sessionId,
        url: `https://checkout.stripe.com/c/pay/${sessionId}`,
        expiresAt: iso(t1 + 24 * HOUR),
        amount: total,
        currency,
        at: iso(t1),
      },
    });
    const payAt = t1 + MINUTE + Math.floor(rand() * 10 * MINUTE);
    switch (outcome) {
      case 'paid':
        return at(payAt, () => paid(payAt));
      case 'paid_after_pending':
        return at(payAt, () => {
          order({
            type: 'PaymentPending',
            data: { ...stripeFacts(payAt), paymentStatus: 'unpaid' },
          });
          at(payAt + 2 * HOUR, () => paid(payAt + 2 * HOUR));
        });
      case 'expired':
        return at(t1 + 24 * HOUR, () => expire(t1 + 24 * HOUR));
      case 'payment_failed':
        return at(payAt, () => {
          order({
            type: 'PaymentPending',
            data: { ...stripeFacts(payAt), paymentStatus: 'unpaid' },
          });
          at(payAt + HOUR, () => {
            order({ type: 'PaymentFailed', data: stripeFacts(payAt + HOUR) });
            release(payAt + HOUR, 'payment_failed');
          });
        });
      case 'late_after_expiry':
        return at(t1 + 24 * HOUR, () => {
          expire(t1 + 24 * HOUR);
          at(t1 + 24 * HOUR + MINUTE, () => {
            paid(t1 + 24 * HOUR + MINUTE, true);
            retake(t1 + 24 * HOUR + MINUTE + 100);
          });
        });
      case 'late_after_sweep':
        return at(t1 + 30 * MINUTE, () => {
          release(t1 + 30 * MINUTE, 'swept');
          at(t1 + 31 * MINUTE, () => {
            // Meanwhile the first line's product was counted short and written off, so the
            // payment finds none of its units.
            const first = products.find((p) => p.sku === lines[0]!.sku)!;
            const delta = -first.available;
            first.available = 0;
            if (delta < 0)
              productEvent(first, {
                type: 'StockAdjusted',
                data: { sku: first.sku, delta, reason: 'stocktake', at: iso(t1 + 31 * MINUTE) },
              });
            paid(t1 + 31 * MINUTE, true);
            retake(t1 + 31 * MINUTE + 100);
          });
        });
      case 'released_after_payment':
        return at(payAt, () => {
          paid(payAt);
          at(payAt + 200, () => release(payAt + 200, 'swept'));
        });
      case 'mismatched':
        return at(payAt, () => {
          order({
            type: 'PaymentMismatched',
            data: {
              ...stripeFacts(payAt),
              expected: { amount: total, currency },
              received: { amount: total - 100, currency },
            },
          });
          at(t1 + 24 * HOUR, () => expire(t1 + 24 * HOUR));
        });
      case 'open':
        return;
      default: {
        const _exhaustive: never = outcome;
        return _exhaustive;
      }
    }
  }

  const flushPending = async () => {
    for (const { stream, event, correlationId } of pending.splice(0))
      await emit(stream, event, correlationId);
  };

  let nextOrderTime = start;
  for (let n = 0; n < options.orders; n++) {
    while (heap.peekTime() <= nextOrderTime) {
      heap.pop()!.run();
      await flushPending();
    }
    if (n > 0 && n % 2_000 === 0) {
      const product = pick(products);
      product.unitAmount += 100;
      productEvent(product, {
        type: 'ProductUpdated',
        data: { ...productFacts(product), at: iso(nextOrderTime) },
      });
    }
    if (n === Math.floor(options.orders * 0.7)) {
      const product = products[products.length - 1]!;
      product.listed = false;
      productEvent(product, {
        type: 'ProductDelisted',
        data: { sku: product.sku, at: iso(nextOrderTime) },
      });
    }
    startOrder(nextOrderTime);
    await flushPending();
    if (options.onProgress && n % 1_000 === 0) options.onProgress({ orders: n, events });
    nextOrderTime += Math.floor(gap * (0.2 + rand() * 1.6));
  }
  while (heap.size > 0) {
    heap.pop()!.run();
    await flushPending();
  }
  await Promise.all(inFlight);
  return { orders: options.orders, events, outcomes };
}
