/** A progress bar for a rebuild on stderr: percentage of the log, events/s and ETA. */
import type { ProjectionProgress } from './runner';

export function progressBar(stream: NodeJS.WriteStream, head: bigint) {
  const started = performance.now();
  let lastDrawn = 0;
  const interactive = stream.isTTY === true;
  const draw = (progress: ProjectionProgress, force: boolean) => {
    const now = performance.now();
    // A terminal redraws ten times a second; a log file gets a line every two seconds.
    if (!force && now - lastDrawn < (interactive ? 100 : 2_000)) return;
    lastDrawn = now;
    const fraction = head > 0n ? Math.min(1, Number(progress.position) / Number(head)) : 1;
    const elapsed = (now - started) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${progress.events.toLocaleString('en')} events  ${Math.round(progress.eventsPerSecond).toLocaleString('en')} events/s  ETA ${formatDuration(eta)}`;
    stream.write(interactive ? `\r${line}\u001b[K` : `${line}\n`);
  };
  let latest: ProjectionProgress | undefined;
  return {
    update(progress: ProjectionProgress) {
      latest = progress;
      draw(progress, false);
    },
    done() {
      // Nothing to catch up (a report over current read models) draws nothing, not even a line end.
      if (!latest) return;
      draw(latest, true);
      if (interactive) stream.write('\n');
    },
  };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
