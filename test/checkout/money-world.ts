/**
 * A model-based driver for the real server and its Stripe sandbox: a few carts on scarce
 * stock, checkouts started (fresh, repeated, replacing), payments by card or SEPA debit
 * whose settlement the test decides the moment of, cancels, expiries at Stripe, clocks
 * moved apart or together, the sweep, and every Stripe event delivered by hand: never,
 * once, several times at once, in any order. Then the books are checked against the events
 * and against Stripe.
 *
 * Webhooks are never sent by the sandbox itself (its webhook URL is unset): `deliver`
 * POSTs the recorded event, signed as Stripe signs it, and awaits the answer, so a run is a
 * plain sequence (but for the `together` step, which runs two steps at once on purpose).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { getOrderView } from '../../projections/queries';
import { productStream } from '../../server/domain/events';
import type { RecordedEvent } from '../../server/eventstore/port';
import { readOrder } from '../../server/orders';
import { ledgerOf } from '../faults/ledger';
import { checkpointPosition, headPosition } from '../faults/read-models';
import type { TestApp } from '../support/app';
import { catalogEntry, startTestApp } from '../support/app';
import { allEvents, orderEvents, RETURN_URL } from '../support/orders';
import { deliver } from '../support/webhooks';

/** Event types seen at the end of every run, over all runs: what the property reached. */
export const coverage = new Map<string, number>();

/** Longer than any run: a debit settles when a step says (`sandbox.settle`), or at the end. */
const SETTLE_MS = 24 * 60 * 60_000;

export const SCARCE = 'SCARCE';
export const OTHER = 'OTHER';
const STOCK: Record<string, number> = { [SCARCE]: 3, [OTHER]: 2 };

export type Method = 'card' | 'declined' | 'debit_ok' | 'debit_fail';

export type Step =
  | { kind: 'start'; cart: number; mode: 'repeat' | 'fresh' | 'replace' }
  | { kind: 'pay'; session: number; method: Method }
  | { kind: 'cancel'; order: number }
  | { kind: 'successPage'; order: number }
  | { kind: 'settle'; which: number }
  | { kind: 'deliver'; event: number; copies: number }
  /** Several distinct events at once (picked from the newest), as Stripe's retries overlap. */
  | { kind: 'deliverMany'; events: number[] }
  | { kind: 'tick'; minutes: number }
  | { kind: 'stripeAhead'; minutes: number }
  | { kind: 'serverAhead'; minutes: number }
  | { kind: 'sweep' }
  | { kind: 'restock'; sku: string }
  /** The next call(s) the server makes to Stripe fail this way (the sandbox's fault queue). */
  | { kind: 'fault'; fault: 'http500' | 'reset' | 'lost_response' | 'in_progress'; count: number }
  | { kind: 'together'; a: Step; b: Step };

export type CartSpec = readonly { sku: string; quantity: number }[];

const METHODS: Record<Method, Parameters<TestApp['sandbox']['pay']>[1]> = {
  card: { card: '4242 4242 4242 4242' },
  declined: { card: '4000 0000 0000 0002' },
  debit_ok: { iban: 'DE89370400440532013000' },
  debit_fail: { iban: 'DE62370400440532013001' },
};

interface Settlement {
  sessionId: string;
  succeeds: boolean;
  fired: boolean;
}

// ---- the world ----------------------------------------------------------------------

interface CartSlot {
  items: CartSpec;
  email: string;
  checkoutIds: string[];
  current: string | undefined;
}

export class World {
  t!: TestApp;
  serverAheadMs = 0;
  stripeAheadMs = 0;
  carts: CartSlot[] = [];
  /** Every order a start answered with, in order of first sight. */
  orders: string[] = [];
  /** Session ids handed out per order (a Stripe page or the return page naming it). */
  handedOut = new Map<string, Set<string>>();
  /** Sessions in order of first sight. */
  sessions: string[] = [];
  settlements: Settlement[] = [];
  /** (new order, the order it replaced) pairs whose start answered with a new order. */
  replacements: [string, string][] = [];
  notes: string[] = [];
  /** Odd answers that are findings in a sequential run (a 5xx to a webhook, a sweep failure). */
  oddities: string[] = [];
  concurrent = false;
  faultsAdded = 0;
  log: string[] = [];

