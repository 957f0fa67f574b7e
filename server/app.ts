/**
 * The composition root: the one place that chooses adapters (event store, Stripe,
 * clock, logger) and wires them into the HTTP server.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type DestinationStream, type Logger } from 'pino';
import {
  endedOrdersStillHolding,
  heldUnitsByEmail,
  lateOrdersUnfilled,
  openOrders,
  pendingOrders,
  staleOpenOrders,
} from '../projections/checkout-queries';
import { stockReport } from '../projections/queries';
import { isReadModelsLocked, startProjectionRunner } from '../projections/runner';
import { startProjectionThread } from '../projections/runner-thread';
import { readModelsPathIn } from '../projections/schema';
import { AfterReply } from './after-reply';
import { readCatalogFile, syncCatalog } from './catalog/catalog-file';
import { Products } from './catalog/products';
import { HoldGuard } from './checkout/hold-guard';
import { SESSION_LIFETIME_MS } from './checkout/start-checkout';
import type { SweepResult } from './checkout/sweep';
import { PendingChecks, sweepReservations } from './checkout/sweep';
import {
  awaitsPort,
  type Config,
  ConfigError,
  listenError,
  onPort,
  withoutCredentials,
} from './config';
import { instrumented } from './eventstore/instrumented';
import { openEventStore } from './eventstore/open';
import type { EventStore } from './eventstore/port';
import { SqliteEventStore } from './eventstore/sqlite';
import type { HttpOptions } from './http/server';
import { buildHttpServer } from './http/server';
import { LiveFeed } from './live-feed';
import { maskLogLine } from './masking';
import { createMetrics } from './metrics';
import { StripeLookups } from './payments/lookup-limits';
import { StripeGateway } from './payments/stripe-gateway';
import type { Services } from './services';

export interface App {
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  url: string;
  services: Services;
  /** Runs the reservation sweep now (it also runs every SWEEP_INTERVAL_SECONDS). */
  sweep(): Promise<SweepResult>;
  close(): Promise<void>;
}

const summarise = (r: SweepResult) => ({
  swept: r.swept.length,
  paid: r.paid.length,
  deferred: r.deferred.length,
  notDue: r.notDue.length,
  released: r.released.length,
  retaken: r.retaken.length,
  failed: r.failed.length,
});

export interface AppOptions {
  pages?: HttpOptions['pages'];
  /** Where log lines go (standard output by default), at the config's LOG_LEVEL. */
  logTo?: DestinationStream;
  now?: () => Date;
}

/** The project folder, whether this runs from server/ (tsx) or from the bundle in dist/server/. */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
}
const root = projectRoot();

/**
 * The analytics page at /admin/ once built: it asks for ADMIN_TOKEN, and says analytics are
 * off when the server has none.
 */
function analyticsPage(config: Config, log: Logger): NonNullable<HttpOptions['pages']> {
  const page = path.join(root, 'dist', 'admin');
  if (fs.existsSync(path.join(page, 'index.html'))) return [{ prefix: '/admin/', root: page }];
  if (config.adminToken) log.warn('the analytics page is not built (npm run build): no /admin/');
  return [];
}

/** The server's only logger: whatever a line carries, no secret or personal data is written. */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      // Secrets and signatures never reach a log line, whatever logs the request.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["stripe-signature"]',
          'req.headers.cookie',
        ],
        censor: '[redacted]',
      },
      // Error messages (Stripe's among them) may quote an address, a key or a card number.
      hooks: { streamWrite: maskLogLine },
    },
    destination,
  );
}

/**
 * Opens the event store and reads its last event, so a store that cannot be reached or used
 * at start (EventStoreDB down, a DATA_DIR that is a file or unwritable, a damaged file) stops
 * the start in one line naming the setting, before anything else opens. Later outages are
 * survived: the read models wait and subscribe again.
 */
