/**
 * The analytics page counts and filters in UTC days, so its orders table shows times in UTC
 * too: an analyst west of UTC who filters one day sees that day's orders created on that day.
 * A paid order Stripe gave money back on says so beside its status, in words, and so does one
 * the shopper's bank disputed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderSummary } from '../../demo/admin/api';
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

const paidOrder: OrderSummary = {
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
  refunded: 0,
  disputes: [],
  lostToDisputes: 0,
};

/** The table of one order, as the page draws it for an analyst in Britain. */
const tableOf = (order: OrderSummary): FakeNode => {
  const [table] = renderOrders(
    { page: 1, pageSize: 10, total: 1, orders: [order] },
    'en-GB',
  ) as unknown as FakeNode[];
  return table!;
};

/** The status cell's tags (status first, then the flags), each as its text. */
const tagsOf = (order: OrderSummary): string[] =>
  tableOf(order)
    .find('tbody')!
    .findAll('span')
    .map((span) => span.textContent);

it('shows an order filtered into the UTC day 2026-11-27 as created on 27 Nov, wherever the browser is', () => {
  const created = tableOf(paidOrder).find('time')!;
  expect(created.attributes.datetime).toBe('2026-11-27T01:30:00.000Z');
  expect(created.textContent).toMatch(/^27 Nov 2026, 01:30/);
});

describe('refunds beside the status', () => {
  it('shows none when nothing was refunded', () => {
    expect(tagsOf(paidOrder)).toEqual(['Paid']);
  });

  it('shows the sum refunded of a partly refunded order', () => {
    expect(tagsOf({ ...paidOrder, refunded: 2000 })).toEqual(['Paid', 'Refunded €20.00']);
  });

  it('says "in full" once all that was paid went back, the sum in its title', () => {
    const tags = tableOf({ ...paidOrder, refunded: 4500 })
      .find('tbody')!
      .findAll('span');
    expect(tags.map((tag) => tag.textContent)).toEqual(['Paid', 'Refunded in full']);
    expect(tags[1]!.attributes.class).toBe('status status-refunded');
    expect(tags[1]!.attributes.title).toBe('€45.00 refunded');
  });

  it('measures "in full" against what was paid, not the total, after a mismatch', () => {
    const mismatched = { ...paidOrder, amountPaid: 4000, flags: { mismatch: true, late: false } };
    expect(tagsOf({ ...mismatched, refunded: 4000 })).toEqual([
      'Paid',
      'Amount mismatch',
      'Refunded in full',
    ]);
    expect(tagsOf({ ...mismatched, refunded: 3999 })).toEqual([
      'Paid',
      'Amount mismatch',
      'Refunded €39.99',
    ]);
  });

  it('shows the sum in the currency of the order, with its own minor unit', () => {
    const yen = { ...paidOrder, currency: 'jpy', total: 3000, amountPaid: 3000, refunded: 1000 };
    expect(tagsOf(yen)).toEqual(['Paid', 'Refunded JP¥1,000']);
  });
});

describe('disputes beside the status', () => {
  type Dispute = OrderSummary['disputes'][number];
  const opened: Dispute = {
    id: 'dp_test_1',
    amount: 4500,
    reason: 'product_not_received',
    inquiry: false,
    at: '2026-11-30T10:00:00.000Z',
    outcome: null,
    closedAt: null,
    losses: [],
  };
  const closed = (outcome: NonNullable<Dispute['outcome']>): Dispute => ({
    ...opened,
    outcome,
    closedAt: '2026-12-20T10:00:00.000Z',
  });
  /** The tags of the paid order with these disputes, each as its text and class. */
  const disputed = (disputes: Dispute[], more: Partial<OrderSummary> = {}) =>
    tableOf({ ...paidOrder, disputes, ...more })
      .find('tbody')!
      .findAll('span')
      .map((span) => ({ text: span.textContent, class: span.attributes.class }));

  it.each([
    ['open', opened, 'Disputed €45.00', 'status status-disputed'],
    ['an open inquiry', { ...opened, inquiry: true }, 'Inquiry €45.00', 'status status-disputed'],
    ['lost', closed('lost'), 'Dispute lost €45.00', 'status status-dispute-lost'],
    ['won', closed('won'), 'Dispute won', 'status status-dispute-won'],
    ['prevented', closed('prevented'), 'Dispute prevented', 'status status-dispute-won'],
    [
      'an inquiry closed',
      { ...closed('warning_closed'), inquiry: true },
      'Inquiry closed',
      'status status-inquiry-closed',
    ],
  ])('tags a dispute %s', (_name, dispute, text, className) => {
    expect(disputed([dispute])).toEqual([
      { text: 'Paid', class: 'status status-paid' },
      { text, class: className },
    ]);
  });

  it("gives the sum and the bank's reason in the tag's title", () => {
    const [, tag] = tableOf({ ...paidOrder, disputes: [closed('won')] })
      .find('tbody')!
      .findAll('span');
    expect(tag!.attributes.title).toBe('€45.00 disputed: product not received');
  });

  it('shows no dispute tag once the charge was refunded to close it, only the refund', () => {
    const refundedToClose = { refunded: 4500, lostToDisputes: 0 };
    expect(disputed([closed('charge_refunded')], refundedToClose).map((t) => t.text)).toEqual([
      'Paid',
      'Refunded in full',
    ]);
  });

  it('shows a part refunded and a dispute lost side by side', () => {
    const lost = { ...closed('lost'), amount: 2500 };
    expect(disputed([lost], { refunded: 2000, lostToDisputes: 2500 }).map((t) => t.text)).toEqual([
      'Paid',
      'Refunded €20.00',
      'Dispute lost €25.00',
    ]);
  });

  it.each([
    ['recorded in order', (a: Dispute, b: Dispute) => [a, b]],
    ['recorded out of order', (a: Dispute, b: Dispute) => [b, a]],
  ])('tags the dispute opened last, %s', (_name, recorded) => {
    const earlier = { ...closed('won'), id: 'dp_test_0', at: '2026-11-28T10:00:00.000Z' };
    expect(disputed(recorded(earlier, opened)).map((t) => t.text)).toEqual([
      'Paid',
      'Disputed €45.00',
    ]);
  });

  it('shows the sum in the currency of the order, with its own minor unit', () => {
    const yen = { currency: 'jpy', total: 3000, amountPaid: 3000 };
    const lost = { ...closed('lost'), amount: 3000 };
    expect(disputed([lost], yen).map((t) => t.text)).toEqual(['Paid', 'Dispute lost JP¥3,000']);
  });
});