  async start(carts: CartSpec[]): Promise<void> {
    this.carts = carts.map((items, i) => ({
      items,
      email: `cart${i}@example.com`,
      checkoutIds: [],
      current: undefined,
    }));
    this.t = await startTestApp({
      catalog: Object.entries(STOCK).map(([sku, stock]) => catalogEntry(sku, stock)),
      now: () => new Date(Date.now() + this.serverAheadMs),
      sandbox: { asyncDelayMs: SETTLE_MS },
    });
    // Nothing is sent on its own: every delivery is a step.
    this.t.sandbox.setWebhookUrl(undefined);
  }

  async close(): Promise<void> {
    await this.t?.close();
  }

  private pick<T>(list: T[], n: number, fromEnd = false): T | undefined {
    if (list.length === 0) return undefined;
    const i = n % list.length;
    return list[fromEnd ? list.length - 1 - i : i];
  }

  async run(step: Step): Promise<void> {
    this.log.push(JSON.stringify(step));
    switch (step.kind) {
      case 'start':
        return this.startCheckout(step.cart, step.mode);
      case 'pay':
        return this.pay(step.session, step.method);
      case 'cancel': {
        const orderId = this.pick(this.orders, step.order);
        if (!orderId) return;
        try {
          const r = await this.t.client.order.cancel.mutate({ orderId });
          this.log.push(`  cancel -> ${r.status}`);
        } catch (error) {
          this.log.push(`  cancel !! ${describe(error)}`);
        }
        await this.t.app.services.afterReply.settled();
        return;
      }
      case 'successPage': {
        const orderId = this.pick(this.orders, step.order);
        if (!orderId) return;
        const sessionId = [...(this.handedOut.get(orderId) ?? [])][0];
        try {
          const view = await this.t.client.order.get.query({
            orderId,
            ...(sessionId && { sessionId }),
          });
          this.log.push(`  order.get -> ${view.status}`);
        } catch (error) {
          this.log.push(`  order.get !! ${describe(error)}`);
        }
        return;
      }
      case 'settle': {
        const open = this.settlements.filter((s) => !s.fired);
        const s = this.pick(open, step.which);
        if (!s) return;
        s.fired = true;
        this.t.sandbox.settle(s.sessionId);
        this.log.push(`  settled ${s.sessionId} ${s.succeeds ? 'paid' : 'failed'}`);
        return;
      }
      case 'deliver': {
        const event = this.pick(this.t.sandbox.events(), step.event, true);
        if (!event) return;
        await this.deliverEvent(event, step.copies);
        return;
      }
      case 'deliverMany': {
        const all = this.t.sandbox.events();
        const chosen = [...new Set(step.events.map((n) => this.pick(all, n, true)!))].filter(
          Boolean,
        );
        if (chosen.length > 1) this.concurrent = true;
        await Promise.all(chosen.map((event) => this.deliverEvent(event, 1)));
        return;
      }
      case 'tick':
        this.serverAheadMs += step.minutes * 60_000;
        return this.moveStripe(step.minutes);
      case 'stripeAhead':
        return this.moveStripe(step.minutes);
      case 'serverAhead':
        this.serverAheadMs += step.minutes * 60_000;
        return;
      case 'sweep':
        return this.sweep();
      case 'restock':
        try {
          await this.t.admin.admin.adjustStock.mutate({
            sku: step.sku,
            delta: 1,
            reason: 'restock',
          });
        } catch (error) {
          this.log.push(`  restock !! ${describe(error)}`);
        }
        await this.t.app.services.afterReply.settled();
        return;
      case 'fault':
        this.t.sandbox.failNext(step.fault, step.count);
        this.faultsAdded += step.count;
        return;
      case 'together':
        this.concurrent = true;
        await Promise.all([this.run(step.a), this.run(step.b)]);
        return;
    }
  }

