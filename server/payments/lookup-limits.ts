/**
 * How often the success page may ask Stripe about a session: at most one call per order every
 * few seconds, however often the page is reloaded, and one a second per client after a small
 * burst, however many orders it holds. One per app, on the app's clock.
 */

/** How long after a look at Stripe another request for the same order is answered from the log. */
const RECHECK_AFTER_MS = 5_000;

/**
 * Each client (an address, as clientKey counts them) gets LOOKUP_BURST Stripe lookups at once,
 * refilled at one a second. Honest use is one per payment, and a few shoppers behind one
 * address (an office, a mobile network) returning together fit the burst; a client holding
 * many orders gets at most one a second, a small share of the API calls Stripe allows the
 * shop's account (100 a second in live mode, 25 in test mode). Past it, the shopper sees the
 * status we have: the webhook still comes.
 */
const LOOKUP_BURST = 5;
const LOOKUPS_PER_SECOND = 1;

/** Orders and clients remembered at most, each. */
const MAX_ENTRIES = 10_000;

export class StripeLookups {
  private readonly lastChecked = new Map<string, number>();
  private readonly budgets = new Map<string, { tokens: number; at: number }>();

  /** `now` in milliseconds. */
  constructor(private readonly now: () => number) {}

  /** Whether this request may ask Stripe; a refused one leaves the order free for the next. */
  mayAsk(orderId: string, client: string): boolean {
    const now = this.now();
    // A clock set back does not shut an order out until it catches up: it counts as a while ago.
    const recent = (at: number) => now >= at && now - at < RECHECK_AFTER_MS;
    const checkedAt = this.lastChecked.get(orderId);
    if (checkedAt !== undefined && recent(checkedAt)) return false;
    if (!this.clientMayAsk(client, now)) return false;
    this.lastChecked.set(orderId, now);
    if (this.lastChecked.size > MAX_ENTRIES) {
      for (const [id, at] of this.lastChecked) if (!recent(at)) this.lastChecked.delete(id);
    }
    return true;
  }

  private clientMayAsk(client: string, now: number): boolean {
    // A clock set back adds nothing; the budget refills from then on.
    const refilled = (tokens: number, at: number) =>
      Math.min(LOOKUP_BURST, tokens + (Math.max(0, now - at) / 1000) * LOOKUPS_PER_SECOND);
    const budget = this.budgets.get(client);
    const tokens = budget ? refilled(budget.tokens, budget.at) : LOOKUP_BURST;
    if (tokens < 1) return false;
    if (!budget && this.budgets.size >= MAX_ENTRIES) {
      // A full budget is as good as none.
      for (const [key, other] of this.budgets)
        if (refilled(other.tokens, other.at) === LOOKUP_BURST) this.budgets.delete(key);
      // So many clients asking at once is an attack: new ones are answered from the log.
      if (this.budgets.size >= MAX_ENTRIES) return false;
    }
    this.budgets.set(client, { tokens: tokens - 1, at: now });
    return true;
  }
}
