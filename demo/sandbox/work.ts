/** Counts background work (webhook deliveries, pending async payments) so callers can await quiet. */
export class WorkTracker {
  private active = 0;
  private waiters: (() => void)[] = [];

  /** Starts one piece of work; call the returned function once it is over (extra calls are no-ops). */
  begin(): () => void {
    this.active++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active--;
      if (this.active === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      }
    };
  }

  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
