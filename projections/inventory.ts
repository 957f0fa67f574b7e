/**
 * The inventory read model, per sku: on hand (sum of StockAdjusted deltas), units held for
 * unpaid orders (reserved), units held for paid orders (sold, a late payment's units taken
 * back included) and what is left to sell.
 * A sale is a reservation of an order that got PaymentCompleted; the order and product
 * streams interleave arbitrarily in $all, so each order's holds remember whether it is
 * paid and move between reserved and sold whichever of the two is seen first.
 */
import type { DomainEvent } from '../server/domain/events';

export interface ProductStock {
  sku: string;
  name: string;
  currency: string;
  unitAmount: number;
  listed: boolean;
  onHand: number;
  reserved: number;
  sold: number;
  /** onHand - reserved - sold: what a shopper can still buy. */
  available: number;
}

/** The units one order currently holds per sku (reserved minus released), and whether it is paid. */
export interface OrderHold {
  orderId: string;
  paid: boolean;
  units: Record<string, number>;
}

export interface InventoryState {
  product(sku: string): ProductStock | undefined;
  hold(orderId: string): OrderHold | undefined;
}

export interface InventoryChanges {
  products: ProductStock[];
  holds: OrderHold[];
}

const none: InventoryChanges = { products: [], holds: [] };

/** The inventory rows one event changes, given the current rows. */
export function evolveInventory(state: InventoryState, event: DomainEvent): InventoryChanges {
  switch (event.type) {
    case 'ProductListed':
    case 'ProductUpdated': {
      const { sku, name, currency, unitAmount } = event.data;
      const p = state.product(sku) ?? emptyProduct(sku);
      // An update leaves a delisted product delisted (only the catalog file updates one).
      const listed = event.type === 'ProductListed' || p.listed;
      return only(stock(sku, name, currency, unitAmount, listed, p.onHand, p.reserved, p.sold));
    }
    case 'ProductDelisted': {
      const p = state.product(event.data.sku) ?? emptyProduct(event.data.sku);
      return only(
        stock(p.sku, p.name, p.currency, p.unitAmount, false, p.onHand, p.reserved, p.sold),
      );
    }
    case 'StockAdjusted': {
      const p = state.product(event.data.sku) ?? emptyProduct(event.data.sku);
      const onHand = p.onHand + event.data.delta;
      return only(
        stock(p.sku, p.name, p.currency, p.unitAmount, p.listed, onHand, p.reserved, p.sold),
      );
    }
    case 'StockReserved':
      return moveHeld(state, event.data.orderId, event.data.sku, event.data.quantity);
    case 'StockReleased':
      return moveHeld(state, event.data.orderId, event.data.sku, -event.data.quantity);
    // A late payment's units, taken back from stock: held again, for an order already paid.
    case 'StockRetaken':
      return moveHeld(state, event.data.orderId, event.data.sku, event.data.quantity);
    case 'PaymentCompleted':
      return markPaid(state, event.data.orderId);
    // The units were held for the order and stay so: its payment marks them sold.
    case 'HoldKept':
    // Nothing was taken (or given back): the order view records what is missing.
    case 'StockShortfall':
    case 'ShortfallSettled':
    case 'CartValidated':
    case 'CheckoutStarted':
    case 'CheckoutFailed':
    case 'PaymentPending':
    case 'PaymentMismatched':
    case 'PaymentFailed':
    // Money back is not stock back: a restock puts units on the shelf.
    case 'PaymentRefunded':
    case 'RefundFailed':
    case 'PaymentDisputed':
    case 'DisputeEscalated':
    case 'DisputeClosed':
    case 'CheckoutExpired':
      return none;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function moveHeld(state: InventoryState, orderId: string, sku: string, delta: number) {
  const hold = state.hold(orderId);
  const p = state.product(sku) ?? emptyProduct(sku);
  const units: Record<string, number> = {};
  if (hold) for (const held in hold.units) units[held] = hold.units[held]!;
  units[sku] = (units[sku] ?? 0) + delta;
  const paid = hold?.paid ?? false;
  const reserved = paid ? p.reserved : p.reserved + delta;
  const sold = paid ? p.sold + delta : p.sold;
  return {
    products: [stock(p.sku, p.name, p.currency, p.unitAmount, p.listed, p.onHand, reserved, sold)],
    holds: [{ orderId, paid, units }],
  };
}

function markPaid(state: InventoryState, orderId: string): InventoryChanges {
  const hold = state.hold(orderId) ?? { orderId, paid: false, units: {} };
  if (hold.paid) return none;
  const products: ProductStock[] = [];
  for (const sku of Object.keys(hold.units).sort()) {
    const units = hold.units[sku]!;
    if (units === 0) continue;
    const p = state.product(sku) ?? emptyProduct(sku);
    products.push(
      stock(
        p.sku,
        p.name,
        p.currency,
        p.unitAmount,
        p.listed,
        p.onHand,
        p.reserved - units,
        p.sold + units,
      ),
    );
  }
  return { products, holds: [{ orderId: hold.orderId, paid: true, units: hold.units }] };
}

function only(product: ProductStock): InventoryChanges {
  return { products: [product], holds: [] };
}

/** A product row, `available` derived from the three counts. */
function stock(
  sku: string,
  name: string,
  currency: string,
  unitAmount: number,
  listed: boolean,
  onHand: number,
  reserved: number,
  sold: number,
): ProductStock {
  return {
    sku,
    name,
    currency,
    unitAmount,
    listed,
    onHand,
    reserved,
    sold,
    available: onHand - reserved - sold,
  };
}

/** A sku seen in a stock event before its listing (defensive: listing opens the stream). */
function emptyProduct(sku: string): ProductStock {
  return stock(sku, '', '', 0, false, 0, 0, 0);
}
