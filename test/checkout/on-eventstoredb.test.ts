/**
 * The checkout flow, the exactly-once, the late-payment, the cancel, the refunds and the disputes suites again, with the whole server (projections
 * included) on the EventStoreDB adapter: over the test-only emulator always, or over a
 * real server when ESDB_CONNECTION_STRING is set.
 */
import { afterAll } from 'vitest';
import { startEsdbEmulator } from '../esdb-emulator';

const real = process.env.ESDB_CONNECTION_STRING;
const emulator = real ? undefined : await startEsdbEmulator();
process.env.TEST_EVENTSTORE_URL = real ?? emulator!.connectionString;
console.log(
  `checkout suites on EventStoreDB: ${real ? 'real server (ESDB_CONNECTION_STRING)' : 'test emulator'}`,
);
afterAll(async () => {
  await emulator?.close();
});

await import('./checkout.flow.test');
await import('./exactly-once.test');
await import('./late-payment.test');
await import('./cancel.test');
await import('./refunds.test');
await import('./disputes.test');
