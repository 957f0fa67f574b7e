/** Recent orders as a plain, visible table: newest first, one page at a time. */
import type { OrderStatus, OrderSummary, OrdersReport } from './api';
import { emptyNote, h } from './dom';
import { formatMoney } from './money';

export const statusLabel: Record<OrderStatus, string> = {
  validated: 'Cart validated',
  checkout_started: 'Checkout started',
  pending: 'Payment pending',
  paid: 'Paid',
  failed: 'Payment failed',
  expired: 'Expired',
  abandoned: 'Abandoned',
  checkout_failed: 'Checkout failed',
};

/**
 * Money given back on the order's payment, beside its status as the other flags are: the
 * status stays "Paid" (it was), the tag says how much went back, or that all of it did.
 */
function refundTag(order: OrderSummary, locale: string | undefined): HTMLElement | null {
  if (order.refunded <= 0) return null;
  const refunded = formatMoney(order.refunded, order.currency, locale);
  // Against what was paid, which a mismatched payment makes differ from the total.
  const inFull = order.refunded >= (order.amountPaid ?? order.total);
  return h(
    'span',
    { class: 'status status-refunded', title: inFull ? `${refunded} refunded` : undefined },
    inFull ? 'Refunded in full' : `Refunded ${refunded}`,
  );
}

type Dispute = OrderSummary['disputes'][number];

/**
 * The state of the order's latest dispute, beside its status as the refund tag is: open (an
 * inquiry holds nothing back, a chargeback holds its amount), lost (that amount is gone) or
 * won. None once the charge was refunded to close it: the refund tag says that already.
 */
function disputeTag(order: OrderSummary, locale: string | undefined): HTMLElement | null {
  // The last opened, by Stripe's time: notices of two disputes may be recorded out of order.
  const dispute = order.disputes.reduce<Dispute | undefined>(
    (latest, d) => (latest && latest.at > d.at ? latest : d),
    undefined,
  );
  if (!dispute) return null;
  const amount = formatMoney(dispute.amount, order.currency, locale);
  const shown = disputeState(dispute, amount);
  if (!shown) return null;
  // The bank's reason as Stripe names it (`product_not_received`), in words.
  const title = `${amount} disputed: ${dispute.reason.replaceAll('_', ' ')}`;
  return h('span', { class: `status status-${shown.state}`, title }, shown.text);
}

function disputeState(dispute: Dispute, amount: string): { state: string; text: string } | null {
  switch (dispute.outcome) {
    case null:
      return { state: 'disputed', text: `${dispute.inquiry ? 'Inquiry' : 'Disputed'} ${amount}` };
    case 'lost':
      return { state: 'dispute-lost', text: `Dispute lost ${amount}` };
    case 'won':
      return { state: 'dispute-won', text: 'Dispute won' };
    // Stopped before it became a chargeback (an early fraud warning answered, say).
    case 'prevented':
      return { state: 'dispute-won', text: 'Dispute prevented' };
    case 'warning_closed':
      return { state: 'inquiry-closed', text: 'Inquiry closed' };
    case 'charge_refunded':
      return null;
  }
}

export function renderOrders(report: OrdersReport, locale?: string): Node[] {
  if (report.orders.length === 0) return [emptyNote('No orders match.')];
  // In UTC, as the figures and the date filter count days: an order filtered into a day shows that day.
  const time = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  return [
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'orders' },
        h('caption', { class: 'visually-hidden' }, 'Recent orders, newest first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Created (UTC)', 'Order', 'Email', 'Status', 'Units', 'Total'].map((label) =>
              h(
                'th',
                { scope: 'col', class: label === 'Units' || label === 'Total' ? 'num' : undefined },
                label,
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...report.orders.map((order) =>
            h(
              'tr',
              { 'data-order-id': order.orderId },
              h(
                'td',
                {},
                h('time', { datetime: order.createdAt }, time.format(new Date(order.createdAt))),
              ),
              // Whole, to read and copy (admin.settleShortfall takes it), on phones too.
              h('td', {}, h('code', { class: 'order-id' }, order.orderId)),
              h('td', {}, order.email),
              h(
                'td',
                {},
                h('span', { class: `status status-${order.status}` }, statusLabel[order.status]),
                order.flags.mismatch
                  ? h('span', { class: 'status status-failed' }, 'Amount mismatch')
                  : null,
                order.flags.late
                  ? h('span', { class: 'status status-pending' }, 'Paid late')
                  : null,
                order.shortfall.some((s) => s.missing > 0)
                  ? h(
                      'span',
                      {
                        class: 'status status-failed',
                        title: order.shortfall
                          .filter((s) => s.missing > 0)
                          .map((s) => `${s.sku}: ${s.missing} missing`)
                          .join(', '),
                      },
                      'Stock short',
                    )
                  : null,
                refundTag(order, locale),
                disputeTag(order, locale),
              ),
              h('td', { class: 'num' }, String(order.units)),
              h('td', { class: 'num' }, formatMoney(order.total, order.currency, locale)),
            ),
          ),
        ),
      ),
    ),
  ];
}

export function pageInfo(report: OrdersReport): {
  text: string;
  hasPrevious: boolean;
  hasNext: boolean;
} {
  const pages = Math.max(1, Math.ceil(report.total / report.pageSize));
  const noun = report.total === 1 ? 'order' : 'orders';
  return {
    text: `Page ${report.page} of ${pages} · ${report.total} ${noun}`,
    hasPrevious: report.page > 1,
    hasNext: report.page < pages,
  };
}
