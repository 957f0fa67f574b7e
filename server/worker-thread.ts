/**
 * Starts a worker module in a worker thread. Bundled (`npm run build:server`), every worker
 * is a sibling `.mjs` file of the server. From source (tsx, vitest) it is the TypeScript
 * file beside the caller, which a Node 20 worker cannot load even when its parent runs
 * under tsx: a one-line bootstrap registers tsx in the worker first.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `from`: the caller's `import.meta.url`; `module`: the worker's file name without extension. */
export function startWorker(from: string, module: string, options: WorkerOptions): Worker {
  const fromSource = from.endsWith('.ts');
  const entry = new URL(`./${module}${fromSource ? '.ts' : '.mjs'}`, from);
  if (!fromSource) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
    { ...options, eval: true },
  );
}
