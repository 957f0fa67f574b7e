// Preloaded into the server under test by the memory bench (NODE_OPTIONS=--expose-gc --import):
// on SIGWINCH it writes the process's memory as Node sees it, then again after a full GC, so
// the report can tell memory the server keeps from garbage V8 has not given back yet.
import { writeFileSync } from 'node:fs';

const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const usage = () => {
  const m = process.memoryUsage();
  return {
    rss: mb(m.rss),
    heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed),
    external: mb(m.external),
  };
};
process.on('SIGWINCH', () => {
  const before = usage();
  globalThis.gc();
  writeFileSync(process.env.BENCH_HEAP_FILE, JSON.stringify({ before, afterGc: usage() }));
});
