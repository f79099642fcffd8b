/**
 * Install progress: per-file and total bytes, a smoothed speed and the time
 * left. The overall fraction never goes down (totals can grow when a file
 * of unknown size reports its length) and is exactly 1 only at `done`:
 * while files are still being verified and written it stays below 1.
 */
import type { InstallProgress, StorageEstimateInfo } from './types';

/** Before `done`, downloads fill the bar up to this share; verify/write take the rest. */
export const DOWNLOAD_SHARE = 0.99;
/** Weight of the newest speed sample in the exponential moving average. */
const SPEED_ALPHA = 0.3;
/** Samples closer together than this are merged, so bursts do not spike the speed. */
const MIN_SAMPLE_MS = 250;

interface FileBytes {
  loaded: number;
  total: number | null;
}

export interface InstallProgressTracker {
  /** Registers the files and their sizes (null when unknown). */
  setFiles(files: ReadonlyArray<{ path: string; size: number | null }>): void;
  checkingStorage(estimate: StorageEstimateInfo, required: number): void;
  /** `received` counts bytes that came over the network now (for the speed), `loaded` the file's bytes so far. */
  download(file: string, loaded: number, total: number | null, received: number, resumed: boolean): void;
  verify(file: string): void;
  fileDone(file: string, fromCache: boolean): void;
  done(): void;
  readonly progress: number;
}

export function createInstallProgress(
  onProgress: ((p: InstallProgress) => void) | undefined,
  now: () => number = () => Date.now(),
): InstallProgressTracker {
  const files = new Map<string, FileBytes>();
  let last = 0;
  let finished = false;
  let speed = 0;
  let sampleStart = -1;
  let sampleBytes = 0;

  const totals = (): { loaded: number; total: number } => {
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      const t = f.total ?? f.loaded;
      loaded += Math.min(f.loaded, t);
      total += t;
    }
    return { loaded, total };
  };
  const fraction = (): number => {
    const { loaded, total } = totals();
    const raw = total > 0 ? (loaded / total) * DOWNLOAD_SHARE : 0;
    last = Math.max(last, Math.min(DOWNLOAD_SHARE, Math.max(0, Number.isFinite(raw) ? raw : 0)));
    return last;
  };
  const summary = () => {
    const progress = fraction();
    const { loaded, total } = totals();
    const remaining = Math.max(0, total - loaded);
    const etaSeconds = speed > 0 ? remaining / speed : remaining === 0 ? 0 : null;
    return { loaded, total, bytesPerSecond: speed, etaSeconds, progress };
  };
  const emit = (p: InstallProgress): void => {
    if (finished) return;
    try {
      onProgress?.(p);
    } catch {
      // a failing listener must not break the install
    }
  };
  const sample = (received: number): void => {
    const t = now();
    if (sampleStart < 0) {
      // the first chunk's bytes arrived over an unknown time: it only starts the clock
      sampleStart = t;
      sampleBytes = 0;
      return;
    }
    sampleBytes += received;
    const dt = t - sampleStart;
    if (dt >= MIN_SAMPLE_MS) {
      const instant = (sampleBytes * 1000) / dt;
      speed = speed === 0 ? instant : SPEED_ALPHA * instant + (1 - SPEED_ALPHA) * speed;
      sampleStart = t;
      sampleBytes = 0;
    }
  };

  return {
    setFiles(list) {
      for (const f of list) {
        if (!files.has(f.path)) files.set(f.path, { loaded: 0, total: f.size });
      }
    },
    checkingStorage(estimate, required) {
      emit({ status: 'checking-storage', estimate, required, ...summary() });
    },
    download(file, loaded, total, received, resumed) {
      const prev = files.get(file) ?? { loaded: 0, total: null };
      const t = total ?? prev.total;
      files.set(file, { loaded: Math.max(0, loaded), total: t });
      if (received > 0) sample(received);
      emit({ status: 'download', file, fileLoaded: loaded, fileTotal: t, resumed, ...summary() });
    },
    verify(file) {
      emit({ status: 'verify', file, ...summary() });
    },
    fileDone(file, fromCache) {
      const f = files.get(file);
      if (f) {
        const size = f.total ?? f.loaded;
        files.set(file, { loaded: size, total: size });
      }
      emit({ status: 'file-done', file, fromCache, ...summary() });
    },
    done() {
      const s = summary();
      last = 1;
      emit({ status: 'done', ...s, etaSeconds: 0, progress: 1 });
      finished = true;
    },
    get progress() {
      return last;
    },
  };
}