  async startCheckout(index: number, mode: 'repeat' | 'fresh' | 'replace'): Promise<void> {
    const cart = this.carts[index % this.carts.length]!;
    let checkoutId: string;
    let replaces: string[] | undefined;
    if (mode === 'repeat' && cart.current) checkoutId = cart.current;
    else {
      checkoutId = randomUUID();
      if (mode === 'replace' && cart.current) replaces = [cart.current];
      cart.current = checkoutId;
      cart.checkoutIds.push(checkoutId);
    }
    try {
      const r = await this.t.client.checkout.start.mutate({
        checkoutId,
        items: [...cart.items],
        email: cart.email,
        returnUrl: RETURN_URL,
        ...(replaces && { replaces }),
      });
      const url = new URL(r.checkoutUrl);
      const sessionId = url.href.startsWith(this.t.sandbox.url)
        ? url.pathname.split('/').pop()!
        : url.searchParams.get('stripe_cart_session');
      this.log.push(`  start -> ${r.orderId.slice(0, 8)} ${sessionId ?? r.checkoutUrl}`);
      if (!this.orders.includes(r.orderId)) this.orders.push(r.orderId);
      const handed = this.handedOut.get(r.orderId) ?? new Set<string>();
      this.handedOut.set(r.orderId, handed);
      if (sessionId) {
        handed.add(sessionId);
        if (!this.sessions.includes(sessionId)) this.sessions.push(sessionId);
      }
      if (replaces) {
        const { orderIdFor } = await import('../../server/domain/ids');
        const replaced = orderIdFor(replaces[0]!);
        if (r.orderId !== replaced) this.replacements.push([r.orderId, replaced]);
      }
    } catch (error) {
      this.log.push(`  start !! ${describe(error)}`);
      // An order may exist all the same (a failed checkout): the invariants look at it too.
      const { orderIdFor } = await import('../../server/domain/ids');
      const orderId = orderIdFor(checkoutId);
      if (
        !this.orders.includes(orderId) &&
        (await orderEvents(this.t.app.services.store, orderId)).length > 0
      )
        this.orders.push(orderId);
    }
    await this.t.app.services.afterReply.settled();
  }

  async pay(index: number, method: Method): Promise<void> {
    // Mostly a page still open (a shopper pays where they can); now and then any page at all.
    const open = this.sessions.filter((id) => this.t.sandbox.session(id)?.status === 'open');
    const sessionId =
      open.length > 0 && index % 4 !== 3
        ? this.pick(open, index, true)
        : this.pick(this.sessions, index, true);
    if (!sessionId) return;
    let result: unknown;
    try {
      result = await this.t.sandbox.pay(sessionId, METHODS[method]);
    } catch (error) {
      result = describe(error);
    }
    this.log.push(`  pay ${sessionId} ${method} -> ${JSON.stringify(result)}`);
    // A debit the page took settles later: when a step says, or at the end.
    const debit = method === 'debit_ok' || method === 'debit_fail';
    if (debit && typeof result === 'object' && result !== null && 'redirectUrl' in result)
      this.settlements.push({ sessionId, succeeds: method === 'debit_ok', fired: false });
  }

  async deliverEvent(event: { id: string; type: string }, copies = 1): Promise<void> {
    const payload = JSON.stringify(event, null, 2);
    const responses = await Promise.all(
      Array.from({ length: copies }, () => deliver(this.t, this.t.url, payload)),
    );
    const statuses = await Promise.all(
      responses.map(async (r) => `${r.status}${r.status === 200 ? '' : ` ${await r.text()}`}`),
    );
    this.log.push(`  deliver ${event.type} ${event.id} x${copies} -> ${statuses.join(',')}`);
    for (const s of statuses) {
      if (!s.startsWith('200')) this.oddities.push(`webhook ${event.type} ${event.id}: ${s}`);
    }
    await this.t.app.services.afterReply.settled();
  }

