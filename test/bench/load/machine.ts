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
  };
}

export const machineLine = (m: Machine) =>
  `${m.nproc} CPUs (${m.cpu}), ${m.memoryGb} GB RAM, Node ${m.node}, ${m.date}, load average ${m.loadAverage.toFixed(2)}`;
