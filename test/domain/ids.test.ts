import fc from 'fast-check';
import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { deterministicId, orderIdFor, uuidV5 } from '../../server/domain/ids';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const bytes = (uuid: string) => Buffer.from(uuid.replaceAll('-', ''), 'hex');

describe('deterministic ids', () => {
  it("give RFC 9562's version 5 example", () => {
    expect(uuidV5('www.example.com', bytes(DNS))).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('equal the uuid package for any name and namespace', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.uuid(), (name, namespace) => {
        expect(uuidV5(name, bytes(namespace))).toBe(v5(name, namespace));
      }),
      { numRuns: 2_000 },
    );
  });

  // Ids already in stores: a change here would let a redelivered event be recorded again.
  it('keep the ids stores already hold', () => {
    expect(orderIdFor('0b6f1c2e-3a4d-4e5f-8a9b-0c1d2e3f4a5b')).toBe(
      'a408e6ac-fa67-5c58-b34b-8bd247f747f1',
    );
    expect(deterministicId('stripe', 'evt_1QxYz2AbCdEfGhIj', 'PaymentCompleted')).toBe(
      '0fec5d4d-4ac2-520a-bafb-b1edd71e1dee',
    );
  });
});
