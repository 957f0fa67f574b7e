/**
 * A browser tells a page only that its request failed when CORS refuses its origin, and a
 * page missing from ALLOWED_ORIGINS is the usual first mistake in embedding the widget: so
 * the server logs the origins it refuses. Each origin at most once an hour, each client
 * address at most once in ten minutes (one address sending made-up origins logs a line now
 * and then), and at most 60 lines a minute in all: a real page's origin, which comes from
 * its shoppers' many addresses, is kept out of the log only by a flood from as many.
 */
import type { Services } from '../services';

const ORIGIN_EVERY_MS = 60 * 60_000;
const CLIENT_EVERY_MS = 10 * 60_000;
const MAX_PER_MINUTE = 60;
const REMEMBERED = 1_000;

/** When each key was last let through, the oldest dropped first past `REMEMBERED`. */
class Recent {
  private readonly at = new Map<string, number>();

  within(key: string, now: number, ms: number): boolean {
    return now - (this.at.get(key) ?? Number.NEGATIVE_INFINITY) < ms;
  }

  note(key: string, now: number): void {
    this.at.delete(key);
    this.at.set(key, now);
    if (this.at.size > REMEMBERED) this.at.delete(this.at.keys().next().value!);
  }
}

export class RefusedOrigins {
  private readonly own: string;
  private readonly origins = new Recent();
  private readonly clients = new Recent();
  private minute = { start: Number.NEGATIVE_INFINITY, lines: 0 };

  constructor(
    private readonly config: Services['config'],
    private readonly log: Services['log'],
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.own = new URL(config.publicUrl).origin;
  }

  /** A request from `origin` (its Origin header), sent from the client address `client`. */
  seen(origin: string | undefined, client: string): void {
    if (origin === undefined || origin === this.own || this.config.allowedOrigins.includes(origin))
      return;
    const now = this.clock();
    if (this.origins.within(origin, now, ORIGIN_EVERY_MS)) return;
    if (this.clients.within(client, now, CLIENT_EVERY_MS)) return;
    if (now - this.minute.start >= 60_000) this.minute = { start: now, lines: 0 };
    if (this.minute.lines >= MAX_PER_MINUTE) return;
    this.minute.lines++;
    this.origins.note(origin, now);
    this.clients.note(client, now);
    this.log.warn(
      { origin: origin.slice(0, 200) },
      'refused a request from another origin: if a page there embeds the widget, add it to ALLOWED_ORIGINS',
    );
  }
}
