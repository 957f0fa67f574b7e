import type { JsonObject } from './fixtures';
import { newEventId } from './ids';
import type { CheckoutSessionObject } from './sessionObject';

/** The API request that caused an event; null for the shopper's own actions on the page. */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

export interface StripeEventObject {
  id: string;
  object: 'event';
  api_version: string | null;
  created: number;
  data: { object: CheckoutSessionObject };
  livemode: false;
  pending_webhooks: number;
  request: EventRequest;
  type: string;
  [field: string]: unknown;
}

export interface NewEvent {
  type: string;
  session: CheckoutSessionObject;
  apiVersion: string | null;
  created: number;
  pendingWebhooks: number;
  request?: EventRequest;
}

export function buildEvent(event: NewEvent, template: JsonObject): StripeEventObject {
  return {
    ...template,
    id: newEventId(),
    object: 'event',
    api_version: event.apiVersion,
    created: event.created,
    // A snapshot: later changes to the session must not show up in an already-sent event.
    data: { object: structuredClone(event.session) },
    livemode: false,
    pending_webhooks: event.pendingWebhooks,
    request: event.request ?? { id: null, idempotency_key: null },
    type: event.type,
  };
}
