/**
 * Runs a projection runner in its own process so a test can SIGKILL it mid-batch.
 * Usage: tsx runner-child.ts <events.sqlite> <readmodels.sqlite> <batchSize>
 * Prints one `progress <events>` line per committed batch and `caughtUp` at the end.
 */
import { startProjectionRunner } from '../../projections/runner';
import { SqliteEventStore } from '../../server/eventstore/sqlite';

const [storePath, dbPath, batchSize] = process.argv.slice(2);
const store = SqliteEventStore.open(storePath!, { synchronous: 'NORMAL' });
const runner = await startProjectionRunner({
  store,
  dbPath: dbPath!,
  batchSize: Number(batchSize),
  onProgress: ({ events }) => process.stdout.write(`progress ${events}\n`),
});
await runner.caughtUp;
process.stdout.write('caughtUp\n');
await runner.close();
await store.close();
