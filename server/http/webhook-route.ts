/**
 * `POST /webhooks/stripe`. The signature is checked on the exact raw bytes, so this route
 * parses its own body. It answers 200 once the outcome is durably appended (or there
 * was nothing to do) and only then gives stock back (or takes a late payment's back);
 * should that fail or the process die first, the reservation sweep finishes it.
 */
import type { FastifyInstance } from 'fastify';
import type { StripeOutcome } from '../checkout/order';
import { DomainError } from '../domain/decider';
import { isOrderId } from '../domain/ids';
import { WrongExpectedVersionError } from '../eventstore/port';
import { recordDispute, recordRefunds } from '../payments/record-charge';
import { recordStripeOutcome } from '../payments/record-outcome';
import {
  MalformedWebhookError,
  type StripeNotification,
  StripeRefusedError,
  StripeUnavailableError,
  WebhookSignatureError,
} from '../payments/stripe-gateway';
import type { Services } from '../services';
import { refused } from './request-log';

const OUTCOMES: Record<string, StripeOutcome> = {
  'checkout.session.completed': 'completed',
  'checkout.session.async_payment_succeeded': 'async_succeeded',
  'checkout.session.async_payment_failed': 'async_failed',
  'checkout.session.expired': 'expired',
};

/** Records what the notification says; null when it says nothing about this shop's orders. */
async function record(services: Services, notification: StripeNotification) {
  const { id: stripeEventId, created: occurredAt, news } = notification;
  switch (news.kind) {
    case 'refunds': {
      const { charge, refundId } = news;
      return charge && recordRefunds(services, { stripeEventId, occurredAt, charge, refundId });
    }
    case 'dispute':
      return recordDispute(services, { stripeEventId, dispute: news.dispute, occurredAt });
    case 'session': {
      const { session } = news;
      const outcome = OUTCOMES[notification.type];
      const orderId = session.orderId;
      if (!outcome || !orderId || !isOrderId(orderId)) return null;
      const done = await recordStripeOutcome(services, {
        orderId,
        outcome,
        session,
        stripeEventId,
        occurredAt,
      });
      return { ...done, orderId };
    }
    case 'other':
      return null;
  }
}

/** Refused webhooks are said at most once in this long, with how many came since. */
const REFUSALS_EVERY_MS = 10_000;

export async function webhookRoute(app: FastifyInstance, services: Services): Promise<void> {
  // A wrong secret after a rotation says so at once; a flood of forged events (which the
  // refusals metric counts) writes a line now and then, not one each.
  let lastSaid = Number.NEGATIVE_INFINITY;
  let unsaid = 0;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: 512 * 1024 },
      (_req, body, done) => done(null, body),
    );

    scope.post('/webhooks/stripe', async (request, reply) => {
      const raw = request.body;
      if (!Buffer.isBuffer(raw) || raw.length === 0) {
        return reply
          .code(400)
          .send({ error: refused(request, 'Expected the raw JSON body Stripe sends') });
      }
      let notification: ReturnType<Services['stripe']['verifyWebhook']>;
      try {
        notification = services.stripe.verifyWebhook(
          raw,
          request.headers['stripe-signature'] as string | undefined,
        );
      } catch (error) {
        const unsigned = error instanceof WebhookSignatureError;
        if (unsigned || error instanceof MalformedWebhookError) {
          services.metrics.webhooks.labels('unverified', 'refused').inc();
          const now = performance.now();
          if (now - lastSaid < REFUSALS_EVERY_MS) unsaid++;
          else {
            request.log.warn(
              { reason: error.message, alsoRefusedSince: unsaid },
              'webhook refused',
            );
            lastSaid = now;
            unsaid = 0;
          }
          const what = unsigned ? 'Webhook signature verification failed' : 'Malformed webhook';
          return reply.code(400).send({ error: refused(request, `${what}: ${error.message}`) });
        }
        throw error;
      }
      const count = (result: string) =>
        services.metrics.webhooks.labels(notification.type, result).inc();
      const ignored = () => {
        count('ignored');
        return reply.code(200).send({ received: true, ignored: notification.type });
      };
      try {
        const recorded = await services.afterReply.track(record(services, notification));
        // Not an event acted on, or news of a payment made other than through this shop.
        if (!recorded) return ignored();
        const { orderId } = recorded;
        count(recorded.events.length > 0 ? 'recorded' : 'nothing_to_do');
        reply.code(200).send({ received: true, recorded: recorded.events.map((e) => e.type) });
        services.afterReply.run(recorded.followUp, (error) =>
          request.log.error({ err: error, orderId }, 'stock follow-up failed'),
        );
        return reply;
      } catch (error) {
        count('failed');
        if (error instanceof DomainError) {
          // Signed by Stripe but never applicable (no such order, a session of another
          // order): a 4xx would have Stripe retry it for days and then disable the endpoint.
          request.log.warn({ code: error.code, event: notification.id }, 'webhook not applied');
          return reply
            .code(200)
            .send({ received: true, ignored: error.code, error: error.message });
        }
        if (error instanceof WrongExpectedVersionError) {
          return reply.code(503).send({ error: 'The order is busy; Stripe will retry' });
        }
        // A refund's or dispute's order is found by asking Stripe.
        if (error instanceof StripeUnavailableError || error instanceof StripeRefusedError) {
          return reply.code(503).send({
            error: refused(
              request,
              `Stripe could not be asked; Stripe will retry: ${error.message}`,
            ),
          });
        }
        throw error;
      }
    });
  });
}
