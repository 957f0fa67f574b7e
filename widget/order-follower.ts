/**
 * Following an order once the shopper is back from Stripe: its live status, one
 * `stripe-cart:paid` per order in this browser, and when to stop listening.
 */
import type { ReactiveControllerHost } from 'lit';
import type { OrderView, ShopApi, Subscription } from './api';
import { emit } from './events';
import { classifyFailure } from './state/failure';
import { isFinal, isNewer } from './state/order-status';
import type { OrderMarks } from './state/storage';

interface FollowedOrder {
  id: string;
  sessionId: string | undefined;
  view: OrderView | null;
}

export class OrderFollower {
  /** The element sets and clears it along with its own state, so those changes re-render. */
  order: FollowedOrder | null = null;
  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #onStatus: (view: OrderView) => void;
  readonly #onMissing: () => void;
  #watch: Subscription | undefined;

  /**
   * `onStatus` hears each new status; `onMissing`, that the server has no such order, after
   * which it is followed no more.
   */
  constructor(
    host: ReactiveControllerHost & EventTarget,
    onStatus: (view: OrderView) => void,
    onMissing: () => void,
  ) {
    this.#host = host;
    this.#onStatus = onStatus;
    this.#onMissing = onMissing;
  }

  /** Follows the current order, if any, until `stop()`; `marks` keeps its paid news to one. */
  follow(shop: ShopApi, marks: OrderMarks): void {
    if (!this.order) return;
    const { id, sessionId } = this.order;
    const show = (view: OrderView) => {
      if (this.order?.id !== id || !isNewer(this.order.view, view)) return;
      const previous = this.order.view?.status;
      this.order = { ...this.order, view };
      this.#host.requestUpdate();
      if (view.status !== previous) this.#onStatus(view);
      if (view.status === 'paid' && !marks.has(`paid:${id}`)) {
        marks.set(`paid:${id}`, true);
        emit(this.#host, 'stripe-cart:paid', {
          orderId: id,
          total: view.total,
          currency: view.currency,
          lines: view.lines.map(({ sku, name, quantity, unitAmount }) => ({
            sku,
            name,
            quantity,
            unitAmount,
          })),
        });
      }
      if (isFinal(view.status)) subscription.unsubscribe();
    };
    const reportError = (error: unknown) => {
      if (this.order?.id !== id) return;
      const failure = classifyFailure(error);
      emit(this.#host, 'stripe-cart:error', {
        kind: failure.kind,
        message: failure.message,
        orderId: id,
      });
      // A mistyped, cut or stale address: no order to show, and nothing to wait for.
      const code = (error as { data?: { code?: string } }).data?.code;
      if (code === 'NOT_FOUND' || code === 'BAD_REQUEST') {
        this.order = null;
        this.stop();
        this.#onMissing();
      }
    };
    // The session check makes "paid" show even before Stripe's webhook arrives.
    if (sessionId) shop.getOrder(id, sessionId).then(show, reportError);
    const subscription = shop.watchOrder(id, { onData: show, onError: reportError });
    this.#watch = subscription;
  }

  stop(): void {
    this.#watch?.unsubscribe();
  }
}
