/**
 * Refetch on every change without a storm: at most one run in flight and one queued.
 * Requests made while one is queued share it, since it starts after them and so sees
 * everything they asked for.
 */
export function coalesce(run: () => Promise<void>): () => Promise<void> {
  let inFlight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  const start = (): Promise<void> => {
    const current = Promise.resolve()
      .then(run)
      .finally(() => {
        if (inFlight === current) inFlight = undefined;
      });
    inFlight = current;
    return current;
  };

  return () => {
    if (queued) return queued;
    if (!inFlight) return start();
    const next = inFlight
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    queued = next;
    return next;
  };
}
