/**
 * The EventStoreDB adapter's subscription when the server ends it on its own: the store
 * forgets it, as it does one closed by its reader, so a long-running server keeps none.
 */
import { EventEmitter } from 'node:events';
import type { AllStreamSubscription } from '@eventstore/db-client';
import { expect, it } from 'vitest';
import { EsdbSubscription } from '../../server/eventstore/esdb-subscription';

it('tells the store once when the server ends the subscription, and ends its reader', async () => {
  const inner = Object.assign(new EventEmitter(), {
    readableLength: 0,
    isPaused: () => false,
    resume: () => {},
    pause: () => {},
    unsubscribe: async () => {},
  });
  const forgotten: EsdbSubscription[] = [];
  const subscription = new EsdbSubscription(
    inner as unknown as AllStreamSubscription,
    () => undefined,
    (closed) => forgotten.push(closed),
  );
  const reading = subscription[Symbol.asyncIterator]().next();
  inner.emit('end');
  expect(await reading).toEqual({ value: undefined, done: true });
  await subscription.close();
  expect(forgotten).toEqual([subscription]);
});
