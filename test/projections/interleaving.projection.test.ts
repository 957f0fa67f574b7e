/**
 * Events of one stream arrive in order, but streams interleave arbitrarily in $all: every
 * interleaving of the same streams must leave the same read models.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryReadModels, Projector } from '../../projections/apply';
import {
  adjusted,
  cartValidated,
  checkoutExpired,
  checkoutStarted,
  type DomainEvent,
  disputeClosed,
  listed,
  ORDER,
  OTHER_ORDER,
  paymentCompleted,
  paymentDisputed,
  paymentPending,
  paymentRefunded,
  released,
  reserved,
  retaken,
} from './builders';

const streams: DomainEvent[][] = [
  [
    cartValidated([
      { sku: 'mug', quantity: 2 },
      { sku: 'tee', quantity: 1 },
    ]),
    checkoutStarted(4500),
    paymentPending(),
    paymentCompleted(4500),
    paymentRefunded(1000, 1000),
    paymentDisputed(3500),
    disputeClosed('lost', 3500),
  ],
  [
    cartValidated([{ sku: 'mug', quantity: 1 }], OTHER_ORDER),
    checkoutStarted(1500, OTHER_ORDER),
    checkoutExpired(OTHER_ORDER),
    paymentCompleted(1500, OTHER_ORDER, '2T10:01:00', true),
  ],
  [
    listed('mug'),
    adjusted('mug', 10),
    reserved('mug', 2, ORDER),
    reserved('mug', 1, OTHER_ORDER),
    released('mug', 1, 'expired', OTHER_ORDER),
    // The late payment's unit, taken back once it was paid.
    retaken('mug', 1, OTHER_ORDER),
  ],
  [
    listed('tee'),
    adjusted('tee', 5),
    reserved('tee', 1, ORDER),
    released('tee', 1, 'swept', ORDER),
  ],
];

function project(events: DomainEvent[]) {
  const models = memoryReadModels();
  const projector = new Projector(models);
  for (const event of events) projector.apply(event);
  return Object.fromEntries(
    Object.entries(models).map(([name, table]) => [
      name,
      Object.fromEntries([...(table as Map<string, unknown>)].sort()),
    ]),
  );
}

/** Merges the streams, taking the next event of the stream each choice points at. */
function interleave(choices: number[]): DomainEvent[] {
  const cursors = streams.map(() => 0);
  const merged: DomainEvent[] = [];
  let i = 0;
  while (merged.length < streams.flat().length) {
    const open = streams.map((_, s) => s).filter((s) => cursors[s]! < streams[s]!.length);
    const s = open[(choices[i++] ?? 0) % open.length]!;
    merged.push(streams[s]![cursors[s]!]!);
    cursors[s]! += 1;
  }
  return merged;
}

describe('projections under any interleaving of streams', () => {
  const sequential = project(streams.flat());

  it('leave the same read models whatever the order of streams in $all', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 20, maxLength: 20 }), (choices) => {
        expect(project(interleave(choices))).toEqual(sequential);
      }),
      { numRuns: 300 },
    );
  });

  it('end with the figures the streams imply', () => {
    expect(sequential.products).toMatchObject({
      mug: { onHand: 10, reserved: 0, sold: 3, available: 7 },
      tee: { onHand: 5, reserved: 0, sold: 0, available: 5 },
    });
    expect(sequential.salesDaily).toEqual({
      '2024-03-01|eur': {
        day: '2024-03-01',
        currency: 'eur',
        revenue: 4500,
        orders: 1,
        units: 3,
        refunded: 0,
        lost_to_disputes: 0,
      },
      '2024-03-02|eur': {
        day: '2024-03-02',
        currency: 'eur',
        revenue: 1500,
        orders: 1,
        units: 1,
        refunded: 0,
        lost_to_disputes: 0,
      },
      // The refund on its own day; the sale's day keeps its revenue.
      '2024-03-03|eur': {
        day: '2024-03-03',
        currency: 'eur',
        revenue: 0,
        orders: 0,
        units: 0,
        refunded: 1000,
        lost_to_disputes: 0,
      },
      // The dispute lost, on the day it closed.
      '2024-03-06|eur': {
        day: '2024-03-06',
        currency: 'eur',
        revenue: 0,
        orders: 0,
        units: 0,
        refunded: 0,
        lost_to_disputes: 3500,
      },
    });
  });
});
