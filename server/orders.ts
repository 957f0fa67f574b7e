/**
 * Reads one order as shoppers see it: its own stream folded through the order
 * projection, so `order.get` always reflects the last append (no projection lag).
 */

import type { OrderView } from '../projections/order';
import { evolveOrder } from '../projections/order';
import { checkEvent } from './domain/event-check';
import { orderStream } from './domain/events';
import type { EventStore } from './eventstore/port';
import { StreamNotFoundError } from './eventstore/port';

export interface OrderSnapshot {
  view: OrderView;
  /** Revision of the order stream the view was folded to; the resume token of `order.watch`. */
  revision: bigint;
}

export async function readOrder(store: EventStore, orderId: string): Promise<OrderSnapshot | null> {
  try {
    let view: OrderView | null = null;
    let revision = -1n;
    for (const recorded of await store.readStream(orderStream(orderId))) {
      view = evolveOrder(view, checkEvent(recorded));
      revision = recorded.revision;
    }
    return view ? { view, revision } : null;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return null;
    throw error;
  }
}
