import { expect, it } from 'vitest';
import { PENDING_RECHECK_MS, PendingChecks } from '../../server/checkout/sweep';

it('lets the sweep ask Stripe about a pending order once an hour, each order on its own clock', () => {
  const checks = new PendingChecks();
  expect(checks.due('a', 0)).toBe(true);
  expect(checks.due('a', PENDING_RECHECK_MS - 1)).toBe(false);
  expect(checks.due('b', PENDING_RECHECK_MS - 1)).toBe(true);
  expect(checks.due('a', PENDING_RECHECK_MS)).toBe(true);
  expect(checks.due('b', PENDING_RECHECK_MS)).toBe(false);
});
