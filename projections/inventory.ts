/**
 * The inventory read model, per sku: on hand (sum of StockAdjusted deltas), units held for
 * unpaid orders (reserved), units held for paid orders (sold) and what is left to sell.
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
      const current = state.product(sku) ?? emptyProduct(sku);
      return only({ ...current, name, currency, unitAmount, listed: true });
    }
    case 'ProductDelisted': {
      const current = state.product(event.data.sku) ?? emptyProduct(event.data.sku);
      return only({ ...current, listed: false });
    }
    case 'StockAdjusted': {
      const current = state.product(event.data.sku) ?? emptyProduct(event.data.sku);
      return only(withAvailable({ ...current, onHand: current.onHand + event.data.delta }));
    }
    case 'StockReserved':
      return moveHeld(state, event.data.orderId, event.data.sku, event.data.quantity);
    case 'StockReleased':
      return moveHeld(state, event.data.orderId, event.data.sku, -event.data.quantity);
    case 'PaymentCompleted':
      return markPaid(state, event.data.orderId);
    case 'CartValidated':
    case 'CheckoutStarted':
    case 'CheckoutFailed':
    case 'PaymentPending':
    case 'PaymentMismatched':
    case 'PaymentFailed':
    case 'CheckoutExpired':
      return none;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function moveHeld(state: InventoryState, orderId: string, sku: string, delta: number) {
  const hold = state.hold(orderId) ?? { orderId, paid: false, units: {} };
  const product = state.product(sku) ?? emptyProduct(sku);
  const units = { ...hold.units, [sku]: (hold.units[sku] ?? 0) + delta };
  const moved = hold.paid
    ? { ...product, sold: product.sold + delta }
    : { ...product, reserved: product.reserved + delta };
  return { products: [withAvailable(moved)], holds: [{ ...hold, units }] };
}

function markPaid(state: InventoryState, orderId: string): InventoryChanges {
  const hold = state.hold(orderId) ?? { orderId, paid: false, units: {} };
  if (hold.paid) return none;
  const products = Object.entries(hold.units)
    .filter(([, units]) => units !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, units]) => {
      const product = state.product(sku) ?? emptyProduct(sku);
      return withAvailable({
        ...product,
        reserved: product.reserved - units,
        sold: product.sold + units,
      });
    });
  return { products, holds: [{ ...hold, paid: true }] };
}

function only(product: ProductStock): InventoryChanges {
  return { products: [product], holds: [] };
}

function withAvailable(product: ProductStock): ProductStock {
  return { ...product, available: product.onHand - product.reserved - product.sold };
}

/** A sku seen in a stock event before its listing (defensive: listing opens the stream). */
function emptyProduct(sku: string): ProductStock {
  return {
    sku,
    name: '',
    currency: '',
    unitAmount: 0,
    listed: false,
    onHand: 0,
    reserved: 0,
    sold: 0,
    available: 0,
  };
}
