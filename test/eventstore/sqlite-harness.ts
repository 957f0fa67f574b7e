import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEventStore } from '../../server/eventstore/open';
import type { StoreHarness } from './contract';

/**
 * A SQLite store file in a fresh temporary folder, shared by the test process and its
 * children; with `writerThread`, appends are committed by a writer thread.
 */
export function sqliteHarness(
  options: { writerThread?: boolean } = {},
): StoreHarness & { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'stripe-cart-store-'));
  const path = join(dir, 'nested', 'events.db');
  return {
    path,
    open: () => openEventStore({ sqlitePath: path, writerThread: options.writerThread ?? false }),
    childEnv: () => ({ STORE_SQLITE_PATH: path }),
    supportsKill: true,
    async checkIntegrity() {
      const db = new Database(path, { readonly: true });
      try {
        const result = db.pragma('integrity_check', { simple: true });
        if (result !== 'ok') throw new Error(`integrity_check: ${String(result)}`);
      } finally {
        db.close();
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
