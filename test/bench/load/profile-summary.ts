/**
 * `tsx test/bench/load/profile-summary.ts FILE.cpuprofile [N]`: where a server spent its CPU
 * time, as self time and inclusive time per function and self time per file (or package),
 * to name the bottleneck behind a benchmark figure. `--callers NAME` splits the self time of
 * one function (e.g. better-sqlite3's native `run` or `all`) by the server code that called it.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const root = `file://${process.cwd()}/`;
const place = (url: string) => {
  const local = url.startsWith(root) ? url.slice(root.length) : url;
  const pkg = local.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  return pkg ? `npm:${pkg}` : local || '(native)';
};

export function summarise(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${place(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const node = byId.get(id)!;
    self.set(key(node), (self.get(key(node)) ?? 0) + ms);
    const file =
      place(node.callFrame.url) === '(native)'
        ? node.callFrame.functionName
        : place(node.callFrame.url);
    files.set(file, (files.get(file) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  });
  const busy = total - (self.get('(idle) (native):0') ?? 0);
  const rows = (m: Map<string, number>, exclude = /^\(root\)|^\(program\)|^\(idle\)/) =>
    [...m]
      .filter(([k]) => !exclude.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return [
    `profile: ${(total / 1000).toFixed(1)} s, busy (not idle) ${(busy / 1000).toFixed(1)} s; percentages of busy time`,
    '\nself time by file or package:',
    rows(files, /^\(idle\)$/),
    '\nself time by function:',
    rows(self),
    '\ninclusive time by function:',
    rows(inclusive),
  ].join('\n');
}

/** Self time of the functions named `name`, split by the function that called them. */
export function callers(profile: Profile, name: string): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const by = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    if (node.callFrame.functionName !== name) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    // Up to the first frame of our own code, which names the caller that matters.
    let at = parent.get(id);
    // The bundled server (main.mjs and its workers) counts as our code too.
    const ours = /^(server|projections)\/|\.mjs$/;
    while (at !== undefined && !ours.test(place(byId.get(at)!.callFrame.url))) at = parent.get(at);
    const frame = at === undefined ? undefined : byId.get(at)!.callFrame;
    const key = frame ? `${frame.functionName || '(anonymous)'} ${place(frame.url)}` : '(other)';
    by.set(key, (by.get(key) ?? 0) + ms);
  });
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Profile;
  const callersOf = process.argv.indexOf('--callers');
  if (callersOf > 0) console.log(callers(profile, process.argv[callersOf + 1]!));
  else console.log(summarise(profile, Number(process.argv[3] ?? 25)));
}
