/** Headline figures: one group per currency, plus the conversion rate. */
import type { FunnelReport, SalesReport } from './api';
import { h } from './dom';
import { formatMoney, formatPercent } from './money';
import { wentBack } from './went-back';

type SalesTotal = SalesReport['totals'][number];

/** `note`, a second value under the first, is read out with the same label. */
const figure = (label: string, value: string, note?: Node | null) =>
  h('div', { class: 'figure' }, h('dt', {}, label), h('dd', {}, value), note);

/**
 * Revenue stays as paid; the refunds made and the disputes lost in the range show under it,
 * with what the shop kept, in words. Only when there are some: a card without reads as before.
 */
function keptNote(total: SalesTotal, money: (amount: number) => string): Node | null {
  const parts = wentBack(total, money);
  if (parts.length === 0) return null;
  const net = total.revenue - total.refunded - total.lostToDisputes;
  return h('dd', { class: 'figure-note' }, [...parts, `Net ${money(net)}`].join(' · '));
}

export function renderTotals(sales: SalesReport, funnel: FunnelReport, locale?: string): Node[] {
  const groups = sales.totals.map((total) => {
    const money = (amount: number) => formatMoney(amount, total.currency, locale);
    return h(
      'dl',
      { class: 'figures', 'data-currency': total.currency },
      figure(
        `Revenue (${total.currency.toUpperCase()})`,
        money(total.revenue),
        keptNote(total, money),
      ),
      figure('Paid orders', String(total.orders)),
      figure('Average order', money(total.averageOrderValue)),
      figure('Units sold', String(total.units)),
    );
  });
  const conversion = h(
    'dl',
    { class: 'figures' },
    figure('Carts validated', String(funnel.totals.cartsValidated)),
    figure('Conversion', formatPercent(funnel.totals.conversionRate, locale)),
  );
  return groups.length > 0
    ? [...groups, conversion]
    : [h('p', { class: 'empty' }, 'No revenue in this range yet.'), conversion];
}
