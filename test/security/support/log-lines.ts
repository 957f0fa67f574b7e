/** What the server logs, kept for a test to read. */

/** One JSON log line as the server writes it (the fields the request log tests read). */
export interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
  reason?: string;
  err?: { message: string; stack?: string };
}

/** Pass `logTo` to startTestApp; `lines()` parses what it has written so far. */
export function keptLog() {
  const written: string[] = [];
  return {
    written,
    logTo: { write: (line: string) => void written.push(line) },
    lines: () => written.map((line) => JSON.parse(line) as LogLine),
  };
}
