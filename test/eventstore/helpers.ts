import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import {
  type EventData,
  type EventStore,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
  WrongExpectedVersionError,
} from '../../server/eventstore/port';

/** A stream-name prefix no other test (or earlier run against a shared server) uses. */
export function uniquePrefix(label: string): string {
  return `contract_${label}_${randomUUID().replaceAll('-', '')}`;
}

export function newEvent(type = 'ContractTested', data: Record<string, unknown> = {}): EventData {
  const id = randomUUID();
  return { id, type, data: { ...data, id }, metadata: { correlationId: `order-${id}` } };
}

export function newEvents(count: number, type?: string): EventData[] {
  return Array.from({ length: count }, (_, n) => newEvent(type, { n }));
}

/** The last position in `$all` now: later appends come after it, earlier ones (of other tests) at or before it. */
export async function headPosition(store: EventStore): Promise<bigint | 'start'> {
  const [last] = await store.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 });
  return last?.position ?? 'start';
}

export async function conflictOf(attempt: Promise<unknown>): Promise<WrongExpectedVersionError> {
  const error = await attempt.then(
    () => new Error('expected a WrongExpectedVersionError, the append succeeded'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  return error as WrongExpectedVersionError;
}

export function ids(events: readonly { id: string }[]): string[] {
  return events.map((e) => e.id);
}

/** Reads a subscription message by message, failing (not hanging) when nothing arrives in time. */
export class MessageReader {
  private readonly iterator: AsyncIterator<SubscriptionMessage>;

  constructor(readonly subscription: Subscription) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  async next(timeoutMs = 10_000): Promise<SubscriptionMessage> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no subscription message within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([this.iterator.next(), timeout]);
      if (result.done) throw new Error('the subscription ended');
      return result.value;
    } finally {
      clearTimeout(timer);
    }
  }

  async nextEvent(timeoutMs?: number): Promise<RecordedEvent> {
    const message = await this.next(timeoutMs);
    if (message.kind !== 'event') throw new Error(`expected an event, got ${message.kind}`);
    return message.event;
  }

  /** The events delivered before the caught-up signal. */
  async untilCaughtUp(): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (;;) {
      const message = await this.next();
      if (message.kind === 'caughtUp') return events;
      events.push(message.event);
    }
  }

  close(): Promise<void> {
    return this.subscription.close();
  }
}
