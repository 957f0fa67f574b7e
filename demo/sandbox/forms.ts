import { invalidRequest } from './errors';

/**
 * A decoded form body. Stripe's bracket syntax (`a[b][0][c]=x`, `a[]=x`) becomes nested
 * records; array positions stay string keys ("0", "1") until the parameter schema, which
 * knows what is a list, turns them into arrays.
 */
export type FormNode = string | FormRecord;
export interface FormRecord {
  [key: string]: FormNode;
}

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

export function decodeForm(body: string): FormRecord {
  const root: FormRecord = {};
  for (const [key, value] of new URLSearchParams(body)) {
    assign(root, splitKey(key), value, key);
  }
  return root;
}

function splitKey(key: string): string[] {
  const match = KEY.exec(key);
  if (!match) return [key];
  const segments = [match[1]!];
  for (const part of match[2]!.matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1]!);
  return segments;
}

function assign(root: FormRecord, path: string[], value: string, rawKey: string): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const isLast = i === path.length - 1;
    // `a[]=x` appends: it takes the next free position in the list.
    const segment = path[i] === '' ? String(Object.keys(node).length) : path[i]!;
    if (isLast) {
      if (typeof node[segment] === 'object') throw conflicting(rawKey);
      node[segment] = value;
      return;
    }
    const next = node[segment] ?? {};
    if (typeof next === 'string') throw conflicting(rawKey);
    node[segment] = next;
    node = next;
  }
}

function conflicting(rawKey: string) {
  return invalidRequest(
    `Invalid request: \`${rawKey}\` mixes a value and a hash for the same parameter.`,
    rawKey,
  );
}
