/**
 * `checkout.start`, step by step as in the design: price from the catalog, append
 * CartValidated (once per checkoutId), reserve stock on each product stream, create the
 * Stripe session (idempotency key from the order), append CheckoutStarted. Every step
 * is idempotent, so a double click or a retry after a crash resumes where the first
 * attempt stopped and returns the same order and checkout URL; once the order has failed
 * or ended, a retry is told to start a new checkout (CheckoutClosedError).
 */
import { RETURN_PARAMS } from '../../widget/state/return';
import { imageUrl } from '../catalog/image-url';
import { type ProductCommand, type ProductState, wouldLeave } from '../catalog/product';
import type { Products } from '../catalog/products';
import type { Handled, Loaded } from '../command-handler';
import { handleCommand, loadStream } from '../command-handler';
import { DomainError } from '../domain/decider';
import type { EventOf, OrderEvent } from '../domain/events';
import { orderStream } from '../domain/events';
import { deterministicId, orderIdFor } from '../domain/ids';
import type { EventStore } from '../eventstore/port';
import type { StripeGateway } from '../payments/stripe-gateway';
import {
  StripeBusyError,
  StripeRefusedError,
  StripeUnavailableError,
} from '../payments/stripe-gateway';
import { endOpenCheckout } from './end-checkout';
import { type HoldGuard, HoldLimitError } from './hold-guard';
import type { OrderState } from './order';
import { orderDecider, releaseReasonOf, releasesStock } from './order';
import { releaseEndedOrderStock, releaseOrderStock } from './order-stock';
import type { CartItem, LineProblem, Problem } from './pricing';
import { priceCart } from './pricing';

export interface StartCheckoutInput {
  checkoutId: string;
  items: CartItem[];
  email: string;
  returnUrl: string;
  locale?: string | undefined;
  /** The caller's address, for the per-client cap on held units. */
  client: string;
  /**
   * The checkoutIds of the cart's previous Pay (and of those it was to replace, when it got
   * no answer), sent when the cart has changed since (in another tab, say, while that Pay's
   * Stripe page is still open): their orders are ended first so that nobody can pay both.
   */
  replaces?: string[] | undefined;
}

export interface StartedCheckout {
  orderId: string;
  checkoutUrl: string;
}

/** The cart cannot be sold as it is; `problems` says what to fix, line by line (or the whole cart). */
export class CheckoutRefusedError extends Error {
  override readonly name = 'CheckoutRefusedError';
  constructor(readonly problems: Problem[]) {
    const named = problems.map((p) => ('sku' in p ? `${p.sku} ${p.code}` : p.code));
    super(`The cart cannot be checked out: ${named.join(', ')}`);
  }
}

/** This checkoutId's order has ended (failed or paid); the widget must start a new one. */
export class CheckoutClosedError extends Error {
  override readonly name = 'CheckoutClosedError';
}

/**
 * This checkoutId already names an order for another cart or shopper: answering with that
 * order would have the shopper pay for a cart they did not send.
 */
export class CheckoutReusedError extends Error {
  override readonly name = 'CheckoutReusedError';
}

/**
 * The checkout cannot go on just now, and nothing was changed: another request for this
 * checkoutId is creating its Stripe session (asking again shortly returns it), or Stripe
 * could not say whether an earlier session of this cart was paid.
 */
export class CheckoutBusyError extends Error {
  override readonly name = 'CheckoutBusyError';
}

/** Stripe refused or could not be reached; the order is marked failed and its stock released. */
export class CheckoutUnavailableError extends Error {
  override readonly name = 'CheckoutUnavailableError';
  constructor(
    message: string,
    readonly reason: 'stripe_refused' | 'stripe_unreachable',
    /** Stripe's own words, for the site owner's log (never shown to shoppers). */
    readonly detail: string,
  ) {
    super(message);
  }
}

export interface CheckoutDeps {
  store: EventStore;
  products: Products;
  stripe: StripeGateway;
  now: () => Date;
  /** Base URL for product images sent to Stripe. */
  publicUrl: string;
  /** The per-shopper and per-client caps on units held in unpaid checkouts. */
  holds: HoldGuard;
  log?: { warn: (details: object, message: string) => void };
}

/** Stripe requires 30 minutes at least; one more minute lets a resumed request still qualify. */
export const SESSION_LIFETIME_MS = 31 * 60_000;

type Cart = EventOf<'CartValidated'>['data'];

