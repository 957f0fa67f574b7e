import { afterAll, describe } from 'vitest';
import { openEventStore } from '../../server/eventstore/open';
import { describeEventStoreContract } from './contract';
import { sqliteHarness } from './sqlite-harness';

const sqlite = sqliteHarness();
const sqliteWriterThread = sqliteHarness({ writerThread: true });
afterAll(() => {
  sqlite.remove();
  sqliteWriterThread.remove();
});
describeEventStoreContract('SQLite', sqlite);
describeEventStoreContract('SQLite with SQLITE_WRITER_THREAD', sqliteWriterThread);

const esdbUrl = process.env.ESDB_CONNECTION_STRING;
const esdbSkipReason = 'ESDB_CONNECTION_STRING is not set (e.g. esdb://localhost:2113?tls=false)';
if (!esdbUrl) console.log(`EventStoreDB contract run skipped: ${esdbSkipReason}`);

describe.skipIf(!esdbUrl)(
  esdbUrl ? 'EventStoreDB' : `EventStoreDB (skipped: ${esdbSkipReason})`,
  () => {
    describeEventStoreContract('EventStoreDB', {
      // sqlitePath is unused when eventstoreUrl selects EventStoreDB.
      open: () => openEventStore({ eventstoreUrl: esdbUrl, sqlitePath: '' }),
      childEnv: () => ({ STORE_EVENTSTORE_URL: esdbUrl ?? '' }),
      supportsKill: true,
    });
  },
);
