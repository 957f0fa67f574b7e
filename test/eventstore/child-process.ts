import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD_WRITER = fileURLToPath(new URL('./child-writer.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Ack {
  id: string;
  revision: bigint;
  position: bigint;
  /** Wall-clock milliseconds (sub-millisecond precision) when the child saw the append acknowledged. */
  at: number;
}

/** A child-writer.ts process, seen through the lines it prints. */
export class ChildWriter {
  readonly acks: Ack[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;
  private lineCount = 0;
  private listeners = new Set<() => void>();
  private stderr = '';

  constructor(env: Record<string, string>, args: string[]) {
    this.process = spawn(process.execPath, ['--import', 'tsx', CHILD_WRITER, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      const [word, id, revision, position, at] = line.split(' ');
      if (word === 'ack' && id && revision && position && at) {
        this.acks.push({
          id,
          revision: BigInt(revision),
          position: BigInt(position),
          at: Number(at),
        });
      }
      this.lineCount++;
      for (const listener of this.listeners) listener();
    });
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': every line the child printed has been read by then.
      this.process.on('close', (code, signal) => {
        resolve({ code, signal });
        for (const listener of this.listeners) listener();
      });
    });
  }

  /** Resolves when `condition` holds after some printed line; rejects if the child exits first. */
  waitUntil(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          this.listeners.delete(check);
          resolve();
        } else if (this.process.exitCode !== null || this.process.signalCode !== null) {
          this.listeners.delete(check);
          reject(new Error(`child exited before ${what}: ${this.stderr}`));
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  waitForReady(): Promise<void> {
    return this.waitUntil(() => this.lineCount > 0, 'it was ready');
  }

  send(line: string): void {
    this.process.stdin!.write(`${line}\n`);
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }

  async succeeded(): Promise<void> {
    const { code, signal } = await this.exited;
    if (code !== 0)
      throw new Error(`child failed (code ${code}, signal ${signal}): ${this.stderr}`);
  }
}
