/**
 * Work a request starts after it has been answered (a webhook's stock release). Closing
 * the server waits for it, so a shutdown does not cut a release short.
 */
export class AfterReply {
  private readonly running = new Set<Promise<void>>();

  run(work: () => Promise<void>, onError: (error: unknown) => void): void {
    const done: Promise<void> = work()
      .catch(onError)
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once the work started so far has ended, however it ended. */
  async settled(): Promise<void> {
    await Promise.all(this.running);
  }
}
