// Preloaded into the server under test (NODE_OPTIONS=--import) when BENCH_PROFILE_DIR is set:
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so the profile is taken through the inspector.
// It starts on SIGUSR2 (sent by the bench as the measured run begins, so start-up and
// catch-up stay out of it) and is saved on exit: a same-thread session answers synchronously.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const file = join(process.env.BENCH_PROFILE_DIR, `${process.env.BENCH_PROFILE_NAME}.cpuprofile`);
const session = new Session();
let started = false;
process.on('SIGUSR2', () => {
  if (started) return;
  started = true;
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
});
process.on('exit', () => {
  if (!started) return;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(file, JSON.stringify(result.profile));
  });
});
