/**
 * The hold guard's bookkeeping for client addresses, which no read model keeps: orders are
 * forgotten once they end or once no checkout could still hold units, so a stream of
 * one-off addresses does not grow the process for ever.
 */
import { expect, it } from 'vitest';
import { HoldGuard, HoldLimitError } from '../../server/checkout/hold-guard';

const HOLD_MS = 60_000;

function guardWith(open: Set<string>) {
  let now = 0;
  const asked: string[][] = [];
  const guard = new HoldGuard(
    {
      byEmail: () => ({ units: 0, position: -1n }),
      open: (ids) => {
        asked.push([...ids]);
        return new Set(ids.filter((id) => open.has(id)));
      },
    },
    { perShopper: 100, perClient: 5, holdMs: HOLD_MS },
    () => now,
  );
  let position = 0n;
  const start = (client: string, orderId: string, units: number) =>
    guard.within({ email: `${orderId}@example.com`, client, orderId }, units, async () => {
      position += 1n;
      return { position, value: orderId };
    });
  return {
    guard,
    asked,
    start,
    projectAll: () => guard.projected(position),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

it('counts an address’s orders until the read models see them end', async () => {
  const open = new Set(['a1', 'a2']);
  const { start, projectAll, asked } = guardWith(open);
  await start('10.0.0.1', 'a1', 3);
  await start('10.0.0.1', 'a2', 2);
  // Within the cap even if every order still held: the read models were not asked.
  expect(asked).toEqual([]);
  // Not yet projected: counted from what this process validated.
  await expect(start('10.0.0.1', 'a3', 1)).rejects.toThrow(HoldLimitError);
  projectAll();
  await expect(start('10.0.0.1', 'a3', 1)).rejects.toThrow(HoldLimitError);
  open.delete('a1');
  await expect(start('10.0.0.1', 'a4', 3)).resolves.toBe('a4');
  await expect(start('10.0.0.2', 'b1', 5)).resolves.toBe('b1');
});

it('forgets addresses whose checkouts can no longer hold anything', async () => {
  const open = new Set(['a1', 'b1']);
  const { start, projectAll, advance, asked } = guardWith(open);
  await start('10.0.0.1', 'a1', 5);
  await start('10.0.0.2', 'b1', 5);
  projectAll();
  advance(HOLD_MS - 1);
  await expect(start('10.0.0.1', 'a2', 1)).rejects.toThrow(HoldLimitError);
  advance(1);
  projectAll();
  asked.length = 0;
  // Both addresses were forgotten: nothing is asked about their old orders.
  await expect(start('10.0.0.1', 'a3', 5)).resolves.toBe('a3');
  await expect(start('10.0.0.2', 'b2', 5)).resolves.toBe('b2');
  expect(asked).toEqual([]);
});

it('counts a shopper’s order once when the read models have it before their news arrives', async () => {
  let projected = { units: 0, position: -1n };
  const guard = new HoldGuard(
    { byEmail: () => projected, open: (ids) => new Set(ids) },
    { perShopper: 4, perClient: 100, holdMs: HOLD_MS },
  );
  let position = 0n;
  const start = (units: number) =>
    guard.within(
      { email: 'a@example.com', client: '10.0.0.9', orderId: `o${position}` },
      units,
      async () => {
        position += 1n;
        return { position, value: 'validated' };
      },
    );
  await start(2);
  // The runner has committed that order (the read models count it) but projected() has not
  // been called yet: its 2 units must not be added a second time.
  projected = { units: 2, position };
  await expect(start(2)).resolves.toBe('validated');
  projected = { units: 4, position };
  await expect(start(1)).rejects.toThrow(HoldLimitError);
});

it('leaves out the orders a changed cart’s Pay has just ended, before the read models see it', async () => {
  const open = new Set(['a1']);
  const { guard, projectAll } = guardWith(open);
  const start = (orderId: string, units: number, ended: string[] = []) =>
    guard.within(
      { email: 'same@example.com', client: '10.0.0.1', orderId, ended },
      units,
      async () => ({
        value: orderId,
      }),
    );
  await guard.within(
    { email: 'same@example.com', client: '10.0.0.1', orderId: 'a1' },
    5,
    async () => ({
      position: 1n,
      value: 'a1',
    }),
  );
  projectAll();
  // The read models still count a1 as open: without it ended, the address is at its cap.
  await expect(start('a2', 3)).rejects.toThrow(HoldLimitError);
  await expect(start('a2', 3, ['a1'])).resolves.toBe('a2');
});
