import { afterAll, beforeAll } from 'vitest';
import { EsdbEventStore } from '../../server/eventstore/esdb';
import { type EsdbEmulator, startEsdbEmulator } from '../esdb-emulator';
import { describeEventStoreContract } from './contract';

// The EventStoreDB adapter and the real @eventstore/db-client over real gRPC, against the
// test-only emulator of EventStoreDB's protocol (production runs a real EventStoreDB).
let emulator: EsdbEmulator | undefined;
beforeAll(async () => {
  emulator = await startEsdbEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

function connectionString(): string {
  if (!emulator) throw new Error('the EventStoreDB emulator did not start');
  return emulator.connectionString;
}

console.log(
  'EventStoreDB emulator contract run: the SIGKILL writer test is skipped, since the emulator lives in ' +
    "the test process and keeps nothing on disk; surviving a crash is the real server's job.",
);
describeEventStoreContract('EventStoreDB adapter over the emulator', {
  open: async () => EsdbEventStore.connect(connectionString()),
  childEnv: () => ({ STORE_EVENTSTORE_URL: connectionString() }),
  supportsKill: false,
});
