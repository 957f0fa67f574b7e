/**
 * The product decider: catalog facts, stock and reservations of one `product-<sku>`
 * stream, and a late payment's units taken back (or found missing, until a restock fills
 * them or the site owner settles them another way). Every stock decision is taken on this state and appended at the revision it was
 * computed from, so two shoppers can never both take the last unit, and two processes
 * never both take (or fill) a late payment's units.
 */
import type { Decider } from '../domain/decider';
import { DomainError } from '../domain/decider';
import type { EventOf, ProductEvent } from '../domain/events';
import { HoldBook, type Holds, PendingHolds } from './hold-book';
import { amountStripeRefuses } from './price-rules';

interface ProductDetails {
  sku: string;
  name: string;
  description: string;
  image: string;
  unitAmount: number;
  currency: string;
}

export interface ProductState {
  details: ProductDetails | null;
  listed: boolean;
  /** What the catalog file last said of this product, so a sync acts on changes to the file only. */
  catalogFile: ProductDetails | null;
  onHand: number;
  /** Units held per order: until paid for ever (the sale), otherwise until released. */
  holds: Holds;
  held: number;
  /**
   * Orders paid late whose units this product has taken back, found missing, or kept (still
   * held when the payment came): decided once each. Late payments are rare, so a plain set, copied on change.
   */
  lateSales: ReadonlySet<string>;
  /**
   * Units still missing per late-paid order, in the order the shortfalls were recorded: a
   * restock, or units another order gives back, fill them first. Rare too, so copied on change like `lateSales`.
   */
  shortfalls: ReadonlyMap<string, number>;
  /** The delta of each adjustment made with a request id, so a retry is recognised (and a reuse for another is not). Few: copied on change. */
  adjustments: ReadonlyMap<string, number>;
}

/** The details an update sets; those it leaves out keep their values. */
export type ProductChanges = Partial<Omit<ProductDetails, 'sku'>>;

export const available = (state: ProductState) => Math.max(0, state.onHand - state.held);

type ReleaseReason = EventOf<'StockReleased'>['data']['reason'];

export type ProductCommand =
  | { type: 'ListProduct'; product: ProductDetails; stock: number; at: string }
  /** The catalog file's entry, at start: listed if new, updated only if the file changed since it last spoke. */
  | { type: 'SyncCatalogEntry'; product: ProductDetails; stock: number; at: string }
  | { type: 'UpdateProduct'; sku: string; changes: ProductChanges; at: string }
  | { type: 'DelistProduct'; sku: string; at: string }
  | {
      type: 'AdjustStock';
      sku: string;
      delta: number;
      reason: string;
      /** Makes the adjustment safe to retry: one already made with this id changes nothing. */
      requestId?: string;
      at: string;
    }
  | {
      type: 'ReserveStock';
      sku: string;
      orderId: string;
      quantity: number;
      expiresAt: string;
      at: string;
    }
  | {
      type: 'ReleaseStock';
      sku: string;
      orderId: string;
      reason: ReleaseReason;
      at: string;
      /**
       * Hand the units on to late payments still short of them, in the same decision (no new
       * shopper comes between); not while the releasing order's own late payment may come.
       */
      fillShortfalls: boolean;
    }
  /** An order was paid late, after its hold was released: take its units back if they are still there. */
  | { type: 'RetakeStock'; sku: string; orderId: string; quantity: number; at: string }
  /** The site owner settled a late payment's missing units another way (a refund): no restock fills them. */
  | { type: 'SettleShortfall'; sku: string; orderId: string; reason: string; at: string };