export async function startCheckout(
  deps: CheckoutDeps,
  input: StartCheckoutInput,
): Promise<StartedCheckout> {
  const orderId = orderIdFor(input.checkoutId);
  const stream = orderStream(orderId);
  let order = await loadStream(deps.store, stream, orderDecider);
  const ended: string[] = [];
  if (order.state.status === 'new' && input.replaces) {
    const replaced = [...new Set(input.replaces)]
      .filter((id) => id !== input.checkoutId)
      .map(orderIdFor);
    await refuseBeforeEnding(deps, input.items, replaced);
    for (const replacedId of replaced) {
      const previous = await endReplaced(deps, replacedId, orderId);
      if (previous === 'ended') ended.push(replacedId);
      else if (previous) return previous;
    }
  }
  if (order.state.status === 'new') {
    const units = input.items.reduce((sum, item) => sum + item.quantity, 0);
    const loaded = order;
    const holder = { email: input.email, client: input.client, orderId, ended };
    try {
      order = await deps.holds.within(holder, units, async () => {
        const validated = await validateCart(deps, loaded, orderId, input);
        return {
          value: validated,
          ...(validated.position !== undefined && { position: validated.position }),
        };
      });
    } catch (error) {
      // A double click: the other request validated this very order, whose units the cap
      // then counted against this one.
      if (!(error instanceof HoldLimitError)) throw error;
      order = await loadStream(deps.store, stream, orderDecider);
      if (order.state.status === 'new') throw error;
    }
  }
  if (order.state.cart && !sameCart(order.state.cart, input)) {
    throw new CheckoutReusedError(
      'This checkoutId was already used for another cart or email; send a new checkoutId for each cart',
    );
  }

  const { checkout } = order.state;
  if (
    order.state.status === 'checkout_started' &&
    checkout &&
    Date.parse(checkout.expiresAt) <= deps.now().getTime()
  ) {
    // Its session has expired at Stripe, whose webhook has not come (yet): ended now, as the
    // sweep would later, rather than handing out a page nobody can pay on.
    await endOrAskAgain(deps, orderId, 'swept', input.checkoutId);
    order = await loadStream(deps.store, stream, orderDecider);
  }

  const started = startedOf(orderId, order.state);
  if (started) return started;
  const { cart, status } = order.state;
  if (status !== 'validated' || !cart) throw closed(order.state);
  return (await reserveStock(deps, cart)) ?? createSession(deps, order, cart);
}

/**
 * Refuses a changed cart the catalog cannot sell before its previous Pay's page is ended, so
 * the shopper keeps a page they can still pay on. The catalog is
 * priced as the previous orders' releases would leave it: their units free, less what they
 * hand to late payments short of them. A previous order paid (or paying) meanwhile is let through: the answer is
 * then that order, whose units leave the cart.
 */
async function refuseBeforeEnding(
  deps: CheckoutDeps,
  items: CartItem[],
  replaced: string[],
): Promise<void> {
  const states = await deps.products.states(items.map((item) => item.sku));
  const at = deps.now().toISOString();
  const freed = new Map<string, ProductState>();
  for (const [sku, state] of states) {
    const releases = replaced.map(
      (orderId): ProductCommand => ({
        type: 'ReleaseStock',
        sku,
        orderId,
        reason: 'cancelled',
        at,
        fillShortfalls: true,
      }),
    );
    freed.set(sku, wouldLeave(state, releases));
  }
  const priced = priceCart(items, freed);
  if (priced.ok) return;
  for (const id of replaced) {
    const { state } = await loadStream(deps.store, orderStream(id), orderDecider);
    if (state.status === 'paid' || state.status === 'pending') return;
  }
  throw new CheckoutRefusedError(priced.problems);
}

/**
 * Ends the order of the cart's previous Pay, if it can still be paid: its Stripe page open,
 * or its request still on the way to Stripe (which then abandons the session it gets). Paid
 * (or paying) already, that order is the answer: the shopper is shown what they paid for,
 * whose units then leave the cart, and pays for the rest anew. `ended` when it has given
 * its units back (or is giving them), for the caps on held units to leave out.
 */
async function endReplaced(
  deps: CheckoutDeps,
  orderId: string,
  causationId: string,
): Promise<StartedCheckout | 'ended' | undefined> {
  await endOrAskAgain(deps, orderId, 'cancelled', causationId, false);
  const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider);
  if (state.status === 'paid' || state.status === 'pending') return startedOf(orderId, state);
  return releasesStock(state.status) ? 'ended' : undefined;
}