async function openedStore(config: Config): Promise<EventStore> {
  const { eventstoreUrl } = config;
  const setting = eventstoreUrl
    ? `EVENTSTORE_URL ${withoutCredentials(eventstoreUrl)}`
    : `DATA_DIR ${config.dataDir}`;
  let store: EventStore | undefined;
  try {
    store = await openEventStore({
      ...(eventstoreUrl && { eventstoreUrl }),
      sqlitePath: path.join(config.dataDir, 'events.sqlite'),
      synchronous: config.sqliteSynchronous,
      writerThread: config.sqliteWriterThread,
    });
    await store.readAll({ direction: 'backwards', maxCount: 1 });
    return store;
  } catch (error) {
    await store?.close().catch(() => {});
    if (!storeUnusable(error)) throw error;
    const why = withoutCredentials(error instanceof Error ? error.message : String(error));
    throw new ConfigError(`Cannot open the event store (${setting}): ${why}`);
  }
}

/** EventStoreDB's client errors for a server it cannot reach, parse or log in to. */
const UNREACHABLE = new Set([
  'UnavailableError',
  'DeadlineExceededError',
  'TimeoutError',
  'NotLeaderError',
  'AccessDeniedError',
  'ParseError',
]);
/** A folder or file the store cannot use (a DATA_DIR that is a file, read-only, full). */
const UNUSABLE_FILES = new Set(['EEXIST', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC']);

/** The store's place is wrong or out of reach: the operator's to fix. Anything else is a bug and keeps its stack. */
function storeUnusable(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const sqlite = typeof code === 'string' && code.startsWith('SQLITE_');
  const file = typeof code === 'string' && UNUSABLE_FILES.has(code);
  const constructorName = (error as object | null)?.constructor?.name;
  return (
    sqlite || file || UNREACHABLE.has(String(name)) || UNREACHABLE.has(String(constructorName))
  );
}

/** A port the OS picks on `host`, held by a socket until `release`. */
async function holdPort(host: string): Promise<{ port: number; release(): void }> {
  const socket = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.listen(0, host, resolve);
    });
  } catch (error) {
    throw listenError(error, 'PORT, HOST', `${host}:0`);
  }
  const { port } = socket.address() as net.AddressInfo;
  return {
    port,
    release: () => {
      if (socket.listening) socket.close();
    },
  };
}

export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  if (!awaitsPort(config)) return startOn(config, options);
  // PORT=0 leaves the port to the OS, but PUBLIC_URL's default names it and the HTTP server is
  // built with it (CSP, CORS): so the port is picked first, and held until the server listens.
  const held = await holdPort(config.host);
  try {
    return await startOn(onPort(config, held.port), options, held.release);
  } finally {
    held.release();
  }
}

