/**
 * Downloads one file into the partial store, resuming from what a previous
 * attempt left there. Uses a Range request when some bytes are stored and
 * falls back to a full restart when the server ignores the range.
 */
import { AbortError, MedfactError, isAbortError, toMedfactError } from '../../protocol/errors';
import type { PartialStore } from './partial-store';
import type { FetchLike, PlannedFile } from './types';

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

export interface DownloadFileOptions {
  fetch: FetchLike;
  partial: PartialStore;
  signal?: AbortSignal;
  /** Bytes buffered in memory before a chunk is flushed to storage. */
  chunkBytes?: number;
  /** loaded: file bytes so far; received: bytes that arrived since the last call. */
  onBytes?: (loaded: number, total: number | null, received: number, resumed: boolean) => void;
}

export interface DownloadedFile {
  blob: Blob;
  resumed: boolean;
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

export function networkError(file: PlannedFile, cause: unknown, loaded: number, status?: number): MedfactError {
  const reason = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
  return new MedfactError(
    'NETWORK',
    `The download of ${file.path} stopped${status ? ` (HTTP ${status})` : ''}${reason ? `: ${reason}` : ''}. The ${loaded} bytes received are kept: resume the install when the connection is back, or remove the partial files.`,
    { file: file.path, url: safeUrl(file.url), loaded, ...(status ? { status } : {}) },
  );
}

function notFound(file: PlannedFile, status: number): MedfactError {
  return new MedfactError(
    'NOT_FOUND',
    `The source has no file ${file.path} (HTTP ${status}). Check that the model id, revision and mirror address are right.`,
    { file: file.path, url: safeUrl(file.url), status },
  );
}

/** Parses `bytes start-end/total`. */
function parseContentRange(value: string | null): { start: number; total: number | null } | null {
  if (!value) return null;
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

function lengthOf(res: Response): number | null {
  const v = res.headers.get('content-length');
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export async function downloadFile(file: PlannedFile, opts: DownloadFileOptions): Promise<DownloadedFile> {
  const { partial, signal } = opts;
  const chunkBytes = Math.max(1, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  if (signal?.aborted) throw new AbortError();

  let offset = await partial.contiguousLength(file.url);
  if (file.size !== null && offset > file.size) {
    await partial.clear(file.url);
    offset = 0;
  }
  const resumed = offset > 0;
  if (file.size !== null && offset === file.size) {
    opts.onBytes?.(offset, file.size, 0, resumed);
    return { blob: await partial.assemble(file.url), resumed };
  }

  let res: Response;
  try {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    res = await opts.fetch(file.url, { signal, headers, cache: 'no-store' });
    if (res.status === 416 && offset > 0) {
      // stored prefix no longer fits the file on the server: start over
      await partial.clear(file.url);
      offset = 0;
      res = await opts.fetch(file.url, { signal, cache: 'no-store' });
    }
  } catch (e) {
    if (isAbortError(e) || signal?.aborted) throw new AbortError();
    if (e instanceof MedfactError) throw e;
    throw networkError(file, e, offset);
  }
  if (res.status === 404 || res.status === 410) throw notFound(file, res.status);
  if (!res.ok) throw networkError(file, `HTTP ${res.status}`, offset, res.status);

  let total: number | null = file.size;
  if (res.status === 206) {
    const range = parseContentRange(res.headers.get('content-range'));
    if (!range || range.start !== offset) {
      // a range we did not ask for: drop it and download the whole file
      await res.body?.cancel().catch(() => undefined);
      await partial.clear(file.url);
      return downloadFile(file, opts);
    }
    total ??= range.total;
  } else {
    // 200: the server ignored the Range header, so the body is the whole file
    if (offset > 0) await partial.clear(file.url);
    offset = 0;
    total ??= lengthOf(res);
  }
  if (!res.body) throw networkError(file, 'empty response body', offset, res.status);

  let loaded = offset;
  let flushedTo = offset;
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const chunks = pending;
    pending = [];
    pendingBytes = 0;
    flushedTo += await partial.write(file.url, flushedTo, chunks);
  };

  opts.onBytes?.(loaded, total, 0, resumed);
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending.push(value);
      pendingBytes += value.byteLength;
      loaded += value.byteLength;
      opts.onBytes?.(loaded, total, value.byteLength, resumed);
      if (pendingBytes >= chunkBytes) await flush();
    }
    await flush();
  } catch (e) {
    // keep the valid prefix for a resume, then report why it stopped
    await flush().catch(() => undefined);
    if (isAbortError(e) || signal?.aborted) throw new AbortError();
    const typed = toMedfactError(e);
    if (typed.code === 'QUOTA_EXCEEDED' || e instanceof MedfactError) throw typed;
    throw networkError(file, e, loaded);
  }

  if (total !== null && loaded < total) {
    throw networkError(file, `connection closed after ${loaded} of ${total} bytes`, loaded);
  }
  return { blob: await partial.assemble(file.url), resumed };
}
