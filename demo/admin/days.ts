/** UTC calendar days as YYYY-MM-DD, the unit the read models count in. */

const DAY_MS = 86_400_000;

export const dayOf = (time: Date): string => time.toISOString().slice(0, 10);

export function addDays(day: string, count: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + count * DAY_MS));
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export interface DayAxisInput {
  /** Days that have figures, in any order. */
  dataDays: readonly string[];
  from?: string | undefined;
  to?: string | undefined;
  today: string;
  /** Fewest days shown when the range is open, so one day of sales is not one huge bar. */
  minDays?: number;
  /** Most bars drawn: past this, only days with figures are shown. */
  maxDays?: number;
}

/**
 * The days a chart draws, oldest first: every day of the range (days without sales
 * are real zeros), from the first day with figures when the range has no start.
 */
export function dayAxis({
  dataDays,
  from,
  to,
  today,
  minDays = 7,
  maxDays = 120,
}: DayAxisInput): string[] {
  const sorted = [...new Set(dataDays)].sort();
  const end = to ?? (sorted.at(-1) && sorted.at(-1)! > today ? sorted.at(-1)! : today);
  const earliest = addDays(end, -(minDays - 1));
  const start = from ?? (sorted[0] && sorted[0] < earliest ? sorted[0] : earliest);
  const span = daysBetween(start, end) + 1;
  if (span <= 0) return [];
  if (span > maxDays) return sorted.filter((day) => day >= start && day <= end);
  return Array.from({ length: span }, (_, index) => addDays(start, index));
}

/** "12 Mar" in the reader's locale, for axis labels; the day itself stays UTC. */
export function shortDay(day: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  }).format(new Date(`${day}T00:00:00Z`));
}

/** Whether `text` is a real calendar day as YYYY-MM-DD (not 2026-02-30), as the API asks. */
export function isDay(text: string): boolean {
  const time = Date.parse(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(time) && dayOf(new Date(time)) === text;
}
