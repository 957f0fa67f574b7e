/**
 * A production server process that a test can SIGKILL and start again on the same port
 * and data dir, as a supervisor (systemd, Kubernetes) would. Clients waiting on `ready`
 * resume once the new process listens.
 */
import type { ServerProcess } from '../support/server-process';
import { startServerProcess } from '../support/server-process';

export class RestartableServer {
  private current: ServerProcess | undefined;
  private up: Promise<void> = Promise.resolve();
  /** Everything every process wrote to stdout/stderr, in order. */
  private readonly logs: string[] = [];
  /** Milliseconds from each SIGKILL to the next process listening. */
  readonly downtimesMs: number[] = [];

  constructor(private readonly env: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /** Resolves once a process listens (at once when one does). */
  get ready(): Promise<void> {
    return this.up;
  }

  async start(): Promise<void> {
    this.up = this.launch();
    await this.up;
  }

  /**
   * SIGKILLs the running process and starts a new one; `ready` waits for it. `whileDown`
   * runs once the process is gone and before the next one starts.
   */
  async crashAndRestart(whileDown?: () => Promise<void>): Promise<void> {
    const killedAt = performance.now();
    const launched = (async () => {
      await this.stop('SIGKILL');
      await whileDown?.();
      await this.launch();
      this.downtimesMs.push(Math.round(performance.now() - killedAt));
    })();
    this.up = launched;
    await launched;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const running = this.current;
    this.current = undefined;
    if (!running) return;
    await running.stop(signal);
    this.logs.push(running.output());
  }

  output(): string {
    return [...this.logs, this.current?.output() ?? ''].join('\n');
  }

  private async launch(): Promise<void> {
    this.current = await startServerProcess(this.env);
  }
}
