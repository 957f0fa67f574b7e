/**
 * Starts one of this folder's worker modules in a worker thread. Bundled (`npm run
 * build:server`), each worker is a sibling `.mjs` file of the server. From source (tsx,
 * vitest) it is TypeScript, which a Node 20 worker cannot load even when its parent runs
 * under tsx: a one-line bootstrap registers tsx in the worker first.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export type WorkerModule = 'rebuild-worker' | 'runner-worker';

export function startWorker(module: WorkerModule, options: WorkerOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${module}${fromSource ? '.ts' : '.mjs'}`, import.meta.url);
  if (!fromSource) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
    { ...options, eval: true },
  );
}
