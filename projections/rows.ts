/** How each read-model row maps to its SQL columns (see schema.ts), in both directions. */
import { utcDay } from './day';
import type { FunnelDay } from './funnel';
import type { OrderHold, ProductStock } from './inventory';
import type { OrderView } from './order';

export interface OrderRow {
  order_id: string;
  status: string;
  email: string;
  currency: string;
  total: number;
  units: number;
  created_at: string;
  created_day: string;
  updated_at: string;
  paid_at: string | null;
  amount_paid: number | null;
  session_id: string | null;
  payment_intent_id: string | null;
  checkout_url: string | null;
  mismatch: number;
  late: number;
  timeline: string;
  shortfall: string;
  refunded: number;
  refunds: string;
  disputes: string;
  lost_to_disputes: number;
}

export interface OrderLineRow {
  order_id: string;
  line_no: number;
  sku: string;
  name: string;
  image: string;
  unit_amount: number;
  quantity: number;
  amount: number;
  currency: string;
}

export function orderToRow(view: OrderView): OrderRow {
  return {
    order_id: view.orderId,
    status: view.status,
    email: view.email,
    currency: view.currency,
    total: view.total,
    units: view.lines.reduce((sum, line) => sum + line.quantity, 0),
    created_at: view.createdAt,
    created_day: utcDay(view.createdAt),
    updated_at: view.updatedAt,
    paid_at: view.paidAt,
    amount_paid: view.amountPaid,
    session_id: view.sessionId,
    payment_intent_id: view.paymentIntentId,
    checkout_url: view.checkoutUrl,
    mismatch: view.flags.mismatch ? 1 : 0,
    late: view.flags.late ? 1 : 0,
    timeline: JSON.stringify(view.timeline),
    shortfall: JSON.stringify(view.shortfall),
    refunded: view.refunded,
    refunds: JSON.stringify(view.refunds),
    disputes: JSON.stringify(view.disputes),
    lost_to_disputes: view.lostToDisputes,
  };
}

export function orderLinesToRows(view: OrderView): OrderLineRow[] {
  return view.lines.map((line, i) => ({
    order_id: view.orderId,
    line_no: i + 1,
    sku: line.sku,
    name: line.name,
    image: line.image,
    unit_amount: line.unitAmount,
    quantity: line.quantity,
    amount: line.amount,
    currency: view.currency,
  }));
}

export function orderFromRows(row: OrderRow, lines: OrderLineRow[]): OrderView {
  return {
    orderId: row.order_id,
    status: row.status as OrderView['status'],
    lines: lines.map((line) => ({
      sku: line.sku,
      name: line.name,
      image: line.image,
      unitAmount: line.unit_amount,
      quantity: line.quantity,
      amount: line.amount,
    })),
    currency: row.currency,
    total: row.total,
    email: row.email,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    timeline: JSON.parse(row.timeline) as OrderView['timeline'],
    sessionId: row.session_id,
    paymentIntentId: row.payment_intent_id,
    checkoutUrl: row.checkout_url,
    paidAt: row.paid_at,
    amountPaid: row.amount_paid,
    flags: { mismatch: row.mismatch === 1, late: row.late === 1 },
    shortfall: JSON.parse(row.shortfall) as OrderView['shortfall'],
    refunds: JSON.parse(row.refunds) as OrderView['refunds'],
    refunded: row.refunded,
    disputes: JSON.parse(row.disputes) as OrderView['disputes'],
    lostToDisputes: row.lost_to_disputes,
  };
}

export interface InventoryRow {
  sku: string;
  name: string;
  currency: string;
  unit_amount: number;
  listed: number;
  on_hand: number;
  reserved: number;
  sold: number;
  available: number;
}

export const productToRow = (p: ProductStock): InventoryRow => ({
  sku: p.sku,
  name: p.name,
  currency: p.currency,
  unit_amount: p.unitAmount,
  listed: p.listed ? 1 : 0,
  on_hand: p.onHand,
  reserved: p.reserved,
  sold: p.sold,
  available: p.available,
});

export const productFromRow = (r: InventoryRow): ProductStock => ({
  sku: r.sku,
  name: r.name,
  currency: r.currency,
  unitAmount: r.unit_amount,
  listed: r.listed === 1,
  onHand: r.on_hand,
  reserved: r.reserved,
  sold: r.sold,
  available: r.available,
});

export interface HoldRow {
  order_id: string;
  paid: number;
  units: string;
}

export const holdToRow = (h: OrderHold): HoldRow => ({
  order_id: h.orderId,
  paid: h.paid ? 1 : 0,
  units: JSON.stringify(h.units),
});

export const holdFromRow = (r: HoldRow): OrderHold => ({
  orderId: r.order_id,
  paid: r.paid === 1,
  units: JSON.parse(r.units) as Record<string, number>,
});

export interface FunnelRow {
  day: string;
  carts_validated: number;
  checkouts_started: number;
  paid: number;
  expired: number;
  failed: number;
  checkout_failed: number;
  abandoned: number;
  open: number;
}

export const funnelToRow = (f: FunnelDay): FunnelRow => ({
  day: f.day,
  carts_validated: f.cartsValidated,
  checkouts_started: f.checkoutsStarted,
  paid: f.paid,
  expired: f.expired,
  failed: f.failed,
  checkout_failed: f.checkoutFailed,
  abandoned: f.abandoned,
  open: f.open,
});

export const funnelFromRow = (r: FunnelRow): FunnelDay => ({
  day: r.day,
  cartsValidated: r.carts_validated,
  checkoutsStarted: r.checkouts_started,
  paid: r.paid,
  expired: r.expired,
  failed: r.failed,
  checkoutFailed: r.checkout_failed,
  abandoned: r.abandoned,
  open: r.open,
});
