/** The UTC calendar day (YYYY-MM-DD) of an ISO timestamp: the unit every daily figure uses. */
export function utcDay(at: string): string {
  return new Date(at).toISOString().slice(0, 10);
}