async function startOn(
  config: Config,
  options: AppOptions,
  beforeListen: () => void = () => {},
): Promise<App> {
  const log = createLogger(config.logLevel, options.logTo);
  const now = options.now ?? (() => new Date());
  const metrics = createMetrics();
  // Read before anything is opened: a bad file stops the start with nothing to undo.
  const catalog = config.catalogFile ? readCatalogFile(config.catalogFile) : undefined;
  const readModelsPath = readModelsPathIn(config.dataDir);
  const adapter = await openedStore(config);
  const store = instrumented(adapter, metrics);
  const products = new Products(store);
  if (catalog) {
    const appended = await syncCatalog(products, catalog, now().toISOString());
    log.info({ appended, file: config.catalogFile }, 'catalog synced');
  }

  const runnerOptions = {
    dbPath: readModelsPath,
    onError: (error: unknown) => log.error({ err: error }, 'projection runner stopped'),
    // A restart or a leader change of EventStoreDB: the read models wait, then go on.
    // Or the read-model file locked by another process past its busy timeout.
    onUnavailable: (error: unknown, retryInMs: number) =>
      log.warn(
        { err: error, retryInMs },
        isReadModelsLocked(error)
          ? 'read-model file locked by another process: read models wait for it'
          : 'event store unavailable: read models wait for it',
      ),
    onRecovered: () => log.info('read models go on'),
  };
  // On the embedded store the runner gets a thread of its own (see runner-thread.ts).
  const readModels =
    adapter instanceof SqliteEventStore
      ? await startProjectionThread({ ...runnerOptions, store: adapter })
      : await startProjectionRunner({ ...runnerOptions, store });
  const feed = new LiveFeed();
  readModels.onChange((change) => feed.publish(change));
  readModels.onChange(({ skus, position }) => {
    products.register(skus);
    const appendedAt = store.appendedAt(position);
    if (appendedAt !== undefined)
      metrics.projectionLag.observe((performance.now() - appendedAt) / 1000);
  });
  products.register(stockReport(readModels.db).products.map((p) => p.sku));

  const stripe = new StripeGateway(config.stripe);
  const holds = new HoldGuard(
    {
      byEmail: (email, ended) => heldUnitsByEmail(readModels.db, email, ended),
      open: (orderIds) => openOrders(readModels.db, orderIds),
    },
    {
      perShopper: config.maxHeldUnits,
      perClient: config.maxHeldUnitsPerClient,
      holdMs: SESSION_LIFETIME_MS + config.reservationGraceMs,
    },
  );
  readModels.onChange(({ position }) => holds.projected(position));
  const services: Services = {
    config,
    store,
    products,
    holds,
    stripe,
    stripeLookups: new StripeLookups(() => now().getTime()),
    feed,
    readModels,
    metrics,
    now,
    log,
    afterReply: new AfterReply(),
  };
  const endedStillHolding = endedOrdersStillHolding(readModels.db);
  const pendingChecks = new PendingChecks();
  const releaseRetries = new Set<string>();
  const sweep = () =>
    sweepReservations({
      ...services,
      graceMs: config.reservationGraceMs,
      staleOrders: (cutoff) => staleOpenOrders(readModels.db, cutoff),
      endedStillHolding,
      pendingOrders: (cutoff) => pendingOrders(readModels.db, cutoff),
      lateUnfilled: (since) => lateOrdersUnfilled(readModels.db, since),
      pendingChecks,
      releaseRetries,
      stopping: () => stopping,
    });
  // A round still running (Stripe slow) is not joined by the next: both would work the same
  // orders. Closing waits for it, so no order is left half-done under a closed store.
  let round: Promise<void> | undefined;
  let stopping = false;
  const sweepRound = () => {
    if (round || stopping) return;
    round = sweep()
      .then(
        (result) => {
          for (const { orderId, error } of result.failed)
            log.error({ err: error, orderId }, 'reservation sweep: order left for the next round');
          if (result.notDue.length > 0)
            log.warn(
              { orderIds: result.notDue },
              "reservation sweep: Stripe still has these sessions open before their expiry on its clock (or sent no Date to tell), past it on this server's: is this server's clock ahead? Their stock stays held until Stripe ends them",
            );
          if (
            [result.swept, result.paid, result.released, result.retaken, result.failed].some(
              (orderIds) => orderIds.length > 0,
            )
          )
            log.info(summarise(result), 'reservation sweep');
        },
        (error) => log.error({ err: error }, 'reservation sweep failed'),
      )
      .finally(() => {
        round = undefined;
      });
  };
  const sweeper =
    config.sweepIntervalMs > 0
      ? setInterval(sweepRound, config.sweepIntervalMs).unref()
      : undefined;
  const http = await buildHttpServer(services, {
    widgetDir: path.join(root, 'dist', 'widget'),
    pages: [...(options.pages ?? []), ...analyticsPage(config, log)],
  });
  const close = async () => {
    stopping = true;
    clearInterval(sweeper);
    await http.close();
    await round;
    await services.afterReply.settled();
    await readModels.close();
    await store.close();
  };
  try {
    beforeListen();
    await http.listen({ port: config.port, host: config.host });
  } catch (error) {
    await close();
    throw listenError(error, 'PORT, HOST', `${config.host}:${config.port}`);
  }
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    services,
    sweep,
    close,
  };
}
