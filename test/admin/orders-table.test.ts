/**
 * The analytics page counts and filters in UTC days, so its orders table shows times in UTC
 * too: an analyst west of UTC who filters one day sees that day's orders created on that day.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderOrders } from '../../demo/admin/orders';
import { type FakeNode, installFakeDom } from './support/fake-dom';

const previousTz = process.env.TZ;
let removeDom: () => void;
beforeAll(() => {
  removeDom = installFakeDom();
  // An analyst in New York (UTC-5 in November).
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  removeDom();
  if (previousTz === undefined) delete process.env.TZ;
  else process.env.TZ = previousTz;
});

it('shows an order filtered into the UTC day 2026-11-27 as created on 27 Nov, wherever the browser is', () => {
  const [table] = renderOrders(
    {
      page: 1,
      pageSize: 10,
      total: 1,
      orders: [
        {
          orderId: '00000000-0000-4000-8000-000000000001',
          status: 'paid',
          email: 'ada@example.com',
          currency: 'eur',
          total: 4500,
          units: 1,
          // 01:30 UTC on the 27th: counted (and filtered) on 2026-11-27.
          createdAt: '2026-11-27T01:30:00.000Z',
          updatedAt: '2026-11-27T01:31:00.000Z',
          paidAt: '2026-11-27T01:31:00.000Z',
          amountPaid: 4500,
          sessionId: 'cs_test_1',
          flags: { mismatch: false, late: false },
          shortfall: [],
        },
      ],
    },
    'en-GB',
  ) as unknown as FakeNode[];
  const created = table!.find('time')!;
  expect(created.attributes.datetime).toBe('2026-11-27T01:30:00.000Z');
  expect(created.textContent).toMatch(/^27 Nov 2026, 01:30/);
});