  async moveStripe(minutes: number): Promise<void> {
    this.stripeAheadMs += minutes * 60_000;
    this.t.sandbox.advanceClock(minutes * 60_000);
    // Sessions now past expires_at expire on a zero-delay timer: wait for them.
    await expect
      .poll(
        () =>
          this.t.sandbox
            .sessions()
            .filter((s) => s.status === 'open' && s.expires_at * 1000 <= this.stripeNow()),
        { timeout: 20_000 },
      )
      .toEqual([]);
  }

  stripeNow(): number {
    return Date.now() + this.stripeAheadMs;
  }

  async caughtUp(): Promise<void> {
    await expect
      .poll(() => checkpointPosition(this.t.dataDir) === headPosition(this.t.dataDir), {
        timeout: 30_000,
      })
      .toBe(true);
  }

  async sweep(): Promise<void> {
    await this.caughtUp();
    const result = await this.t.app.sweep();
    const short = (ids: string[]) => ids.map((id) => id.slice(0, 8));
    this.log.push(
      `  sweep -> swept ${short(result.swept)} paid ${short(result.paid)} released ${short(result.released)} retaken ${short(result.retaken)} deferred ${short(result.deferred)} failed ${result.failed.length}`,
    );
    for (const f of result.failed)
      this.oddities.push(`sweep failed ${f.orderId}: ${describe(f.error)}`);
    await this.t.app.services.afterReply.settled();
  }

  /**
   * The end of the story: Stripe's clock catches up with ours if behind (the sweep leaves a
   * session open while Stripe's clock says it is not due), both move on two hours (every open
   * session expires at Stripe), the sweep runs with no webhook delivered (they may be lost for
   * good), and the books are checked; then every debit still settling settles, every event
   * Stripe ever sent is delivered once more in `order`, the sweep runs, and the books must
   * also show every payment Stripe took.
   */
  async finish(shuffle: number): Promise<void> {
    // Faults still queued would only make the final sweep ask again: used up on a dummy call.
    for (let i = 0; i < this.faultsAdded; i++) {
      await this.t.app.services.stripe.retrieveCheckoutSession('cs_test_drain').catch(() => {});
    }
    this.log.push('-- final: webhooks lost, clocks level then +2h, sweep');
    const stripeBehindMs = this.serverAheadMs - this.stripeAheadMs;
    if (stripeBehindMs > 0)
      await this.run({ kind: 'stripeAhead', minutes: stripeBehindMs / 60_000 });
    await this.run({ kind: 'tick', minutes: 120 });
    await this.sweep();
    await this.run({ kind: 'tick', minutes: 10 });
    await this.sweep();
    await this.check('lost');
    this.log.push('-- final: debits settle, every event delivered, sweep');
    for (const s of this.settlements.filter((s) => !s.fired)) {
      s.fired = true;
      this.t.sandbox.settle(s.sessionId);
    }
    const events = shuffled(this.t.sandbox.events(), shuffle);
    for (const event of events) await this.deliverEvent(event, 1);
    await this.run({ kind: 'tick', minutes: 10 });
    await this.sweep();
    await this.check('delivered');
  }

