/**
 * `npm run bench`: runs every benchmark, each as its own process, and prints one table,
 * a line per workload with its figure, its target and PASS/FAIL, under the machine it ran
 * on. The server benches (webhooks, checkout, memory) are this suite's own; bench:store,
 * bench:projections and bench:widget are run too when package.json has them, their
 * PASS/FAIL lines folded into the table and their own output shown after it.
 *
 *   npm run bench                        everything
 *   npm run bench -- --only webhooks,store
 *   npm run bench -- --write             also rewrite the server section of BENCHMARKS.md
 *
 * Results go to test-results/bench.json as well.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { describeMachine, type Machine, machineLine } from './load/machine';
import { type BenchRow, formatTable, rowsFromOutput, verdict } from './load/results';

interface Bench {
  name: string;
  script: string;
  /** Ours print BENCH_RESULT lines; the others print their own tables. */
  own: boolean;
  timeoutMs: number;
}

const BENCHES: Bench[] = [
  { name: 'webhooks', script: 'bench:webhooks', own: true, timeoutMs: 5 * 60_000 },
  { name: 'checkout', script: 'bench:checkout', own: true, timeoutMs: 3 * 60_000 },
  { name: 'memory', script: 'bench:memory', own: true, timeoutMs: 12 * 60_000 },
  { name: 'store', script: 'bench:store', own: false, timeoutMs: 5 * 60_000 },
  { name: 'projections', script: 'bench:projections', own: false, timeoutMs: 10 * 60_000 },
  { name: 'widget', script: 'bench:widget', own: false, timeoutMs: 5 * 60_000 },
];

const root = resolve(import.meta.dirname, '../..');
const SECTION_START = '<!-- npm run bench: server section start -->';
const SECTION_END = '<!-- npm run bench: server section end -->';

interface Ran {
  bench: Bench;
  rows: BenchRow[];
  output: string;
  seconds: number;
  exitCode: number | null;
}

function runScript(bench: Bench): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn('npm', ['run', '--silent', bench.script], {
      cwd: root,
      env: { ...process.env, BENCH_EMIT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout ends the bench and everything it started.
      detached: true,
    });
    let output = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      // Progress stays visible; result lines are for the table.
      for (const line of text.split('\n')) {
        if (line && !line.startsWith('BENCH_RESULT ')) process.stderr.write(`  ${line}\n`);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      output += `\n(stopped after ${bench.timeoutMs / 1000} s)\n`;
      process.kill(-child.pid!, 'SIGKILL');
    }, bench.timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      let rows = rowsFromOutput(output, bench.name);
      if (rows.length === 0) {
        rows = [
          {
            workload: `${bench.name}: no figures`,
            figure:
              code === 0 ? 'printed no PASS/FAIL lines (output below)' : `exited with ${code}`,
            target: '-',
            pass: code === 0 ? null : false,
          },
        ];
      }
      resolvePromise({ bench, rows, output, seconds, exitCode: code });
    });
  });
}

function scripts(): Record<string, string> {
  return (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
}

function markdownSection(machine: Machine, ran: Ran[], loadAfter: number): string {
  const rows = ran.flatMap((r) => r.rows);
  const cell = (s: string) => s.replaceAll('|', '\\|');
  return [
    SECTION_START,
    `Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB RAM, Node ${machine.node}, ${machine.date}.`,
    `Load average (1 min) ${machine.loadAverage.toFixed(2)} at the start, ${loadAfter.toFixed(2)} at the end; CPU probe ${machine.cpuProbeMs.toFixed(0)} ms (a fixed loop on one core, lower is faster).`,
    '',
    '| workload | figure | target | result |',
    '|---|---|---|---|',
    ...rows.map(
      (r) => `| ${cell(r.workload)} | ${cell(r.figure)} | ${cell(r.target)} | ${verdict(r)} |`,
    ),
    SECTION_END,
  ].join('\n');
}

/**
 * Replaces only the figures between this suite's markers in BENCHMARKS.md: the prose around
 * them and the other benches' sections are written by hand.
 */
function writeSection(section: string): void {
  const file = join(root, 'BENCHMARKS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(SECTION_START);
  const end = current.indexOf(SECTION_END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${section}${current.slice(end + SECTION_END.length)}`
      : `${current.trimEnd()}\n\n## Server (npm run bench)\n\n${section}\n`;
  writeFileSync(file, next);
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--only'))
    ? (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',')
    : undefined;
  const available = scripts();
  const machine = describeMachine();
  console.log(`Benchmarks on ${machineLine(machine)}`);
  const started = performance.now();
  const ran: Ran[] = [];
  for (const bench of BENCHES) {
    if (only && !only.includes(bench.name)) continue;
    if (!available[bench.script]) {
      ran.push({
        bench,
        rows: [
          {
            workload: `${bench.name}: not measured`,
            figure: `no ${bench.script} script`,
            target: '-',
            pass: null,
          },
        ],
        output: '',
        seconds: 0,
        exitCode: null,
      });
      continue;
    }
    // The last bench's files (a million events for the memory bench) are still being written
    // back: left to run on, that writeback slows the next bench's fsyncs.
    spawnSync('sync');
    process.stderr.write(`\n== ${bench.script}\n`);
    const result = await runScript(bench);
    process.stderr.write(`== ${bench.script}: ${result.seconds.toFixed(0)} s\n`);
    ran.push(result);
  }
  const loadAfter = loadavg()[0]!;
  const rows = ran.flatMap((r) => r.rows);
  console.log(`\n${formatTable(rows)}`);
  console.log(
    `\n${machineLine(machine)}; load average ${loadAfter.toFixed(2)} at the end; ${((performance.now() - started) / 1000).toFixed(0)} s in all`,
  );
  for (const r of ran.filter((x) => !x.bench.own && x.output)) {
    console.log(`\n--- ${r.bench.script} (its own output) ---\n${r.output.trim()}`);
  }

  mkdirSync(join(root, 'test-results'), { recursive: true });
  writeFileSync(
    join(root, 'test-results/bench.json'),
    `${JSON.stringify(
      {
        machine,
        loadAverageAtEnd: loadAfter,
        benches: ran.map((r) => ({
          name: r.bench.name,
          script: r.bench.script,
          seconds: r.seconds,
          exitCode: r.exitCode,
          rows: r.rows,
        })),
      },
      null,
      2,
    )}\n`,
  );
  if (process.argv.includes('--write')) writeSection(markdownSection(machine, ran, loadAfter));
  if (rows.some((r) => r.pass === false)) process.exitCode = 1;
}

await main();
