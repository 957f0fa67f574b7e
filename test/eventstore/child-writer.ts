/**
 * A separate OS process that writes to the store named by its environment
 * (STORE_SQLITE_PATH or STORE_EVENTSTORE_URL), for the multi-process contract tests.
 *
 *   child-writer.ts race <stream> <count>   print "ready", wait for "go" on stdin, then append
 *                                            <count> events one by one at the exact revision it
 *                                            last read, re-reading on conflict
 *   child-writer.ts endless <stream>        append one event after another until killed
 *   child-writer.ts on-demand <stream>      print "ready", append one event per stdin line
 *
 * Every acknowledged append prints "ack <eventId> <revision> <position> <epoch ms>" before the
 * next one starts.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { openEventStore } from '../../server/eventstore/open';
import {
  type EventStore,
  type ExpectedRevision,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../server/eventstore/port';

const [mode, stream, count] = process.argv.slice(2);
if (!mode || !stream)
  throw new Error('usage: child-writer.ts race|endless|on-demand <stream> [count]');

const store = await openEventStore({
  eventstoreUrl: process.env.STORE_EVENTSTORE_URL,
  sqlitePath: process.env.STORE_SQLITE_PATH ?? '',
});
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function currentRevision(): Promise<ExpectedRevision> {
  try {
    const [last] = await store.readStream(stream!, { direction: 'backwards', maxCount: 1 });
    return last ? last.revision : 'no_stream';
  } catch (error) {
    if (error instanceof StreamNotFoundError) return 'no_stream';
    throw error;
  }
}

/** Appends one event at the revision last seen, retrying on conflicts with other writers. */
async function appendOne(target: EventStore): Promise<void> {
  const id = randomUUID();
  const event = { id, type: 'ChildWrote', data: { pid: process.pid }, metadata: {} };
  for (;;) {
    try {
      const result = await target.append(stream!, [event], {
        expectedRevision: await currentRevision(),
      });
      const at = performance.timeOrigin + performance.now();
      process.stdout.write(`ack ${id} ${result.nextExpectedRevision} ${result.position} ${at}\n`);
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
  }
}

if (mode === 'race') {
  process.stdout.write('ready\n');
  await lines.next();
  for (let i = 0; i < Number(count); i++) await appendOne(store);
} else if (mode === 'endless') {
  for (;;) await appendOne(store);
} else if (mode === 'on-demand') {
  process.stdout.write('ready\n');
  for (let line = await lines.next(); !line.done; line = await lines.next()) await appendOne(store);
} else {
  throw new Error(`unknown mode ${mode}`);
}
await store.close();
process.exit(0);
