/**
 * predictions.jsonl as an append-only, crash-safe log: each finished item is
 * one line, appended and flushed (fdatasync) before the item counts as done.
 * Writes are group-committed (lines waiting while a flush runs go out in the
 * next single write + flush), so high concurrency does not serialise on the
 * disk. A kill at any moment leaves at most a torn last line: on resume it
 * is detected (no final newline, or not JSON) and dropped, failed items are
 * dropped too (they are retried), duplicates are impossible because the file
 * is compacted to one line per done item before appending again.
 */
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';

export interface LogLine {
  id: string;
  status?: string;
  [key: string]: unknown;
}

export interface RecoveredLog {
  /** Ids with a result line, in file order. */
  done: Map<string, string>;
  /** Bytes of a torn last line that were dropped (0 when the file ended cleanly). */
  tornBytes: number;
  /** Lines of items that had failed before (dropped: retried now). */
  droppedFailed: number;
  /** Lines that were duplicates or not ours (dropped). */
  droppedOther: number;
}

/**
 * Reads an existing log and rewrites it (temp file + rename) with exactly one
 * line per done item whose id is in `validIds`. Missing file: empty.
 */
export async function recoverLog(path: string, validIds: ReadonlySet<string>): Promise<RecoveredLog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { done: new Map(), tornBytes: 0, droppedFailed: 0, droppedOther: 0 };
    throw e;
  }
  const out: RecoveredLog = { done: new Map(), tornBytes: 0, droppedFailed: 0, droppedOther: 0 };
  const lastNl = text.lastIndexOf('\n');
  const complete = lastNl >= 0 ? text.slice(0, lastNl) : '';
  const tail = text.slice(lastNl + 1);
  if (tail.length > 0) out.tornBytes = Buffer.byteLength(tail, 'utf8');
  const lines = complete.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    let value: LogLine;
    try {
      value = JSON.parse(raw) as LogLine;
    } catch {
      // Only a line cut by a crash can be unreadable (we write whole lines).
      out.tornBytes += Buffer.byteLength(raw, 'utf8') + 1;
      continue;
    }
    if (typeof value.id !== 'string' || !validIds.has(value.id) || out.done.has(value.id)) {
      out.droppedOther++;
      continue;
    }
    if (value.status === 'failed') {
      out.droppedFailed++;
      continue;
    }
    out.done.set(value.id, raw);
  }
  let body = '';
  for (const line of out.done.values()) body += `${line}\n`;
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(body, 'utf8');
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return out;
}

export interface PredictionLog {
  /** Resolves once the line is on disk. */
  append(line: string): Promise<void>;
  close(): Promise<void>;
}

export async function openLog(path: string, options: { fsync?: boolean } = {}): Promise<PredictionLog> {
  const fsync = options.fsync ?? true;
  const fh: FileHandle = await open(path, 'a');
  let waiting: Array<{ line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  let flushing: Promise<void> | null = null;

  async function flushLoop(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await fh.write(batch.map((b) => `${b.line}\n`).join(''));
        if (fsync) await fh.datasync();
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    flushing = null;
  }

  return {
    append(line) {
      if (line.includes('\n')) return Promise.reject(new Error('a log line must not contain a newline'));
      return new Promise<void>((resolve, reject) => {
        waiting.push({ line, resolve, reject });
        flushing ??= flushLoop();
      });
    },
    async close() {
      if (flushing) await flushing;
      await fh.close();
    },
  };
}

/** Writes a JSON file atomically (temp + rename), so a crash never leaves half a run.json. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path).catch(async (e: unknown) => {
    await rm(tmp, { force: true });
    throw e;
  });
}
