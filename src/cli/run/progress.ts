/**
 * Progress of a headless run on stderr: a live bar on a terminal
 * (cli-progress, a maintained library: done/total, items/s, ETA, retries,
 * failures) and plain lines otherwise (one every few seconds and at the
 * end), so logs of CI jobs stay readable. Never prints item text.
 */
import cliProgress from 'cli-progress';

export interface ProgressCounts {
  done: number;
  failed: number;
  retries: number;
  cached: number;
}

export interface RunProgress {
  update(counts: ProgressCounts): void;
  stop(counts: ProgressCounts): void;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createProgress(total: number, alreadyDone: number, options: { tty?: boolean; stream?: { write(text: string): unknown; isTTY?: boolean }; intervalMs?: number } = {}): RunProgress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const started = performance.now();
  const rate = (c: ProgressCounts): number => {
    const secs = (performance.now() - started) / 1000;
    return secs > 0 ? (c.done + c.failed - alreadyDone) / secs : 0;
  };
  const fields = (c: ProgressCounts) => {
    const r = rate(c);
    const left = total - c.done - c.failed;
    return { speed: r.toFixed(2), etaText: r > 0 ? formatEta(left / r) : '?', retries: c.retries, failed: c.failed, cached: c.cached };
  };

  if (tty) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: 'medfact run |{bar}| {value}/{total} | {speed} items/s | ETA {etaText} | retries {retries} | failed {failed} | cached {cached}',
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, alreadyDone, fields({ done: alreadyDone, failed: 0, retries: 0, cached: 0 }));
    return {
      update: (c) => bar.update(c.done + c.failed, fields(c)),
      stop: (c) => {
        bar.update(c.done + c.failed, fields(c));
        bar.stop();
      },
    };
  }

  const interval = options.intervalMs ?? 5000;
  let last = 0;
  const line = (c: ProgressCounts): string => {
    const f = fields(c);
    const n = c.done + c.failed;
    return `progress ${n}/${total} (${total > 0 ? ((100 * n) / total).toFixed(1) : '100.0'}%) ${f.speed} items/s ETA ${f.etaText} retries ${f.retries} failed ${f.failed} cached ${f.cached}\n`;
  };
  return {
    update(c) {
      const t = performance.now();
      if (t - last < interval) return;
      last = t;
      stream.write(line(c));
    },
    stop(c) {
      stream.write(line(c));
    },
  };
}
