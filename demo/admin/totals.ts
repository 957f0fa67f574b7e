/** Headline figures: one group per currency, plus the conversion rate. */
import type { FunnelReport, SalesReport } from './api';
import { h } from './dom';
import { formatMoney, formatPercent } from './money';

const figure = (label: string, value: string) =>
  h('div', { class: 'figure' }, h('dt', {}, label), h('dd', {}, value));

export function renderTotals(sales: SalesReport, funnel: FunnelReport, locale?: string): Node[] {
  const groups = sales.totals.map((total) => {
    const money = (amount: number) => formatMoney(amount, total.currency, locale);
    return h(
      'dl',
      { class: 'figures', 'data-currency': total.currency },
      figure(`Revenue (${total.currency.toUpperCase()})`, money(total.revenue)),
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
