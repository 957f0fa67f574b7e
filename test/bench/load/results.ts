/**
 * One benchmark figure beside its target, and the one line format every bench prints so
 * `npm run bench` can fold the figures of child processes into a single table.
 */

export interface BenchRow {
  workload: string;
  figure: string;
  target: string;
  /** null when the line is information only (no target to meet). */
  pass: boolean | null;
}

const MARK = 'BENCH_RESULT ';

/** Prints the row for a parent `npm run bench` to pick up. */
export function emitRow(row: BenchRow): void {
  console.log(`${MARK}${JSON.stringify(row)}`);
}

/** Rows a bench printed with `emitRow`, or failing that, table lines ending in PASS/FAIL. */
export function rowsFromOutput(output: string, prefix: string): BenchRow[] {
  if (prefix === 'widget') return widgetRows(output);
  const lines = output.split('\n');
  const marked = lines
    .filter((line) => line.startsWith(MARK))
    .map((line) => JSON.parse(line.slice(MARK.length)) as BenchRow);
  if (marked.length > 0) return marked;
  return lines.flatMap((line) => {
    const row = tableRow(line);
    return row ? [{ ...row, workload: `${prefix}: ${row.workload}` }] : [];
  });
}

/**
 * Reads a line of another bench's human table: `| a | b | figure | target | PASS |` or
 * columns separated by two spaces. The figure is the cell before the target.
 */
function tableRow(line: string): BenchRow | null {
  const cells = (line.trim().startsWith('|') ? line.split('|') : line.split(/\s{2,}/))
    .map((cell) => cell.trim())
    .filter(Boolean);
  const verdict = cells.at(-1);
  if (cells.length < 4 || (verdict !== 'PASS' && verdict !== 'FAIL')) return null;
  const target = cells.at(-2)!;
  const figure = cells.at(-3)!;
  return { workload: cells.slice(0, -3).join(' '), figure, target, pass: verdict === 'PASS' };
}

/**
 * `npm run bench:widget` prints sentences, not a table: its bundle size and its median time
 * to interactive, against issue 5's budgets (24 KB gzipped, 100 ms).
 */
function widgetRows(output: string): BenchRow[] {
  const rows: BenchRow[] = [];
  const gzipped = output.match(/widget bundle: (\d+) B minified, (\d+) B gzipped/);
  if (gzipped) {
    const kb = Number(gzipped[2]) / 1024;
    rows.push({
      workload: 'Widget: bundle gzipped (Lit and tRPC client included)',
      figure: `${kb.toFixed(1)} KB (${(Number(gzipped[1]) / 1024).toFixed(1)} KB minified)`,
      target: '<= 24 KB',
      pass: kb <= 24,
    });
  }
  const interactive = output.match(
    /interactive \(rendered, listeners on\):\s+median ([\d.]+) ms(.*)/,
  );
  if (interactive) {
    const median = Number(interactive[1]);
    rows.push({
      workload: 'Widget: time to interactive on the demo page (Chromium)',
      figure: `median ${median.toFixed(1)} ms${interactive[2]}`,
      target: 'median <= 100 ms',
      pass: median <= 100,
    });
  }
  return rows;
}

export function verdict(row: BenchRow): string {
  return row.pass === null ? '-' : row.pass ? 'PASS' : 'FAIL';
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['workload', 'figure', 'target', 'result'];
  const cells = rows.map((r) => [r.workload, r.figure, r.target, verdict(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * A bench's output: under `npm run bench` (BENCH_EMIT=1) one marked line per row for the
 * suite to collect, otherwise its own table. A missed target fails the process.
 */
export function report(title: string, rows: BenchRow[]): void {
  if (process.env.BENCH_EMIT === '1') for (const row of rows) emitRow(row);
  else console.log(`\n${title}\n${formatTable(rows)}`);
  if (rows.some((row) => row.pass === false)) process.exitCode = 1;
}
