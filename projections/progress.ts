/** A progress bar for a rebuild on stderr: percentage of the log, events/s and ETA. */
import type { ProjectionProgress } from './runner';

export function progressBar(stream: NodeJS.WriteStream, head: bigint) {
  /**
   * Where the work started (the runner and rebuilds first report it with 0 events), and when:
   * a catch-up resuming from a checkpoint is measured from there, or a resume at 90% would
   * show an ETA of nothing with most of the work to come.
   */
  let start: { position: bigint; time: number } | undefined;
  let latest: ProjectionProgress | undefined;
  let drawn: ProjectionProgress | undefined;
  let lastDrawn = 0;
  const interactive = stream.isTTY === true;
  const draw = (force: boolean) => {
    if (!start || !latest) return;
    const now = performance.now();
    // A terminal redraws ten times a second; a log file gets a line every two seconds.
    if (!force && now - lastDrawn < (interactive ? 100 : 2_000)) return;
    lastDrawn = now;
    drawn = latest;
    const total = head - start.position;
    const done = latest.position - start.position;
    const fraction = total > 0n ? Math.min(1, Number(done) / Number(total)) : 1;
    const elapsed = (now - start.time) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${latest.events.toLocaleString('en')} events  ${Math.round(latest.eventsPerSecond).toLocaleString('en')} events/s  ETA ${formatDuration(eta)}`;
    stream.write(interactive ? `\r${line}\u001b[K` : `${line}\n`);
  };
  return {
    update(progress: ProjectionProgress) {
      start ??= { position: progress.position, time: performance.now() };
      if (progress.events === 0) return;
      latest = progress;
      draw(false);
    },
    done() {
      // Nothing to catch up (a report over current read models) draws nothing, not even a line end.
      if (!latest) return;
      // A log already has the last figures as a line of their own.
      if (interactive || drawn !== latest) draw(true);
      if (interactive) stream.write('\n');
    },
  };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
