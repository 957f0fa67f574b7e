/**
 * Runs `server/main.ts` as a separate OS process (as production does) and resolves once it
 * listens and its read models have caught up (/healthz no longer says they are catching up),
 * as a test expects of a ready server. Used to prove guarantees that must hold across processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
}

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Node's flags in `npm run serve` (the heap settings) and the environment it sets (the C
 * library's allocator), so every server process runs as production does.
 */
function serveCommand(): { flags: string[]; env: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const words = (pkg.scripts.serve as string).split(/\s+/);
  const assignments = words.filter((word) => /^[A-Z_]+=/.test(word));
  return {
    flags: words.filter((word) => word.startsWith('--')),
    env: Object.fromEntries(assignments.map((word) => word.split('=', 2) as [string, string])),
  };
}

/**
 * `main`: a bundle from `npm run build` (run by plain node, as `npm run serve` does); by
 * default the source, through tsx.
 */
export function startServerProcess(
  env: Record<string, string>,
  main?: string,
  /** `listening`: resolve as soon as it listens (a bench timing the catch-up itself). */
  ready: 'caughtUp' | 'listening' = 'caughtUp',
): Promise<ServerProcess> {
  const command = serveCommand();
  const serve = [
    ...command.flags,
    ...(main ? [main] : ['--import', 'tsx', path.join(root, 'server/main.ts')]),
  ];
  const child = spawn(process.execPath, serve, {
    cwd: root,
    env: { ...process.env, ...command.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`server process did not start within 20 s:\n${output}`));
    }, 20_000);
    let listening = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = output.match(/listening on (http:\/\/\S+)/)?.[1];
      if (!url || listening) return;
      listening = true;
      // The 20 s are for starting to listen; a catch-up takes as long as the store is big.
      clearTimeout(timer);
      const done = () => resolve({ url, child, stop, output: () => output });
      if (ready === 'listening') done();
      else void caughtUp(url).then(done);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code}) before listening:\n${output}`));
    });
  });
}

/** Resolves once /healthz no longer says the read models are catching up (polled every 50 ms). */
async function caughtUp(url: string): Promise<void> {
  for (;;) {
    const answer = await fetch(`${url}/healthz`).then(
      (response) => response.text(),
      () => '',
    );
    if (!answer.includes('catching up')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
