import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEvent, compiledEventTypes } from '../../server/domain/event-check';
import { eventSchemas, toDomainEvent } from '../../server/domain/events';
import { SqliteEventStore } from '../../server/eventstore/sqlite';
import { generateHistory } from '../projections/history';

type Outcome = { ok: true; value: unknown } | { ok: false; message: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** checkEvent must give exactly what toDomainEvent gives: the same data, or the same error. */
function expectSameAsZod(stored: { type: string; data: unknown }): void {
  const fast = outcome(() => checkEvent(stored));
  const zod = outcome(() => toDomainEvent(stored));
  expect(fast).toEqual(zod);
}

async function realEvents(): Promise<{ type: string; data: unknown }[]> {
  const store = SqliteEventStore.open(':memory:');
  try {
    await generateHistory(store, { orders: 300, seed: 5 });
    return (await store.readAll()).map((e) => ({ type: e.type, data: e.data }));
  } finally {
    await store.close();
  }
}

/** A value of the kinds JSON can hold, unusual ones included (surrogate pairs, huge numbers). */
const jsonish = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.string({ maxLength: 3 }),
  fc.constantFrom('', 'eur', 'EUR', 'sku-001', '2024-03-01T10:00:00.000Z', '2024-02-30T10:00:00Z'),
  fc.constantFrom('00000000-0000-4000-8000-000000000001', 'not-a-uuid', '\u{1F600}'.repeat(65)),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 99_999_999, 100_000_000, 2 ** 53, -0, Number.NaN),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);

describe('compiled event checks', () => {
  it('compiles every schema of the catalogue', () => {
    expect([...compiledEventTypes].sort()).toEqual(Object.keys(eventSchemas).sort());
  });

  it('accepts every event of a generated history, with the data zod returns', async () => {
    const events = await realEvents();
    expect(events.length).toBeGreaterThan(1_000);
    for (const event of events) expectSameAsZod(event);
  });

  it('agrees with zod on mutated events: a field changed, removed or added', async () => {
    const events = await realEvents();
    fc.assert(
      fc.property(
        fc.constantFrom(...events),
        fc.nat(),
        fc.constantFrom('set', 'delete', 'add', 'set-nested'),
        jsonish,
        ({ type, data }, pick, change, value) => {
          const copy = structuredClone(data) as Record<string, unknown>;
          const keys = Object.keys(copy);
          const key = keys[pick % keys.length]!;
          if (change === 'set') copy[key] = value;
          else if (change === 'delete') delete copy[key];
          else if (change === 'add') copy[`extra${pick % 3}`] = value;
          else {
            const nested = Object.values(copy).find((v) => typeof v === 'object' && v !== null);
            const target = (Array.isArray(nested) ? nested[0] : nested) as
              | Record<string, unknown>
              | undefined;
            if (target) target[Object.keys(target)[pick % Object.keys(target).length]!] = value;
          }
          expectSameAsZod({ type, data: copy });
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('sends unknown types and non-objects to zod (same error)', () => {
    expectSameAsZod({ type: 'NoSuchEvent', data: {} });
    expectSameAsZod({ type: 'CartValidated', data: null });
    expectSameAsZod({ type: 'CartValidated', data: [] });
  });
});

describe('events from before a field existed', () => {
  const listing = {
    sku: 'PELE-1958',
    name: 'Pelé',
    description: '',
    image: '/images/pele.svg',
    unitAmount: 18900,
    currency: 'eur',
    at: '2026-11-26T10:00:00.000Z',
  };

  it('name the catalog file as the source of what it listed, from their metadata', () => {
    const metadata = { correlationId: 'PELE-1958', causationId: 'catalog-file' };
    for (const type of ['ProductListed', 'ProductUpdated']) {
      expect(checkEvent({ type, data: listing, metadata }).data).toEqual({
        ...listing,
        source: 'catalog-file',
      });
    }
  });

  it('leave what the admin API listed or changed without a source', () => {
    const metadata = { correlationId: 'PELE-1958', causationId: 'admin' };
    expect(checkEvent({ type: 'ProductUpdated', data: listing, metadata }).data).toEqual(listing);
    expect(checkEvent({ type: 'ProductUpdated', data: listing }).data).toEqual(listing);
  });
});
