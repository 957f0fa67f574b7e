/** Turns what the API refused into a sentence for the person at the page. */

type ProblemKind = 'unauthorized' | 'forbidden' | 'unreachable' | 'other';

export interface Problem {
  kind: ProblemKind;
  message: string;
}

/** The tRPC error code, read structurally so this stays a pure function of the value. */
function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('data' in error)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null || !('code' in data)) return undefined;
  return typeof data.code === 'string' ? data.code : undefined;
}

export function problemOf(error: unknown): Problem {
  const code = codeOf(error);
  if (code === 'UNAUTHORIZED') {
    return {
      kind: 'unauthorized',
      message: 'That admin token was refused (UNAUTHORIZED). Check it against ADMIN_TOKEN.',
    };
  }
  if (code === 'FORBIDDEN') {
    return {
      kind: 'forbidden',
      message: 'Analytics are off: set ADMIN_TOKEN on the server and restart it.',
    };
  }
  if (code === undefined) {
    return {
      kind: 'unreachable',
      message: 'The server cannot be reached: check that it is running.',
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'other', message: `The server could not answer (${code}): ${detail}` };
}
