/**
 * Opens the SQLite store at STORE_SQLITE_PATH and leaves a live subscription open, then
 * does nothing: the process must still exit on its own, because the store's polling timer
 * never keeps a process alive.
 */
import { SqliteEventStore } from '../../server/eventstore/sqlite';

const store = SqliteEventStore.open(process.env.STORE_SQLITE_PATH ?? '');
const subscription = store.subscribeToAll({ fromPosition: 'end' });
// Not awaited at top level: a pending top-level await would end the process with code 13.
void (async () => {
  for await (const message of subscription) {
    if (message.kind === 'caughtUp') process.stdout.write('live\n');
  }
})();
