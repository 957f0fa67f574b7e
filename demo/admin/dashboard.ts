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

/** What each section was last drawn from: one redrawn from the same is left alone. */
const drawnFrom = new Map<string, string>();

/**
 * Draws a section anew only when what it shows changed: a live tick about a restock leaves
 * the orders table, and a screen reader's place in it, as they were.
 */
function replace(id: string, from: unknown, render: () => Node[]): void {
  const key = JSON.stringify(from);
  if (drawnFrom.get(id) === key) return;
  drawnFrom.set(id, key);
  element(id).replaceChildren(...render());
}

/** The revenue chart is drawn at its container's width, so one SVG unit is one CSS pixel. */
const widthOf = (id: string) => Math.max(240, Math.floor(element(id).clientWidth || 600));

function draw(snapshot: Snapshot): void {
  const { sales, funnel, orders, stock } = snapshot;
  const today = dayOf(new Date());
  replace('totals', [sales, funnel], () => renderTotals(sales, funnel));
  const revenue = { sales, today, width: widthOf('revenue') };
  replace('revenue', revenue, () => renderRevenue(revenue));
  replace('funnel', funnel, () => renderFunnel(funnel));
  replace('products', sales, () => renderProducts(sales));
  replace('stock', stock, () => renderStock(stock.products));
  replace('orders', orders, () => renderOrders(orders));
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

  const say = (text: string, state: 'connecting' | 'live' | 'offline') => {
    status.textContent = text;
    status.dataset.state = state;
  };
  say('Connecting…', 'connecting');
  // A stream the browser gave up on (a proxy's 502 while the server restarts) is opened
  // again, after 1 s, then 2, 4… up to 30 s, until it connects.
  let retryMs = 1_000;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let subscription: { unsubscribe(): void } | undefined;
  const watch = () => {
    // The first tick arrives on connecting, which also covers changes since the last load.
    subscription = api.watch({
      onTick: () => void refresh(),
      onLive: () => {
        retryMs = 1_000;
        say('Live', 'live');
      },
      onReconnecting: () => say('Reconnecting…', 'offline'),
      onError: (cause) => {
        const problem = problemOf(cause);
        if (problem.kind === 'unauthorized' || problem.kind === 'forbidden') {
          events.onRefused(problem);
          return;
        }
        subscription?.unsubscribe();
        if (stopped) return;
        say('Reconnecting…', 'offline');
        retry = setTimeout(watch, retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
      },
    });
  };
  watch();

  drawnFrom.clear();
  draw(first);
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      listening.abort();
      subscription?.unsubscribe();
      resize.disconnect();
    },
  };
}