/** Ends an open checkout; refuses, changing nothing, when Stripe cannot say whether it was paid. */
async function endOrAskAgain(
  deps: CheckoutDeps,
  orderId: string,
  reason: 'swept' | 'cancelled',
  causationId: string,
  onlyStarted = true,
): Promise<void> {
  const ended = await endOpenCheckout(deps, orderId, { reason, causationId, onlyStarted });
  if (ended === 'ask again') {
    throw new CheckoutBusyError(
      'The payment provider could not say whether an earlier checkout of this cart was paid. Please try again in a moment.',
    );
  }
}

/** Whether the request asks for the cart this checkoutId's order was validated with. */
function sameCart(cart: Cart, input: StartCheckoutInput): boolean {
  const wanted = new Map(input.items.map((item) => [item.sku, item.quantity]));
  return (
    cart.email === input.email &&
    cart.lines.length === wanted.size &&
    cart.lines.every((line) => wanted.get(line.sku) === line.quantity)
  );
}

async function validateCart(
  deps: CheckoutDeps,
  loaded: Loaded<OrderState>,
  orderId: string,
  input: StartCheckoutInput,
): Promise<Loaded<OrderState> & { position?: bigint }> {
  const priced = priceCart(input.items, await deps.products.states(input.items.map((i) => i.sku)));
  if (!priced.ok) throw new CheckoutRefusedError(priced.problems);
  const { currency, total } = priced;
  const cart: Cart = {
    orderId,
    checkoutId: input.checkoutId,
    // Absolute, as the order's view shows it on any origin; and fixed with the cart, so every
    // server resuming this checkout sends Stripe the same parameters under its idempotency key.
    lines: priced.lines.map((line) => ({
      ...line,
      image: imageUrl(line.image, deps.publicUrl) ?? '',
    })),
    currency,
    total,
    email: input.email,
    origin: new URL(input.returnUrl).origin,
    returnUrl: input.returnUrl,
    ...(input.locale && { locale: input.locale }),
    at: deps.now().toISOString(),
  };
  const stream = orderStream(orderId);
  try {
    return await handleCommand(
      deps.store,
      stream,
      orderDecider,
      { type: 'ValidateCart', cart },
      { metadata: { correlationId: orderId, causationId: input.checkoutId }, loaded },
    );
  } catch (error) {
    // A concurrent request with the same checkoutId validated it first: carry on with its cart.
    if (error instanceof DomainError && error.code === 'order_exists') {
      return loadStream(deps.store, stream, orderDecider);
    }
    throw error;
  }
}

/** Holds the cart's units; if they ran out, answers with another request's checkout when one got further. */
async function reserveStock(deps: CheckoutDeps, cart: Cart): Promise<StartedCheckout | undefined> {
  const at = deps.now().toISOString();
  const expiresAt = new Date(Date.parse(cart.at) + SESSION_LIFETIME_MS).toISOString();
  const metadata = { correlationId: cart.orderId, causationId: cart.orderId };
  // Each line is its own product stream, so they can all be appended in one group commit.
  const outcomes = await Promise.allSettled(
    cart.lines.map(({ sku, quantity }) =>
      deps.products.execute(
        { type: 'ReserveStock', sku, orderId: cart.orderId, quantity, expiresAt, at },
        metadata,
      ),
    ),
  );
  const problems: LineProblem[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return;
    if (!(outcome.reason instanceof DomainError)) throw outcome.reason;
    const { sku, quantity } = cart.lines[i]!;
    problems.push(toProblem(sku, quantity, outcome.reason));
  });
  if (problems.length === 0) return undefined;
  // Someone bought the stock between pricing and reserving.
  const failed = await failCheckout(
    deps,
    cart,
    'stock_unavailable',
    'Stock ran out while reserving',
  );
  if (failed.events.length > 0) {
    // Ended here, never paid (it had no session): what it took may go straight to late
    // payments short of it.
    await releaseOrderStock(
      deps.products,
      cart,
      'rollback',
      at,
      { causationId: cart.orderId },
      true,
    );
    throw new CheckoutRefusedError(problems);
  }
  // The same units are the holds of a concurrent request for this checkoutId that got further.
  const started = await afterOtherRequest(deps, cart, failed.state);
  if (started) return started;
  throw new CheckoutRefusedError(problems);
}

