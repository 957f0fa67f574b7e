/**
 * Work no client waits for: what a request starts after it has been answered (a webhook's
 * stock release), and a request's own work, which goes on when its client has gone (a
 * closed tab, a proxy's timeout) and the server no longer counts its connection. Closing
 * the server waits for it, so a shutdown does not cut a release or a checkout short, nor
 * let either write to a closed store.
 */
export class AfterReply {
  private readonly running = new Set<Promise<unknown>>();

  /** Counts `work` as running until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    const done = work.catch(() => {}).finally(() => this.running.delete(done));
    this.running.add(done);
    return work;
  }

  run(work: () => Promise<void>, onError: (error: unknown) => void): void {
    const done: Promise<void> = work()
      .catch(onError)
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once no work is running, however it ended: work started meanwhile included. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
