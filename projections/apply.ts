/**
 * Applies one event to every read model, through the pure projections. The runner backs
 * the tables with SQLite, tests with Maps: either way this is the only place that wires
 * the projections together, so both compute the same rows.
 */
import { type DomainEvent, type ProductEvent, productEventTypes } from '../server/domain/events';
import { evolveFunnel, type FunnelDay } from './funnel';
import {
  evolveInventory,
  type InventoryState,
  type OrderHold,
  type ProductStock,
} from './inventory';
import { evolveOrder, type OrderView } from './order';
import {
  evolveSales,
  type ProductSales,
  type SalesDaily,
  type SalesState,
  salesKey,
} from './sales';

/** A keyed table of read-model rows. A `Map` is one. */
export interface Table<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
}

export interface ReadModels {
  orders: Table<OrderView>;
  products: Table<ProductStock>;
  holds: Table<OrderHold>;
  salesDaily: Table<SalesDaily>;
  productSales: Table<ProductSales>;
  funnel: Table<FunnelDay>;
}

/**
 * The read models fall into two groups: order views, with the sales and funnel figures
 * derived from them, change only on order events, StockShortfall (a product's word about
 * an order), the StockRetaken that fills one and the ShortfallSettled that closes one; stock (products and holds) on the other
 * product events, StockRetaken and PaymentCompleted. Neither reads the other's rows, so a
 * rebuild projects them in parallel.
 */
export type ReadModelGroup = 'orders' | 'stock';

/** The event types only the stock group reads. */
export const STOCK_ONLY_EVENT_TYPES: readonly string[] = productEventTypes.filter(
  (type) => type !== 'StockShortfall' && type !== 'StockRetaken' && type !== 'ShortfallSettled',
);
/** The event types that change stock. */
export const STOCK_EVENT_TYPES: readonly string[] = [
  ...STOCK_ONLY_EVENT_TYPES,
  'StockRetaken',
  'PaymentCompleted',
];

/** What an event is about: its order or product, and every product whose stock it changed. */
export interface Touched {
  orderIds: string[];
  skus: string[];
}

const productTypes: ReadonlySet<string> = new Set(productEventTypes);
function isProductEvent(event: DomainEvent): event is ProductEvent {
  return productTypes.has(event.type);
}

/** The order whose view an event may change: an order event's, a shortfall's or a fill's. */
function orderOf(event: DomainEvent): string | undefined {
  if (
    event.type === 'StockShortfall' ||
    event.type === 'StockRetaken' ||
    event.type === 'ShortfallSettled'
  )
    return event.data.orderId;
  return isProductEvent(event) ? undefined : event.data.orderId;
}

export function memoryReadModels(): ReadModels {
  return {
    orders: new Map(),
    products: new Map(),
    holds: new Map(),
    salesDaily: new Map(),
    productSales: new Map(),
    funnel: new Map(),
  };
}

export class Projector {
  private readonly inventory: InventoryState;
  private readonly sales: SalesState;
  private readonly funnel: { day(day: string): FunnelDay | undefined };

  constructor(private readonly models: ReadModels) {
    this.inventory = {
      product: (sku) => models.products.get(sku),
      hold: (orderId) => models.holds.get(orderId),
    };
    this.sales = {
      daily: (day, currency) => models.salesDaily.get(salesKey.daily({ day, currency })),
      product: (day, sku, currency) =>
        models.productSales.get(salesKey.product({ day, sku, currency })),
    };
    this.funnel = { day: (day) => models.funnel.get(day) };
  }

  /** The rows `apply` changes, for an event another process has already applied to the same tables. */
  touchedBy(event: DomainEvent): Touched {
    const orderId = orderOf(event);
    const orderIds = orderId ? [orderId] : [];
    if (isProductEvent(event)) return { orderIds, skus: [event.data.sku] };
    const paidSkus =
      event.type === 'PaymentCompleted'
        ? Object.keys(this.models.holds.get(event.data.orderId)?.units ?? {})
        : [];
    return { orderIds, skus: paidSkus };
  }

  apply(event: DomainEvent): Touched {
    const touched: Touched = { orderIds: [], skus: [] };
    this.applyToOrders(event, touched);
    this.applyToStock(event, touched);
    return touched;
  }

  /** Applies `event` to one group of read models only (a rebuild projects each on its own). */
  applyTo(group: ReadModelGroup, event: DomainEvent): void {
    if (group === 'orders') this.applyToOrders(event, undefined);
    else this.applyToStock(event, undefined);
  }

  private applyToOrders(event: DomainEvent, touched: Touched | undefined): void {
    const orderId = orderOf(event);
    if (!orderId) return;
    // Watchers of the order hear of every event of it, even one that leaves its view as it was.
    touched?.orderIds.push(orderId);
    const { models } = this;
    const before = models.orders.get(orderId) ?? null;
    const after = evolveOrder(before, event);
    if (!after || after === before) return;
    models.orders.set(after.orderId, after);
    const sales = evolveSales(this.sales, before, after);
    for (const row of sales.daily) models.salesDaily.set(salesKey.daily(row), row);
    for (const row of sales.products) models.productSales.set(salesKey.product(row), row);
    for (const row of evolveFunnel(this.funnel, before, after)) models.funnel.set(row.day, row);
  }

  private applyToStock(event: DomainEvent, touched: Touched | undefined): void {
    const { models } = this;
    if (isProductEvent(event)) touched?.skus.push(event.data.sku);
    const stock = evolveInventory(this.inventory, event);
    for (const hold of stock.holds) models.holds.set(hold.orderId, hold);
    for (const product of stock.products) {
      models.products.set(product.sku, product);
      if (!isProductEvent(event)) touched?.skus.push(product.sku);
    }
  }
}
