import { expect, it } from 'vitest';
import { formatCsv } from '../../projections/table';

it('writes CSV a spreadsheet cannot run: text that starts like a formula stays text', () => {
  const csv = formatCsv(
    ['email', 'delta', 'note'],
    [
      ['=HYPERLINK("http://evil.test")@example.com', -5, null],
      ['+1@example.com', 3, 'a, b'],
      ['@SUM(A1)', 0, '-x'],
      ['plain@example.com', -1, 'said "hi"'],
    ],
  );
  expect(csv.split('\n')).toEqual([
    'email,delta,note',
    `"'=HYPERLINK(""http://evil.test"")@example.com",-5,`,
    '\'+1@example.com,3,"a, b"',
    "'@SUM(A1),0,'-x",
    'plain@example.com,-1,"said ""hi"""',
  ]);
});