  /** The invariants. Throws with the whole story and the events of the orders involved. */
  async check(phase: 'lost' | 'delivered'): Promise<void> {
    await this.caughtUp();
    const { store, readModels } = this.t.app.services;
    const events = await allEvents(store);
    const ledger = ledgerOf(events);
    if (phase === 'delivered') {
      for (const e of events) {
        const late = (e.data as { late?: boolean }).late ? '(late)' : '';
        coverage.set(e.type + late, (coverage.get(e.type + late) ?? 0) + 1);
      }
      if (this.concurrent)
        coverage.set(
          'runs with concurrent steps',
          (coverage.get('runs with concurrent steps') ?? 0) + 1,
        );
      coverage.set('runs', (coverage.get('runs') ?? 0) + 1);
    }
    const problems: string[] = [];
    const orderIds = new Set<string>([...this.orders, ...ledger.carts.keys()]);

    // Sessions per order, from the order streams.
    const sessionOrder = new Map<string, string>();
    for (const e of events) {
      if (e.type === 'CheckoutStarted') {
        const d = e.data as { orderId: string; sessionId: string };
        sessionOrder.set(d.sessionId, d.orderId);
      }
    }
    const statusOf = new Map<string, string>();
    for (const orderId of orderIds) {
      const snapshot = await readOrder(store, orderId);
      const status = snapshot?.view.status ?? 'none';
      statusOf.set(orderId, status);
      const stream = events.filter((e) => e.streamId === `order-${orderId}`);
      const completed = stream.filter((e) => e.type === 'PaymentCompleted');
      if (completed.length > 1)
        problems.push(`order ${orderId} has ${completed.length} PaymentCompleted`);
      const started = new Set(
        stream
          .filter((e) => e.type === 'CheckoutStarted')
          .map((e) => (e.data as { sessionId: string }).sessionId),
      );
      if (started.size > 1) problems.push(`order ${orderId} started ${started.size} sessions`);
      const handed = this.handedOut.get(orderId) ?? new Set();
      if (handed.size > 1) problems.push(`order ${orderId} handed out ${handed.size} sessions`);
      for (const c of completed) {
        const d = c.data as { sessionId: string; amount: number; currency: string };
        const session = this.t.sandbox.session(d.sessionId);
        if (session?.payment_status !== 'paid')
          problems.push(
            `order ${orderId} PaymentCompleted but Stripe says ${session?.status}/${session?.payment_status}`,
          );
        else if (session.amount_total !== d.amount || session.currency !== d.currency)
          problems.push(
            `order ${orderId} PaymentCompleted for ${d.amount} ${d.currency}, Stripe took ${session.amount_total} ${session.currency}`,
          );
      }
      if ((status === 'paid') !== (completed.length === 1))
        problems.push(`order ${orderId} shows ${status} with ${completed.length} PaymentCompleted`);
      // The read model agrees with the stream.
      const projected = getOrderView(readModels.db, orderId);
      if (snapshot && projected?.status !== status)
        problems.push(`order ${orderId}: stream says ${status}, read model ${projected?.status}`);
      // Ended unpaid: holds nothing (the final sweep ran). Paid: holds its lines, less what is missing.
      for (const line of ledger.carts.get(orderId) ?? []) {
        const held = ledger.holds.get(line.sku)?.get(orderId) ?? 0;
        if (status === 'paid') {
          const missing = shortfallOf(events, line.sku, orderId);
          if (held + missing !== line.quantity)
            problems.push(
              `paid order ${orderId} holds ${held} of ${line.sku} (+${missing} missing), bought ${line.quantity}`,
            );
        } else if (!['validated', 'checkout_started', 'pending'].includes(status) && held > 0) {
          problems.push(`${status} order ${orderId} still holds ${held} of ${line.sku}`);
        } else if (status !== 'pending' && held > 0) {
          // validated / checkout_started after the clocks moved two hours: the sweep should have ended it.
          problems.push(
            `${status} order ${orderId} still open (holds ${held} of ${line.sku}) after the final sweep`,
          );
        }
      }
    }
    // Every session Stripe says is paid has exactly one PaymentCompleted (once all is delivered).
    if (phase === 'delivered') {
      for (const session of this.t.sandbox.sessions()) {
        const orderId = sessionOrder.get(session.id) ?? session.metadata?.orderId;
        const n = ledger.paymentsBySession.get(session.id) ?? 0;
        if (session.payment_status === 'paid' && n !== 1)
          problems.push(
            `Stripe session ${session.id} (order ${orderId}, ${orderId && statusOf.get(orderId)}) is paid, ${n} PaymentCompleted`,
          );
      }
      for (const s of this.settlements) {
        const orderId = sessionOrder.get(s.sessionId);
        if (orderId && statusOf.get(orderId) === 'pending')
          problems.push(
            `order ${orderId} still pending after its debit ${s.succeeds ? 'succeeded' : 'failed'} and every event was delivered`,
          );
      }
      if (!this.concurrent) {
        for (const [next, replaced] of this.replacements) {
          if (statusOf.get(next) === 'paid' && statusOf.get(replaced) === 'paid')
            problems.push(`order ${next} replaced ${replaced}, and both are paid`);
        }
      }
    }
    for (const [sessionId, n] of ledger.paymentsBySession)
      if (n > 1) problems.push(`session ${sessionId} has ${n} PaymentCompleted`);
    // Stock: no oversell; catalog and analytics agree with the product streams.
    for (const o of ledger.oversold) problems.push(`oversold ${JSON.stringify(o)}`);
    const listed = await this.t.client.catalog.list.query();
    const stockRows = (await this.t.admin.analytics.stock.query()).products;
    for (const sku of Object.keys(STOCK)) {
      const onHand = ledger.onHand.get(sku) ?? 0;
      const holds = ledger.holds.get(sku) ?? new Map<string, number>();
      let sold = 0;
      let reserved = 0;
      for (const [orderId, units] of holds) {
        if (ledger.payments.has(orderId)) sold += units;
        else reserved += units;
      }
      if (sold + reserved > onHand)
        problems.push(`${sku}: ${sold} sold + ${reserved} held > ${onHand} on hand`);
      const available = Math.max(0, onHand - sold - reserved);
      const shown = listed.find((p) => p.sku === sku)?.available;
      if (shown !== available)
        problems.push(`${sku}: catalog.list says ${shown} available, events ${available}`);
      const row = stockRows.find((p) => p.sku === sku);
      const want = { onHand, reserved, sold, available };
      const got = row && {
        onHand: row.onHand,
        reserved: row.reserved,
        sold: row.sold,
        available: row.available,
      };
      if (JSON.stringify(got) !== JSON.stringify(want))
        problems.push(
          `${sku}: analytics stock ${JSON.stringify(got)}, events ${JSON.stringify(want)}`,
        );
    }
    if (!this.concurrent) problems.push(...this.oddities);
    if (problems.length > 0) {
      const involved = [...orderIds].filter((id) => problems.some((p) => p.includes(id)));
      const dump = involved.map((id) => `order ${id}:\n${storyOf(events, id)}`).join('\n');
      throw new Error(
        `${phase}: ${problems.join('\n')}\n\nsteps:\n${this.log.join('\n')}\n\nevents:\n${dump}`,
      );
    }
  }
}

