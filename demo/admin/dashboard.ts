/**
 * The signed-in page: loads every report with the current filters, draws them, and
 * refetches on each `analytics.watch` tick (coalesced) and on every filter change.
 */
import type { AnalyticsApi, Snapshot } from './api';
import { renderFunnel } from './charts/funnel';
import { renderProducts } from './charts/products';
import { renderRevenue } from './charts/revenue';
import { renderStock } from './charts/stock';
import { coalesce } from './coalesce';
import { dayOf } from './days';
import { readFilters, watchFilters } from './filters';
import { pageInfo, renderOrders } from './orders';
import { type Problem, problemOf } from './problems';
import { renderTotals } from './totals';

const element = (id: string) => document.getElementById(id)!;

function replace(id: string, nodes: Node[]): void {
  element(id).replaceChildren(...nodes);
}

/** Charts are drawn at their container's width, so one SVG unit is one CSS pixel. */
const widthOf = (id: string) => Math.max(240, Math.floor(element(id).clientWidth || 600));

function draw(snapshot: Snapshot): void {
  const { sales, funnel, orders, stock } = snapshot;
  replace('totals', renderTotals(sales, funnel));
  replace('revenue', renderRevenue({ sales, today: dayOf(new Date()), width: widthOf('revenue') }));
  replace('funnel', renderFunnel(funnel, widthOf('funnel')));
  replace('products', renderProducts(sales, widthOf('products')));
  replace('stock', renderStock(stock.products, widthOf('stock')));
  replace('orders', renderOrders(orders));
  const info = pageInfo(orders);
  element('page-info').textContent = info.text;
  const previous = element('prev-page') as HTMLButtonElement;
  const next = element('next-page') as HTMLButtonElement;
  // A pager button disabled while it has focus would drop focus to <body>: keep it in the pager.
  const focused = document.activeElement;
  previous.disabled = !info.hasPrevious;
  next.disabled = !info.hasNext;
  if (focused instanceof HTMLButtonElement && focused.disabled) {
    const other = focused === next ? previous : next;
    (other.disabled ? element('page-info') : other).focus();
  }
}

/** The last page there is for these orders (1 when none match). */
const lastPage = ({ total, pageSize }: Snapshot['orders']) =>
  Math.max(1, Math.ceil(total / pageSize));

export interface DashboardEvents {
  /** The token no longer works (e.g. the server restarted with another ADMIN_TOKEN). */
  onRefused(problem: Problem): void;
}

/** Shows `first` (the snapshot that proved the token) and keeps the page current until stopped. */
export function startDashboard(
  api: AnalyticsApi,
  first: Snapshot,
  events: DashboardEvents,
): { stop(): void } {
  let page = 1;
  let last = first;
  let stopped = false;
  const listening = new AbortController();
  const { signal } = listening;
  const status = element('live-status');
  const error = element('dashboard-error');

  const refresh = coalesce(async () => {
    const filters = readFilters(page);
    if (typeof filters === 'string') {
      error.textContent = filters;
      return;
    }
    try {
      let snapshot = await api.load(filters);
      if (stopped) return;
      // Fewer orders match since this page was turned to (a live update, a quick double
      // click): show the last page there is, not an empty one past it.
      if (page > lastPage(snapshot.orders)) {
        page = lastPage(snapshot.orders);
        const again = readFilters(page);
        if (typeof again !== 'string') snapshot = await api.load(again);
        if (stopped) return;
      }
      last = snapshot;
      error.textContent = '';
      draw(snapshot);
    } catch (cause) {
      const problem = problemOf(cause);
      if (problem.kind === 'unauthorized' || problem.kind === 'forbidden')
        events.onRefused(problem);
      else error.textContent = problem.message;
    }
  });

  watchFilters(() => {
    page = 1;
    void refresh();
  }, signal);
  const turnPage = (delta: number) => () => {
    page = Math.max(1, page + delta);
    void refresh();
  };
  element('prev-page').addEventListener('click', turnPage(-1), { signal });
  element('next-page').addEventListener('click', turnPage(1), { signal });

  let resizeFrame = 0;
  const resize = new ResizeObserver(() => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => draw(last));
  });
  resize.observe(element('revenue'));

  status.textContent = 'Connecting…';
  // The first tick arrives on connecting, which also covers changes between `first` and now.
  const subscription = api.watch({
    onTick: () => void refresh(),
    onLive: () => {
      status.textContent = 'Live';
      status.dataset.state = 'live';
    },
    onReconnecting: () => {
      status.textContent = 'Reconnecting…';
      status.dataset.state = 'offline';
    },
    onError: (cause) => {
      const problem = problemOf(cause);
      if (problem.kind === 'unauthorized' || problem.kind === 'forbidden')
        events.onRefused(problem);
      else {
        status.textContent = 'Live updates stopped: reload the page';
        status.dataset.state = 'offline';
      }
    },
  });

  draw(first);
  return {
    stop() {
      stopped = true;
      listening.abort();
      subscription.unsubscribe();
      resize.disconnect();
    },
  };
}
