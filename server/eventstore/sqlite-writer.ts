/**
 * The embedded store's writer thread (see sqlite-writer-thread.ts): a store of its own on
 * the same file, whose group commit takes the appends that arrive together; the answers of
 * one commit go back in one message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventStore } from './sqlite';
import type { ToWriter, WriterAnswer, WriterData, WriterError } from './sqlite-writer-thread';

const { path, options } = workerData as WriterData;
const port = parentPort!;
// Appends look up a stream's last revision and an event id or two: a small page cache will do.
const store = SqliteEventStore.open(path, { ...options, cacheMb: 2 });

let answers: WriterAnswer[] = [];
const send = () => {
  if (answers.length === 0) return;
  port.postMessage(answers);
  answers = [];
};
const answer = (a: WriterAnswer) => {
  // The answers of one commit settle together: one message for them all.
  if (answers.length === 0) setImmediate(send);
  answers.push(a);
};

port.on('message', async (message: ToWriter) => {
  if (message.kind === 'close') {
    await store.close();
    send();
    port.close();
    return;
  }
  // Appended in one turn, so the store commits them together.
  for (const { id, stream, events, expected } of message.appends) {
    store.appendSerialised(stream, events, expected).then(
      (result) => answer({ id, ok: true, result }),
      (error: unknown) => answer({ id, ok: false, error: describe(error) }),
    );
  }
});

function describe(error: unknown): WriterError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { name, message } = error;
  const fields = error as Partial<WriterError> & { code?: unknown };
  return {
    name,
    message,
    ...(fields.stream !== undefined && { stream: fields.stream }),
    ...(fields.expected !== undefined && { expected: fields.expected }),
    ...(fields.actual !== undefined && { actual: fields.actual }),
    ...(fields.eventId !== undefined && { eventId: fields.eventId }),
    ...(fields.storedInStream !== undefined && { storedInStream: fields.storedInStream }),
    ...(typeof fields.code === 'string' && { code: fields.code }),
  };
}
