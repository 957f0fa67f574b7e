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

  find(key: string, fingerprint: string): StoredResponse | 'mismatch' | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return entry.fingerprint === fingerprint ? entry.response : 'mismatch';
  }

  save(key: string, fingerprint: string, { status, body }: StoredResponse): void {
    this.entries.set(key, { fingerprint, response: { status, body } });
  }
}

/** Same endpoint and same parameters, whatever order the client encoded them in. */
export function requestFingerprint(method: string, path: string, body: string): string {
  const pairs = [...new URLSearchParams(body)].map(([key, value]) => `${key}=${value}`).sort();
  return `${method} ${path}\n${pairs.join('&')}`;
}
