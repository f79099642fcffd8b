import type { LoadProgress } from '../../src/protocol/engine';

/**
 * Turns per-file download events and load stages into the protocol's
 * LoadProgress union with one overall fraction that never goes down and
 * ends at exactly 1 with `ready`.
 *
 * Shares of the bar: downloads 0..0.9, compile/session creation 0.9..0.95,
 * warm-up 0.95..1. Totals grow as new files are discovered, which would make
 * a plain loaded/total ratio jump backwards, so the fraction is clamped to
 * the highest value reported so far.
 */
export const DOWNLOAD_SHARE = 0.9;
export const COMPILE_END = 0.95;

export interface ProgressTracker {
  initiate(file: string): void;
  download(file: string, loaded: number, total: number): void;
  done(file: string): void;
  /**
   * A download whose overall fraction the library reports itself (WebLLM's
   * initProgressCallback): `fraction` of the download share, with bytes
   * where known (0 otherwise).
   */
  external(file: string, fraction: number, loaded: number, total: number): void;
  /** fraction of the compile stage in 0..1 (WebLLM reports its own) */
  compile(fraction: number, text?: string): void;
  warmup(): void;
  ready(): void;
  /** the overall fraction last reported */
  readonly current: number;
}

interface FileState {
  loaded: number;
  total: number;
}

export function createProgressTracker(onProgress: ((p: LoadProgress) => void) | undefined): ProgressTracker {
  const files = new Map<string, FileState>();
  let last = 0;
  let finished = false;

  const emit = (p: LoadProgress): void => {
    if (finished) return;
    if (p.status === 'ready') finished = true;
    last = p.progress;
    try {
      onProgress?.(p);
    } catch {
      // a failing listener must not break the load
    }
  };
  const clamp = (value: number): number => {
    const v = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    return Math.max(last, v);
  };
  const totals = (): { loaded: number; total: number } => {
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    return { loaded, total };
  };
  const downloadFraction = (): number => {
    const { loaded, total } = totals();
    return total > 0 ? (Math.min(loaded, total) / total) * DOWNLOAD_SHARE : 0;
  };

  return {
    initiate(file) {
      if (!files.has(file)) files.set(file, { loaded: 0, total: 0 });
      emit({ status: 'initiate', file, progress: clamp(downloadFraction()) });
    },
    download(file, loaded, total) {
      const prev = files.get(file);
      const safeTotal = Number.isFinite(total) && total > 0 ? total : Math.max(prev?.total ?? 0, loaded);
      const safeLoaded = Math.max(prev?.loaded ?? 0, Number.isFinite(loaded) ? loaded : 0);
      files.set(file, { loaded: Math.min(safeLoaded, safeTotal), total: safeTotal });
      const t = totals();
      emit({
        status: 'download',
        file,
        loaded: Math.min(safeLoaded, safeTotal),
        total: safeTotal,
        totalLoaded: t.loaded,
        totalBytes: t.total,
        progress: clamp(downloadFraction()),
      });
    },
    external(file, fraction, loaded, total) {
      const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
      const l = Number.isFinite(loaded) && loaded > 0 ? loaded : 0;
      const t = Number.isFinite(total) && total > 0 ? total : l;
      emit({ status: 'download', file, loaded: l, total: t, totalLoaded: l, totalBytes: t, progress: clamp(f * DOWNLOAD_SHARE) });
    },
    done(file) {
      const f = files.get(file);
      if (f) f.loaded = f.total;
      emit({ status: 'done', file, progress: clamp(downloadFraction()) });
    },
    compile(fraction, text) {
      const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
      const p: LoadProgress = { status: 'compile', progress: clamp(DOWNLOAD_SHARE + f * (COMPILE_END - DOWNLOAD_SHARE)) };
      if (text !== undefined) p.text = text;
      emit(p);
    },
    warmup() {
      emit({ status: 'warmup', progress: clamp(COMPILE_END) });
    },
    ready() {
      emit({ status: 'ready', progress: 1 });
    },
    get current() {
      return last;
    },
  };
}
