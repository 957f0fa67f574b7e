/**
 * The widget build writes tRPC's SSE consumer back as native async code (vite.config.ts).
 * Both are run here on tRPC's own module, before and after the plugin's rewrite, against a
 * scripted EventSource: they must yield the same chunks, reconnect alike after a silence
 * (`reconnectAfterInactivityMs`), and close every connection they open.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'vite';
import { afterAll, expect, test } from 'vitest';
import config from '../../vite.config';
import { repoRoot } from './build-widget';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-sse-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Consumer = (opts: object) => AsyncIterable<Record<string, unknown>>;

async function sseStreamConsumer(native: boolean): Promise<Consumer> {
  const distDir = path.join(repoRoot, 'node_modules/@trpc/server/dist');
  const name = fs.readdirSync(distDir).find((f) => /^resolveResponse-[\w-]+\.mjs$/.test(f))!;
  const id = path.join(distDir, name);
  let code = fs.readFileSync(id, 'utf8');
  if (native) {
    const plugin = (config.plugins as Plugin[]).find(
      (p) => p.name === 'stripe-cart:native-sse-consumer',
    )!;
    // What the build gives the plugin: an error() that stops it, as a changed tRPC would.
    const context = {
      error(message: string): never {
        throw new Error(message);
      },
    };
    const transform = plugin.transform as (
      this: unknown,
      code: string,
      id: string,
    ) => { code: string };
    code = transform.call(context, code, id).code;
  }
  // Its sibling modules, imported from where they are.
  code = code.replace(
    /from "\.\/([\w.-]+)"/g,
    (_, file: string) => `from "${pathToFileURL(path.join(distDir, file)).href}"`,
  );
  const file = path.join(dir, `${native ? 'native' : 'trpc'}.mjs`);
  fs.writeFileSync(file, code);
  const mod: Record<string, unknown> = await import(pathToFileURL(file).href);
  // Exported under whatever letter its bundler gave it: found by its own name.
  const consumer = Object.values(mod).find(
    (value) => typeof value === 'function' && value.name === 'sseStreamConsumer',
  );
  if (!consumer) throw new Error(`no sseStreamConsumer in ${name}`);
  return consumer as Consumer;
}

/** What each connection sends once it is open: the first then falls silent, the second ends. */
const scripts: [event: string, data?: string, lastEventId?: string][][] = [
  [
    ['connected', JSON.stringify({ reconnectAfterInactivityMs: 30 })],
    ['message', '1', 'a'],
  ],
  [['message', '2', 'b'], ['return']],
];

async function run(consume: Consumer, stopAfter = Number.POSITIVE_INFINITY) {
  const log: string[] = [];
  let opened = 0;
  class ScriptedEventSource extends EventTarget {
    readonly CLOSED = 2;
    readyState = 1;
    readonly #n = opened++;
    constructor() {
      super();
      setTimeout(() => {
        for (const [type, data, lastEventId] of scripts[this.#n] ?? []) {
          if (this.readyState !== this.CLOSED)
            this.dispatchEvent(new MessageEvent(type, { data, lastEventId }));
        }
      });
    }
    close() {
      if (this.readyState !== this.CLOSED) log.push(`close ${this.#n}`);
      this.readyState = this.CLOSED;
    }
  }
  const chunks = consume({
    url: () => 'http://shop.test/trpc/catalog.watch',
    init: () => ({}),
    signal: new AbortController().signal,
    deserialize: (data: unknown) => data,
    EventSource: ScriptedEventSource,
  });
  for await (const chunk of chunks) {
    const data = chunk.data as { data?: unknown; id?: string } | undefined;
    log.push(data ? `${chunk.type} ${data.data} ${data.id}` : `${chunk.type}`);
    if (log.length >= stopAfter) break;
  }
  log.push('end');
  return log;
}

test('the native SSE consumer yields, reconnects and closes as tRPC’s does', async () => {
  const [trpc, native] = [await sseStreamConsumer(false), await sseStreamConsumer(true)];
  const expected = [
    'connecting',
    'connected',
    'data 1 a',
    // The silence: the first connection is closed and a second opened before this is heard.
    'close 0',
    'timeout',
    'connecting',
    // The return event closes it as it comes, before the data sent with it is read.
    'close 1',
    'data 2 b',
    'end',
  ];
  expect(await run(trpc)).toEqual(expected);
  expect(await run(native)).toEqual(expected);
  // A consumer that stops early (unsubscribed) has the open connection closed as it stops.
  const stopped = ['connecting', 'connected', 'data 1 a', 'close 0', 'end'];
  expect(await run(trpc, 3)).toEqual(stopped);
  expect(await run(native, 3)).toEqual(stopped);
});