/**
 * This request failed, but its CheckoutFailed found the order moved on by a concurrent
 * request for the same checkoutId: a started or paid order is that request's to answer with
 * (a paid one keeps every unit it holds: they are sold); one that has ended gives back what
 * this request may have reserved after its release.
 */
async function afterOtherRequest(
  deps: CheckoutDeps,
  cart: Cart,
  state: OrderState,
): Promise<StartedCheckout | undefined> {
  const started = startedOf(cart.orderId, state);
  if (started) return started;
  await releaseIfEnded(deps, cart, state);
  return undefined;
}

function toProblem(sku: string, requested: number, error: DomainError): LineProblem {
  const available = (error.details as { available?: number } | undefined)?.available ?? 0;
  switch (error.code) {
    case 'insufficient_stock':
      return { sku, code: 'insufficient_stock', available, requested };
    case 'sold_out':
    case 'delisted':
    case 'unknown_sku':
      return { sku, code: error.code };
    default:
      throw error;
  }
}

async function createSession(
  deps: CheckoutDeps,
  loaded: Loaded<OrderState>,
  cart: Cart,
): Promise<StartedCheckout> {
  const { orderId } = cart;
  let session: Awaited<ReturnType<StripeGateway['createCheckoutSession']>>;
  try {
    session = await deps.stripe.createCheckoutSession({
      orderId,
      lines: cart.lines,
      currency: cart.currency,
      email: cart.email,
      successUrl: returnUrlWith(
        cart.returnUrl,
        { stripe_cart: 'success', stripe_cart_order: orderId },
        true,
      ),
      cancelUrl: returnUrlWith(cart.returnUrl, {
        stripe_cart: 'cancel',
        stripe_cart_order: orderId,
      }),
      expiresAt: new Date(Date.parse(cart.at) + SESSION_LIFETIME_MS),
      // The cart's, not this request's: a resumed checkout must send Stripe the same
      // parameters under the same idempotency key, or Stripe refuses it.
      locale: cart.locale,
      imageBase: deps.publicUrl,
    });
  } catch (error) {
    if (error instanceof StripeBusyError) {
      const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider);
      const started = startedOf(orderId, state);
      if (started) return started;
      // The other request's checkout failed meanwhile, and gave back stock this one then took again.
      if (await releaseIfEnded(deps, cart, state)) throw closed(state);
      throw new CheckoutBusyError(
        'This checkout is being started by another request. Please try again in a moment.',
      );
    }
    if (!(error instanceof StripeRefusedError || error instanceof StripeUnavailableError))
      throw error;
    const reason = error instanceof StripeRefusedError ? 'stripe_refused' : 'stripe_unreachable';
    // Resumed long after its first request stopped short of Stripe (a crash): the session's
    // expiry, fixed with the cart, is now too near for Stripe (a session Stripe had made would
    // have been replayed instead). Nothing is wrong with Stripe; the checkout is over.
    const stale = error instanceof StripeRefusedError && error.param === 'expires_at';
    const failed = await failCheckout(deps, cart, reason, error.message);
    if (failed.events.length > 0) {
      const at = deps.now().toISOString();
      await releaseEndedOrderStock(deps.store, deps.products, cart, 'checkout_failed', at, {
        causationId: orderId,
      });
    } else {
      const started = await afterOtherRequest(deps, cart, failed.state);
      if (started) return started;
    }
    if (stale) {
      throw new CheckoutClosedError(
        'This checkout was left unfinished too long to resume; please start a new one',
      );
    }
    throw new CheckoutUnavailableError(
      reason === 'stripe_refused'
        ? 'The payment provider refused this checkout. Please try again later.'
        : 'The payment provider could not be reached. Please try again in a moment.',
      reason,
      error.message,
    );
  }
  let handled: Handled<OrderState, OrderEvent>;
  try {
    handled = await handleCommand(
      deps.store,
      orderStream(orderId),
      orderDecider,
      { type: 'StartCheckout', session, at: deps.now().toISOString() },
      {
        metadata: { correlationId: orderId, causationId: session.id },
        eventId: () => deterministicId(orderId, 'CheckoutStarted', session.id),
        loaded,
      },
    );
  } catch (error) {
    // A concurrent request for this checkoutId failed the order while Stripe answered us.
    if (error instanceof DomainError && error.code === 'checkout_closed') {
      await abandonSession(deps, cart, session.id);
      throw new CheckoutClosedError(error.message);
    }
    throw error;
  }
  // Stripe gave the session another request had started, and the order has moved on since:
  // the store takes our CheckoutStarted as that request's, already made, so only the events
  // after it tell. Ended (a cancel): nobody may pay there, and this request's units are given
  // back. Paid or paying on that request's page: the answer is the order, as for a repeat.
  const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider, handled);
  if (await releaseIfEnded(deps, cart, state)) throw closed(state);
  return startedOf(orderId, state) ?? { orderId, checkoutUrl: session.url ?? '' };
}

