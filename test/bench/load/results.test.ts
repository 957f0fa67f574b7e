import { describe, expect, it } from 'vitest';
import { type BenchRow, emitRow, formatTable, rowsFromOutput } from './results';

const row: BenchRow = {
  workload: 'Webhooks/s',
  figure: '3,100/s',
  target: '>= 3,000/s',
  pass: true,
};

describe('rowsFromOutput', () => {
  it('takes the rows a bench printed with emitRow', () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      emitRow(row);
    } finally {
      console.log = log;
    }
    expect(rowsFromOutput(`progress\n${lines.join('\n')}\n`, 'webhooks')).toEqual([row]);
  });

  it('reads PASS/FAIL lines of a pipe table, the figure being the cell before the target', () => {
    const output = [
      '| synchronous | metric | measured | target | result |',
      '| FULL | appends/s | 3,814 | >= 4,000 | FAIL |',
      '| FULL | disk baseline | 937 | - |  |',
    ].join('\n');
    expect(rowsFromOutput(output, 'store')).toEqual([
      { workload: 'store: FULL appends/s', figure: '3,814', target: '>= 4,000', pass: false },
    ]);
  });

  it('reads PASS/FAIL lines of a table aligned with spaces and skips information lines', () => {
    const output = [
      'rebuild rate (wall)   35,141 events/s  >= 100,000 events/s  FAIL',
      'live lag p50          0.27 ms          (information)',
    ].join('\n');
    expect(rowsFromOutput(output, 'projections')).toEqual([
      {
        workload: 'projections: rebuild rate (wall)',
        figure: '35,141 events/s',
        target: '>= 100,000 events/s',
        pass: false,
      },
    ]);
  });

  it("reads the widget bench's size and time to interactive against issue 5's budgets", () => {
    const output = [
      'widget bundle: 72713 B minified, 24342 B gzipped',
      '  interactive (rendered, listeners on):   median 38.6 ms, p95 80.1 ms, max 80.1 ms',
    ].join('\n');
    expect(rowsFromOutput(output, 'widget').map((r) => [r.figure, r.pass])).toEqual([
      ['23.8 KB (71.0 KB minified)', true],
      ['median 38.6 ms, p95 80.1 ms, max 80.1 ms', true],
    ]);
  });
});

it('formats one aligned table with a result column', () => {
  const table = formatTable([row, { ...row, pass: null }]).split('\n');
  expect(table[0]).toMatch(/^\| workload +\| figure +\| target +\| result \|$/);
  expect(table[2]).toContain('| PASS   |');
  expect(table[3]).toContain('| -      |');
});
