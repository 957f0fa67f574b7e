/** The UTC calendar day (YYYY-MM-DD) of an ISO timestamp: the unit every daily figure uses. */
export function utcDay(at: string): string {
  // Most times are already UTC (`...Z`): their day is their prefix, no date parsing needed.
  if (at.length >= 20 && at.endsWith('Z') && at[10] === 'T') return at.slice(0, 10);
  return new Date(at).toISOString().slice(0, 10);
}
