import http from 'node:http';
import https from 'node:https';
import type { AnyStripeEvent } from './events';
import { stripeSignatureHeader } from './signature';
import type { WorkTracker } from './work';

export interface DeliveryOptions {
  /** Copies of each event, sent concurrently (each retried on its own). */
  duplicates: number;
  /** Wait before the first attempt of each copy. */
  delayMs: number;
  /** Hold events until `flush()`, which sends the held batch newest first. */
  reorder: boolean;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  /** Which copy (1..duplicates) this attempt belongs to. */
  copy: number;
  attempt: number;
  /** The receiver's status code, or null when no response came (refused, reset, timed out). */
  status: number | null;
  error?: string;
  /** When the attempt started, in ms since the epoch. */
  at: number;
  durationMs: number;
}

export interface DispatcherConfig {
  secret: string;
  url: string | undefined;
  retryInitialDelayMs: number;
  maxAttempts: number;
  timeoutMs: number;
  work: WorkTracker;
  log: (line: string) => void;
}

/**
 * Delivers events as Stripe does: a signed POST per event, retried with exponential backoff
 * until a 2xx or `maxAttempts`; each attempt is signed afresh with the current time.
 */
export class WebhookDispatcher {
  private options: DeliveryOptions = { duplicates: 1, delayMs: 0, reorder: false };
  private held: AnyStripeEvent[] = [];
  private readonly records: DeliveryRecord[] = [];
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly requests = new Set<http.ClientRequest>();
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  private closed = false;

  constructor(private readonly config: DispatcherConfig) {}

  get url(): string | undefined {
    return this.config.url;
  }

  setUrl(url: string | undefined): void {
    if (url !== undefined) new URL(url);
    this.config.url = url;
  }

  setOptions(change: Partial<DeliveryOptions>): void {
    const next = { ...this.options, ...change };
    if (!Number.isInteger(next.duplicates) || next.duplicates < 1 || next.duplicates > 1000) {
      throw new RangeError('duplicates must be an integer from 1 to 1000');
    }
    if (!Number.isFinite(next.delayMs) || next.delayMs < 0) {
      throw new RangeError('delayMs must be a number of milliseconds, 0 or more');
    }
    this.options = next;
    if (!next.reorder) this.flush();
  }

  deliveryOptions(): DeliveryOptions {
    return { ...this.options };
  }

  dispatch(event: AnyStripeEvent): void {
    if (this.closed || this.config.url === undefined) return;
    if (this.options.reorder) {
      this.held.push(event);
      return;
    }
    this.send(event);
  }

  /** Sends every held event, newest first; returns how many. */
  flush(): number {
    const batch = this.held.reverse();
    this.held = [];
    for (const event of batch) this.send(event);
    return batch.length;
  }

  deliveries(): DeliveryRecord[] {
    return this.records.map((record) => ({ ...record }));
  }

  close(): void {
    this.closed = true;
    this.held = [];
    for (const [timer, done] of this.timers) {
      clearTimeout(timer);
      done();
    }
    this.timers.clear();
    for (const request of this.requests) request.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private send(event: AnyStripeEvent): void {
    // Stripe sends pretty-printed JSON; receivers must verify these exact bytes.
    const payload = JSON.stringify(event, null, 2);
    for (let copy = 1; copy <= this.options.duplicates; copy++) {
      const done = this.config.work.begin();
      this.schedule(() => this.attempt(event, payload, copy, 1, done), this.options.delayMs, done);
    }
  }

  private schedule(run: () => void, delayMs: number, done: () => void): void {
    if (delayMs === 0) {
      run();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    this.timers.set(timer, done);
  }

  private attempt(
    event: AnyStripeEvent,
    payload: string,
    copy: number,
    attempt: number,
    done: () => void,
  ): void {
    const url = this.config.url;
    if (this.closed || url === undefined) {
      done();
      return;
    }
    const at = Date.now();
    this.post(url, payload).then(({ status, error }) => {
      const record: DeliveryRecord = {
        eventId: event.id,
        type: event.type,
        copy,
        attempt,
        status,
        ...(error ? { error } : {}),
        at,
        durationMs: Date.now() - at,
      };
      this.records.push(record);
      this.config.log(
        `webhook ${event.type} ${event.id} copy ${copy} attempt ${attempt} -> ${status ?? error}`,
      );
      const delivered = status !== null && status >= 200 && status < 300;
      if (delivered || this.closed) {
        done();
      } else if (attempt >= this.config.maxAttempts) {
        this.config.log(`webhook ${event.id} given up after ${attempt} attempts`);
        done();
      } else {
        const backoff = this.config.retryInitialDelayMs * 2 ** (attempt - 1);
        this.schedule(() => this.attempt(event, payload, copy, attempt + 1, done), backoff, done);
      }
    });
  }

  private post(url: string, payload: string): Promise<{ status: number | null; error?: string }> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const signature = stripeSignatureHeader(
      payload,
      this.config.secret,
      Math.floor(Date.now() / 1000),
    );
    return new Promise((resolve) => {
      const request = (secure ? https : http).request(target, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          'stripe-signature': signature,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          accept: '*/*; q=0.5, application/xml',
          'cache-control': 'no-cache',
        },
      });
      this.requests.add(request);
      const finish = (result: { status: number | null; error?: string }) => {
        this.requests.delete(request);
        resolve(result);
      };
      request.setTimeout(this.config.timeoutMs, () => request.destroy(new Error('timed out')));
      request.on('response', (response) => {
        response.resume();
        // 'close' also fires when the receiver cuts the body short; the status is what counts.
        response.on('close', () => finish({ status: response.statusCode ?? null }));
      });
      request.on('error', (error) => finish({ status: null, error: error.message }));
      request.end(payload);
    });
  }
}
