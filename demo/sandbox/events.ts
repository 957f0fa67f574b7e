import type { ChargeObject, DisputeObject, RefundObject } from './chargeObject';
import type { JsonObject } from './fixtures';
import { newEventId } from './ids';
import type { CheckoutSessionObject } from './sessionObject';

/**
 * The API request that caused an event; null for what did not come through the API (the
 * shopper's actions on the page, a refund made in the dashboard, a dispute opened by a bank).
 */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

/**
 * An event as Stripe sends it. Typed by default for the session events most readers look
 * for; charge.refunded carries a ChargeObject, refund.created and charge.refund.updated a
 * RefundObject and charge.dispute.* a DisputeObject.
 */
export interface StripeEventObject<T extends EventDataObject = CheckoutSessionObject> {
  id: string;
  object: 'event';
  api_version: string | null;
  created: number;
  /** `previous_attributes`: what an `*.updated` event's change replaced, as Stripe sends it. */
  data: { object: T; previous_attributes?: JsonObject };
  livemode: false;
  pending_webhooks: number;
  request: EventRequest;
  type: string;
  [field: string]: unknown;
}

/** What an event is about: a session (checkout.session.*), a charge, a refund or a dispute. */
export type EventDataObject = CheckoutSessionObject | ChargeObject | RefundObject | DisputeObject;

export type AnyStripeEvent = StripeEventObject<EventDataObject>;

export interface NewEvent<T extends EventDataObject> {
  type: string;
  object: T;
  apiVersion: string | null;
  created: number;
  pendingWebhooks: number;
  request?: EventRequest;
  previousAttributes?: JsonObject;
}

export function buildEvent<T extends EventDataObject>(
  event: NewEvent<T>,
  template: JsonObject,
): StripeEventObject<T> {
  return {
    ...template,
    id: newEventId(),
    object: 'event',
    api_version: event.apiVersion,
    created: event.created,
    // A snapshot: later changes to the object must not show up in an already-sent event.
    data: {
      object: structuredClone(event.object),
      ...(event.previousAttributes ? { previous_attributes: event.previousAttributes } : {}),
    },
    livemode: false,
    pending_webhooks: event.pendingWebhooks,
    request: event.request ?? { id: null, idempotency_key: null },
    type: event.type,
  };
}
