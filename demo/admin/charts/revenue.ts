/** Revenue per day: one column chart per currency, since sums across currencies mean nothing. */
import type { SalesReport } from '../api';
import { dayAxis, shortDay } from '../days';
import { chartFigure, emptyNote, figuresTable, h, s } from '../dom';
import { formatMoney, formatMoneyCompact } from '../money';
import { columnLayout } from './geometry';
import { type DayFigures, revenueSeries } from './models';

const HEIGHT = 220;
const MARGIN = { top: 12, right: 8, bottom: 28, left: 64 };

export interface RevenueInput {
  sales: SalesReport;
  today: string;
  width: number;
  locale?: string | undefined;
}

export function renderRevenue({ sales, today, width, locale }: RevenueInput): Node[] {
  // A day of refunds or lost disputes only has no sale to draw (the totals say what went back).
  const days = sales.days.filter((d) => d.orders > 0);
  const axis = dayAxis({
    dataDays: days.map((d) => d.day),
    from: sales.from ?? undefined,
    to: sales.to ?? undefined,
    today,
  });
  const series = revenueSeries(days, axis);
  if (series.size === 0) return [emptyNote('No paid orders in this range yet.')];
  // The range picked: past 120 days the axis keeps only the days with sales.
  const range = `${sales.from ?? axis[0]} to ${sales.to ?? axis.at(-1)}`;
  return [...series].map(([currency, days]) => revenueChart(currency, days, range, width, locale));
}

function revenueChart(
  currency: string,
  days: DayFigures[],
  range: string,
  width: number,
  locale: string | undefined,
): HTMLElement {
  const money = (amount: number) => formatMoney(amount, currency, locale);
  const layout = columnLayout(
    days.map((d) => d.revenue),
    width,
    HEIGHT,
    MARGIN,
    Math.max(2, Math.floor(width / 70)),
  );
  const { plot } = layout;
  const svg = s(
    'svg',
    {
      class: 'chart-svg',
      viewBox: `0 0 ${width} ${HEIGHT}`,
      width,
      height: HEIGHT,
      focusable: 'false',
    },
    ...layout.ticks.map((tick) =>
      s(
        'g',
        { class: 'tick' },
        s('line', { x1: plot.x, x2: plot.x + plot.width, y1: tick.y, y2: tick.y }),
        s(
          'text',
          { x: plot.x - 8, y: tick.y, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
          formatMoneyCompact(tick.value, currency, locale),
        ),
      ),
    ),
    ...layout.columns.map((column, index) => {
      const day = days[index]!;
      return s(
        'rect',
        { class: 'bar', ...column, 'data-day': day.day },
        s(
          'title',
          {},
          `${shortDay(day.day, locale)}: ${money(day.revenue)}, ${ordersText(day.orders)}`,
        ),
      );
    }),
    ...layout.columns.map((column, index) =>
      index % layout.labelEvery === 0
        ? s(
            'text',
            {
              class: 'axis-label',
              x: column.x + column.width / 2,
              y: plot.y + plot.height + 18,
              'text-anchor': 'middle',
            },
            shortDay(days[index]!.day, locale),
          )
        : null,
    ),
  );
  const total = days.reduce((sum, d) => sum + d.revenue, 0);
  const orders = days.reduce((sum, d) => sum + d.orders, 0);
  const caption = `${currency.toUpperCase()}: ${money(total)} from ${ordersText(orders)}, ${range}`;
  const table = figuresTable(
    `Revenue per day in ${currency.toUpperCase()}`,
    ['Day', 'Revenue', 'Orders', 'Units'],
    days
      .filter((d) => d.orders > 0 || d.revenue > 0)
      .map((d) => [d.day, money(d.revenue), String(d.orders), String(d.units)]),
  );
  const chart = chartFigure(caption, svg, table);
  chart.dataset.currency = currency;
  return h('div', { class: 'chart-block' }, chart);
}

const ordersText = (count: number) => `${count} ${count === 1 ? 'order' : 'orders'}`;
