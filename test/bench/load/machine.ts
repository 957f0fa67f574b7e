/** The machine a benchmark ran on, as BENCHMARKS.md records it beside the figures. */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  date: string;
  loadAverage: number;
  /** Milliseconds for a fixed loop on one core, best of three: lower is a faster core now. */
  cpuProbeMs: number;
}

/**
 * The same work at every run, so that figures from runs minutes apart can be compared: on
 * a shared virtual machine the core's speed moves (CPU per request moved by 40% between
 * runs of the same code).
 */
function cpuProbeMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    let sum = 0;
    for (let i = 0; i < 20_000_000; i++) sum = (sum + i * 7) % 1_000_003;
    // Using the result keeps the loop from being optimised away.
    if (sum < 0) throw new Error('unreachable');
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

export function describeMachine(): Machine {
  let cpu = 'unknown';
  try {
    cpu =
      readFileSync('/proc/cpuinfo', 'utf8')
        .match(/^model name\s*:\s*(.+)$/m)?.[1]
        ?.trim() ?? cpu;
  } catch {
    // Not Linux: the model is unknown, the rest still holds.
  }
  return {
    nproc: availableParallelism(),
    cpu,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    loadAverage: loadavg()[0]!,
    cpuProbeMs: cpuProbeMs(),
  };
}

export const machineLine = (m: Machine) =>
  `${m.nproc} CPUs (${m.cpu}), ${m.memoryGb} GB RAM, Node ${m.node}, ${m.date}, load average ${m.loadAverage.toFixed(2)}, CPU probe ${m.cpuProbeMs.toFixed(0)} ms`;