export const productDecider: Decider<ProductState, ProductCommand, ProductEvent> = {
  initialState: () => ({
    details: null,
    listed: false,
    catalogFile: null,
    onHand: 0,
    holds: new HoldBook(),
    held: 0,
    lateSales: new Set(),
    shortfalls: new Map(),
    adjustments: new Map(),
  }),

  evolve(state, event) {
    switch (event.type) {
      case 'ProductListed':
      case 'ProductUpdated': {
        const { at: _at, source, ...details } = event.data;
        const catalogFile = source ? details : state.catalogFile;
        // An update leaves a delisted product delisted (only the catalog file updates one).
        const listed = event.type === 'ProductListed' || state.listed;
        return { ...state, details, listed, catalogFile };
      }
      case 'ProductDelisted':
        return { ...state, listed: false };
      case 'StockAdjusted': {
        const { delta, requestId } = event.data;
        const adjustments = requestId
          ? new Map(state.adjustments).set(requestId, delta)
          : state.adjustments;
        return { ...state, onHand: state.onHand + delta, adjustments };
      }
      // A product stream gains a reservation per order, so copying `holds` on every event
      // would make a fold quadratic; folds are linear (no old state is ever reused), so the
      // map moves into the new state instead.
      case 'StockReserved': {
        state.holds.set(event.data.orderId, event.data.quantity);
        return { ...state, held: state.held + event.data.quantity };
      }
      case 'StockReleased': {
        state.holds.delete(event.data.orderId);
        return { ...state, held: state.held - event.data.quantity };
      }
      case 'StockRetaken': {
        const { orderId, quantity } = event.data;
        // A fill adds to the units a partial re-take already holds for the order.
        state.holds.set(orderId, (state.holds.get(orderId) ?? 0) + quantity);
        const lateSales = new Set(state.lateSales).add(orderId);
        return {
          ...state,
          held: state.held + quantity,
          lateSales,
          shortfalls: lessMissing(state.shortfalls, orderId, quantity),
        };
      }
      // The units stay held, as this order's sale now.
      case 'HoldKept':
        return { ...state, lateSales: new Set(state.lateSales).add(event.data.orderId) };
      case 'StockShortfall': {
        const { orderId, missing } = event.data;
        return {
          ...state,
          lateSales: new Set(state.lateSales).add(orderId),
          shortfalls: new Map(state.shortfalls).set(orderId, missing),
        };
      }
      case 'ShortfallSettled': {
        const shortfalls = new Map(state.shortfalls);
        shortfalls.delete(event.data.orderId);
        return { ...state, shortfalls };
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'SyncCatalogEntry': {
        const { product, stock, at } = command;
        const source = 'catalog-file';
        if (!state.details) return listNew({ ...product, at, source }, stock);
        // The file has not changed since it last spoke: the site owner's edits and delisting stand.
        if (state.catalogFile && sameDetails(state.catalogFile, product)) return [];
        // Appended even when the details already match, to record what the file now says; a
        // product the site owner delisted stays delisted (the admin API lists it again).
        return [{ type: 'ProductUpdated', data: { ...product, at, source } }];
      }
      case 'ListProduct': {
        const { product, stock, at } = command;
        if (!state.details) return listNew({ ...product, at }, stock);
        // `stock` is a new product's first stock: it would say nothing clear about one that exists.
        if (state.listed) {
          throw new DomainError(
            'already_listed',
            `${product.sku} is already listed: change it with updateProduct, its stock with adjustStock`,
            { sku: product.sku },
          );
        }
        if (stock > 0) {
          throw new DomainError(
            'stock_on_relist',
            `${product.sku} is listed again with the stock it has (${state.onHand}): change that with adjustStock`,
            { sku: product.sku },
          );
        }
        return [{ type: 'ProductListed', data: { ...product, at } }];
      }
      case 'UpdateProduct': {
        requireListed(state, command.sku);
        const current = state.details!;
        const { changes } = command;
        // The price counts the currency's minor units: kept as it is, 1000 (€10.00) would read as ¥1000.
        const newCurrency = changes.currency !== undefined && changes.currency !== current.currency;
        if (newCurrency && changes.unitAmount === undefined) {
          throw new DomainError(
            'price_needed',
            `unitAmount: required with a new currency (${current.currency} to ${changes.currency}): the price counts its minor units`,
            { sku: command.sku },
          );
        }
        const product = withChanges(current, changes);
        const refusal = amountStripeRefuses(product);
        if (refusal) {
          throw new DomainError('amount_not_taken', `unitAmount: ${refusal}`, { sku: command.sku });
        }
        // The event carries the product whole: projections and the catalog sync read it so.
        return sameDetails(current, product)
          ? []
          : [{ type: 'ProductUpdated', data: { ...product, at: command.at } }];
      }
      case 'DelistProduct':
        requireListed(state, command.sku);
        return [{ type: 'ProductDelisted', data: { sku: command.sku, at: command.at } }];
      case 'AdjustStock': {
        requireKnown(state, command.sku);
        const made =
          command.requestId === undefined ? undefined : state.adjustments.get(command.requestId);
        if (made !== undefined) {
          if (made === command.delta) return [];
          throw new DomainError(
            'request_reused',
            `Request ${command.requestId} already adjusted ${command.sku} by ${made}: send a new requestId for another adjustment`,
            { sku: command.sku },
          );
        }
        if (state.onHand + command.delta < state.held) {
          throw new DomainError(
            'stock_below_reserved',
            `Stock of ${command.sku} cannot go below the ${state.held} units held for orders`,
            { sku: command.sku, available: available(state) },
          );
        }
        const { type: _type, ...data } = command;
        const adjusted: ProductEvent = { type: 'StockAdjusted', data };
        if (command.delta <= 0) return [adjusted];
        const shelf = Math.max(0, state.onHand + command.delta - state.held);
        return [adjusted, ...fillShortfalls(state.shortfalls, shelf, command.sku, command.at)];
      }
      case 'ReserveStock': {
        if (state.holds.has(command.orderId)) return [];
        requireListed(state, command.sku);
        const left = available(state);
        if (left < command.quantity) {
          const code = left === 0 ? 'sold_out' : 'insufficient_stock';
          throw new DomainError(code, `Only ${left} of ${command.sku} left`, {
            sku: command.sku,
            available: left,
          });
        }
        const { type: _type, ...data } = command;
        return [{ type: 'StockReserved', data }];
      }
      case 'ReleaseStock': {
        const quantity = state.holds.get(command.orderId);
        // Units taken back for a late payment are its sale: a release decided before the
        // payment (an expiry's, still in flight) must not give them away again.
        if (quantity === undefined || state.lateSales.has(command.orderId)) return [];
        const { type: _type, fillShortfalls: fill, ...rest } = command;
        const released: ProductEvent = { type: 'StockReleased', data: { ...rest, quantity } };
        if (!fill || state.shortfalls.size === 0) return [released];
        const shelf = Math.max(0, state.onHand - (state.held - quantity));
        return [released, ...fillShortfalls(state.shortfalls, shelf, command.sku, command.at)];
      }
      case 'RetakeStock': {
        if (state.lateSales.has(command.orderId)) return [];
        const { sku, orderId, quantity, at } = command;
        // Still held: its release is on its way (or never ran). Recording that the units are
        // its sale stops that release from giving them to anyone else.
        const held = state.holds.get(orderId);
        if (held !== undefined)
          return [{ type: 'HoldKept', data: { sku, orderId, quantity: held, at } }];
        requireKnown(state, command.sku);
        // Delisted or not, units on the shelf can fill a paid order; units sold since cannot.
        const taken = Math.min(quantity, available(state));
        const events: ProductEvent[] = [];
        if (taken > 0)
          events.push({ type: 'StockRetaken', data: { sku, orderId, quantity: taken, at } });
        if (taken < quantity)
          events.push({
            type: 'StockShortfall',
            data: { sku, orderId, missing: quantity - taken, at },
          });
        return events;
      }
      case 'SettleShortfall': {
        requireKnown(state, command.sku);
        const units = state.shortfalls.get(command.orderId);
        if (units === undefined) {
          throw new DomainError(
            'no_shortfall',
            `Order ${command.orderId} is not missing any unit of ${command.sku}`,
            { sku: command.sku },
          );
        }
        const { sku, orderId, reason, at } = command;
        return [{ type: 'ShortfallSettled', data: { sku, orderId, units, reason, at } }];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};

/**
 * Paid orders come before new shoppers: the units on the shelf after a restock go to the
 * oldest shortfalls first, one `StockRetaken` per order they reach.
 */
function fillShortfalls(
  shortfalls: ReadonlyMap<string, number>,
  shelf: number,
  sku: string,
  at: string,
): ProductEvent[] {
  const fills: ProductEvent[] = [];
  let left = shelf;
  for (const [orderId, missing] of shortfalls) {
    if (left === 0) break;
    const quantity = Math.min(missing, left);
    fills.push({ type: 'StockRetaken', data: { sku, orderId, quantity, at } });
    left -= quantity;
  }
  return fills;
}

/** The shortfalls once `units` reached `orderId`: one filled in full is gone. */
function lessMissing(shortfalls: ReadonlyMap<string, number>, orderId: string, units: number) {
  const missing = shortfalls.get(orderId);
  if (missing === undefined) return shortfalls;
  const next = new Map(shortfalls);
  if (missing > units) next.set(orderId, missing - units);
  else next.delete(orderId);
  return next;
}

/** A command's outcome in a batch: its events, or why it was refused. */
export type Decided = { ok: true; events: ProductEvent[] } | { ok: false; error: unknown };

/**
 * Decides commands one after another, each on the product as the ones before it leave it.
 * They are decided on a view whose holds are kept aside, so `state` itself is unchanged
 * until the caller has stored the events and evolves it.
 */
export function decideInOrder(state: ProductState, commands: ProductCommand[]): Decided[] {
  return decideOnView(state, commands).decided;
}

/** The product as these commands would leave it (those refused left out), `state` unchanged. */
export function wouldLeave(state: ProductState, commands: ProductCommand[]): ProductState {
  return decideOnView(state, commands).view;
}

function decideOnView(state: ProductState, commands: ProductCommand[]) {
  let view: ProductState = { ...state, holds: new PendingHolds(state.holds) };
  const decided = commands.map((command): Decided => {
    try {
      const events = productDecider.decide(command, view);
      for (const event of events) view = productDecider.evolve(view, event);
      return { ok: true, events };
    } catch (error) {
      return { ok: false, error };
    }
  });
  return { decided, view };
}

function listNew(data: EventOf<'ProductListed'>['data'], stock: number): ProductEvent[] {
  const listed: ProductEvent = { type: 'ProductListed', data };
  if (stock === 0) return [listed];
  const { sku, at } = data;
  return [
    listed,
    { type: 'StockAdjusted', data: { sku, delta: stock, reason: 'initial stock', at } },
  ];
}

function withChanges(details: ProductDetails, changes: ProductChanges): ProductDetails {
  return {
    sku: details.sku,
    name: changes.name ?? details.name,
    description: changes.description ?? details.description,
    image: changes.image ?? details.image,
    unitAmount: changes.unitAmount ?? details.unitAmount,
    currency: changes.currency ?? details.currency,
  };
}

function sameDetails(a: ProductDetails, b: ProductDetails): boolean {
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.image === b.image &&
    a.unitAmount === b.unitAmount &&
    a.currency === b.currency
  );
}

function requireKnown(state: ProductState, sku: string): void {
  if (!state.details) throw new DomainError('unknown_sku', `No product ${sku}`, { sku });
}

function requireListed(state: ProductState, sku: string): void {
  requireKnown(state, sku);
  if (!state.listed) throw new DomainError('delisted', `${sku} is no longer sold`, { sku });
}
