/**
 * The read models as SQLite tables behind a write-back cache: the projector reads and
 * writes rows in memory, and `commit` writes every changed row and the checkpoint in one
 * transaction, so the tables always match exactly the events up to the checkpoint.
 */
import type Database from 'better-sqlite3';
import type { ReadModels } from './apply';
import { CachedTable, type Codec } from './cached-table';
import {
  funnelCodec,
  holdCodec,
  orderCodec,
  productCodec,
  productSalesCodec,
  salesDailyCodec,
} from './table-codecs';

/** Rows each table keeps per cache generation once live (a live server's hot rows are few). */
const LIVE_CACHE_SIZE = 1_000;

export interface Checkpoint {
  position: bigint;
  events: number;
  /** The id of the event at `position`: tells these read models' store from another one. */
  eventId?: string | undefined;
}

interface CheckpointRow {
  position: bigint;
  events: bigint;
  event_position: bigint | null;
  event_id: string | null;
}

const CHECKPOINT_QUERY =
  'SELECT position, events, event_position, event_id FROM checkpoint WHERE id = 1';

/** The file's checkpoint, for a reader that keeps no models. */
export function readCheckpoint(db: Database.Database): Checkpoint | undefined {
  return toCheckpoint(db.prepare<[], CheckpointRow>(CHECKPOINT_QUERY).safeIntegers(true).get());
}

interface CheckpointParams {
  position: bigint;
  events: number;
  eventId: string | null;
}

const paramsOf = ({ position, events, eventId }: Checkpoint): CheckpointParams => ({
  position,
  events,
  eventId: eventId ?? null,
});

function toCheckpoint(row: CheckpointRow | undefined): Checkpoint | undefined {
  if (!row) return undefined;
  const { position, events, event_position, event_id } = row;
  // An older version moved the position without the id: the id saved is another event's.
  const eventId = event_id !== null && event_position === position ? event_id : undefined;
  return { position, events: Number(events), eventId };
}

export type CommitOutcome = { ok: true } | { ok: false; stored: Checkpoint | undefined };

export class SqliteReadModels {
  readonly models: ReadModels;
  private readonly tables: CachedTable<unknown>[];
  private readonly commitTx: Database.Transaction<
    (expected: bigint | undefined, checkpoint: Checkpoint) => CommitOutcome
  >;
  private readonly readCheckpoint: Database.Statement<[], CheckpointRow>;

  private readonly saveCheckpoint: Database.Statement<[CheckpointParams]>;

  /** `cacheSize`: rows each table keeps per cache generation. */
  constructor(db: Database.Database, cacheSize = 5_000) {
    this.readCheckpoint = db.prepare<[], CheckpointRow>(CHECKPOINT_QUERY).safeIntegers(true);
    const fresh = this.checkpoint() === undefined;
    const table = <V>(codec: Codec<V>) => new CachedTable(codec, cacheSize, fresh);
    const tables = {
      orders: table(orderCodec(db)),
      products: table(productCodec(db)),
      holds: table(holdCodec(db)),
      salesDaily: table(salesDailyCodec(db)),
      productSales: table(productSalesCodec(db)),
      funnel: table(funnelCodec(db)),
    };
    this.models = tables;
    this.tables = Object.values(tables) as CachedTable<unknown>[];
    this.saveCheckpoint = db.prepare<[CheckpointParams]>(
      `INSERT INTO checkpoint (id, position, events, event_position, event_id)
       VALUES (1, @position, @events, @position, @eventId)
       ON CONFLICT (id) DO UPDATE SET position = excluded.position, events = excluded.events,
         event_position = excluded.event_position, event_id = excluded.event_id`,
    );
    const saveCheckpoint = this.saveCheckpoint;
    this.commitTx = db.transaction(
      (expected: bigint | undefined, checkpoint: Checkpoint): CommitOutcome => {
        const stored = this.checkpoint();
        if (stored?.position !== expected) return { ok: false, stored };
        for (const table of this.tables) table.write();
        saveCheckpoint.run(paramsOf(checkpoint));
        return { ok: true };
      },
    );
  }

  checkpoint(): Checkpoint | undefined {
    return toCheckpoint(this.readCheckpoint.get());
  }

  /**
   * Writes the changed rows and the checkpoint if the file's checkpoint is still `expected`.
   * Several processes may run a runner on one file: when another one committed first, this
   * writes nothing, forgets its cached rows (they are stale) and returns the stored checkpoint.
   */
  commit(expected: bigint | undefined, checkpoint: Checkpoint): CommitOutcome {
    let outcome: CommitOutcome;
    try {
      // IMMEDIATE: hold the write lock from reading the checkpoint to writing it.
      outcome = this.commitTx.immediate(expected, checkpoint);
    } catch (error) {
      this.discard();
      throw error;
    }
    if (!outcome.ok) this.discard();
    else for (const table of this.tables) table.committed();
    return outcome;
  }

  /** Rebuild only, inside its transaction: writes the changed rows that are leaving the cache. */
  spill(): void {
    for (const table of this.tables) table.spill();
  }

  /** Rebuild only, inside its transaction: writes every changed row and the checkpoint. */
  writeAll(checkpoint: Checkpoint | undefined): void {
    for (const table of this.tables) table.write();
    if (checkpoint) this.saveCheckpoint.run(paramsOf(checkpoint));
    for (const table of this.tables) table.committed();
  }

  /** The runner caught up and committed: from now on it commits small live batches. */
  goLive(): void {
    for (const table of this.tables) table.goLive(LIVE_CACHE_SIZE);
  }

  private discard(): void {
    for (const table of this.tables) table.discard();
  }
}
