/**
 * The sandbox's notion of "now". Tests move it forward, as Stripe's test clocks do, to reach
 * `expires_at` without waiting 30 minutes; webhook signatures keep using the real time because
 * the receiver checks them against its own clock.
 */
export class SandboxClock {
  private offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('The clock only moves forward');
    this.offsetMs += ms;
  }
}