function shortfallOf(events: RecordedEvent[], sku: string, orderId: string): number {
  let missing = 0;
  for (const e of events) {
    if (e.streamId !== productStream(sku)) continue;
    const d = e.data as { orderId?: string; missing?: number; quantity?: number; units?: number };
    if (d.orderId !== orderId) continue;
    if (e.type === 'StockShortfall') missing += d.missing ?? 0;
    // A StockRetaken after a shortfall fills it; the first re-take (before any shortfall) does not.
    if (e.type === 'StockRetaken' && missing > 0) missing -= Math.min(missing, d.quantity ?? 0);
    if (e.type === 'ShortfallSettled') missing -= d.units ?? 0;
  }
  return missing;
}

/** One order's events, and the product events about it, in store order. */
export function storyOf(events: RecordedEvent[], orderId: string): string {
  return events
    .filter(
      (e) =>
        e.streamId === `order-${orderId}` ||
        (e.streamId.startsWith('product-') && (e.data as { orderId?: string }).orderId === orderId),
    )
    .map((e) => {
      const d = e.data as Record<string, unknown>;
      const bits = ['sessionId', 'quantity', 'missing', 'reason', 'late', 'stripeEventId']
        .filter((k) => d[k] !== undefined)
        .map((k) => `${k}=${d[k]}`);
      const m = e.metadata as { causationId?: string };
      return `  ${e.position} ${e.streamId.split('-')[0]} ${e.type} ${bits.join(' ')} (cause ${m?.causationId})`;
    })
    .join('\n');
}

function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: string; data?: { code?: string } };
    return `${e.data?.code ?? ''} ${e.message ?? ''}`.trim();
  }
  return String(error);
}
