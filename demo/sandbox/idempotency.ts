export interface StoredResponse {
  status: number;
  body: string;
}

/**
 * Stripe's idempotent requests: a key replays the first response for the same request and is
 * refused for a different one. Like Stripe, only requests that got past validation are saved.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, { fingerprint: string; response: StoredResponse }>();
  /** Keys of requests processed but not yet answered. */
  private readonly running = new Set<string>();

  find(key: string, fingerprint: string): StoredResponse | 'mismatch' | 'in_progress' | undefined {
    if (this.running.has(key)) return 'in_progress';
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return entry.fingerprint === fingerprint ? entry.response : 'mismatch';
  }

  save(key: string, fingerprint: string, { status, body }: StoredResponse): void {
    this.entries.set(key, { fingerprint, response: { status, body } });
    this.running.delete(key);
  }

  /** Until `save`, other requests with `key` are told one is in progress. */
  begin(key: string): void {
    this.running.add(key);
  }
}

/** Same endpoint and same parameters, whatever order the client encoded them in. */
export function requestFingerprint(method: string, path: string, body: string): string {
  const pairs = [...new URLSearchParams(body)].map(([key, value]) => `${key}=${value}`).sort();
  return `${method} ${path}\n${pairs.join('&')}`;
}
