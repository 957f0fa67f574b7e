/**
 * The widget build swaps tRPC's `_objectSpread2` for a native one (vite.config.ts). Both are
 * run here on tRPC's own module, before and after the plugin's rewrite: they must spread alike,
 * an own `__proto__` key included (JSON.parse makes one; assigning it would set the prototype).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'vite';
import { afterAll, expect, test } from 'vitest';
import config from '../../vite.config';
import { repoRoot } from './build-widget';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-helpers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function helpers(swapped: boolean) {
  const distDir = path.join(repoRoot, 'node_modules/@trpc/client/dist');
  const name = fs.readdirSync(distDir).find((f) => /^objectSpread2-[\w-]+\.mjs$/.test(f))!;
  const id = path.join(distDir, name);
  let code = fs.readFileSync(id, 'utf8');
  if (swapped) {
    const plugin = (config.plugins as Plugin[]).find(
      (p) => p.name === 'stripe-cart:native-trpc-helpers',
    )!;
    const out = (plugin.transform as (code: string, id: string) => { code: string } | null)(
      code,
      id,
    );
    code = out!.code;
  }
  const file = path.join(dir, `${swapped ? 'native' : 'trpc'}.mjs`);
  fs.writeFileSync(file, code);
  const mod: Record<string, unknown> = await import(pathToFileURL(file).href);
  // Exported under whatever letter its bundler gave it: found by its own name.
  const spread = Object.values(mod).find(
    (value) => typeof value === 'function' && value.name === '_objectSpread2',
  );
  if (!spread) throw new Error(`no _objectSpread2 in ${name}`);
  return { objectSpread2: spread as (...o: object[]) => Record<string, unknown> };
}

test("the native _objectSpread2 spreads an answer's keys as tRPC's helper does", async () => {
  const [trpc, native] = [
    (await helpers(false)).objectSpread2,
    (await helpers(true)).objectSpread2,
  ];
  const symbol = Symbol('s');
  const inputs = (): object[][] => [
    [{}, JSON.parse('{"__proto__": {"type": "data", "polluted": true}, "data": 1}')],
    [{}, { a: 1, [symbol]: 2 }, null, { a: 3, b: undefined }],
    [{}, Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false })],
  ];
  const described = (o: object) => [
    Object.getPrototypeOf(o),
    Reflect.ownKeys(o),
    Object.getOwnPropertyDescriptors(o),
  ];
  for (const [index, args] of inputs().entries()) {
    expect(described(native(...args))).toEqual(described(trpc(...inputs()[index]!)));
  }
});