/**
 * Our session came too late for an order that ended meanwhile: nobody will get its URL, so
 * it is expired at Stripe, and the units this request reserved (possibly after the ending
 * request had given the order's stock back) are released.
 */
async function abandonSession(deps: CheckoutDeps, cart: Cart, sessionId: string): Promise<void> {
  const { orderId } = cart;
  const { state } = await loadStream(deps.store, orderStream(orderId), orderDecider);
  await releaseIfEnded(deps, cart, state);
  if (state.checkout?.sessionId === sessionId) return;
  try {
    await deps.stripe.expireCheckoutSession(sessionId);
  } catch (error) {
    // Only tidiness: a session whose URL nobody has expires on its own.
    deps.log?.warn({ err: error, orderId }, 'could not expire an abandoned session');
  }
}

/**
 * Gives back the units of an order that has ended: a request that reserved after another one
 * ended the order (and released its stock) holds them again, for an order nobody can pay.
 */
async function releaseIfEnded(deps: CheckoutDeps, cart: Cart, state: OrderState): Promise<boolean> {
  const reason = releaseReasonOf(state.status);
  if (!reason) return false;
  const at = deps.now().toISOString();
  await releaseEndedOrderStock(deps.store, deps.products, cart, reason, at, {
    causationId: cart.orderId,
  });
  return true;
}

const closed = (state: OrderState) =>
  new CheckoutClosedError(`This checkout has ended (${state.status}); please start a new one`);

/**
 * Where a request for this order goes on: its Stripe page while it can be paid there; once
 * paid (or paying: a debit settling), the shop's return page, which shows the order. The
 * widget sends a cart's checkoutId again from every tab until the cart changes, so a
 * shopper who paid in one tab and presses Pay in another is shown that order rather than
 * charged twice.
 */
function startedOf(orderId: string, state: OrderState): StartedCheckout | undefined {
  const { cart, checkout, status } = state;
  if ((status === 'paid' || status === 'pending') && cart) {
    const params = { stripe_cart: 'success', stripe_cart_order: orderId };
    return {
      orderId,
      checkoutUrl: returnUrlWith(cart.returnUrl, {
        ...params,
        ...(checkout && { stripe_cart_session: checkout.sessionId }),
      }),
    };
  }
  return checkout && status === 'checkout_started'
    ? { orderId, checkoutUrl: checkout.url }
    : undefined;
}

async function failCheckout(
  deps: CheckoutDeps,
  cart: Cart,
  reason: EventOf<'CheckoutFailed'>['data']['reason'],
  message: string,
): Promise<Handled<OrderState, OrderEvent>> {
  return handleCommand(
    deps.store,
    orderStream(cart.orderId),
    orderDecider,
    { type: 'FailCheckout', reason, message, at: deps.now().toISOString() },
    { metadata: { correlationId: cart.orderId, causationId: cart.orderId } },
  );
}

/**
 * Adds our query parameters to the shop's return URL. Stripe replaces the literal
 * `{CHECKOUT_SESSION_ID}`, so it must not be percent-encoded like the rest.
 */
function returnUrlWith(
  returnUrl: string,
  params: Record<string, string>,
  withSessionId = false,
): string {
  const url = new URL(returnUrl);
  // The page's own parameters stay exactly as they were: searchParams would re-encode them
  // all (a '/' becomes '%2F'), and a long query could outgrow what Stripe takes.
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair && !OURS.has(pair.split('=')[0]!));
  const ours = new URLSearchParams(params).toString();
  url.search = [...kept, ours].join('&');
  const hash = url.hash;
  url.hash = '';
  return `${url.href}${withSessionId ? '&stripe_cart_session={CHECKOUT_SESSION_ID}' : ''}${hash}`;
}

/** The parameters the widget reads on the way back, and removes. */
const OURS: ReadonlySet<string> = new Set(RETURN_PARAMS);
