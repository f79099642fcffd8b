/**
 * What a resume after a dropped connection can keep. A fetch body is a
 * ReadableStream; when the connection breaks, Chromium errors it, and the
 * Streams spec (ReadableStreamDefaultControllerError → ResetQueue) throws
 * away every chunk the page has not read yet. So the installer can keep
 * exactly the bytes it read — all of them, whatever its flush threshold —
 * and nothing the browser buffered but never handed over. The fake fetch
 * below builds those two bodies by hand, so both cases are deterministic.
 */
import { describe, expect, it } from 'vitest';
import { MedfactError } from '../../../../src/protocol/errors';
import { DEFAULT_CHUNK_BYTES, downloadFile } from '../../../../src/domain/install/download-file';
import { MemoryCacheStorage } from '../../../../src/domain/install/memory-cache-storage';
import { PartialStore } from '../../../../src/domain/install/partial-store';
import type { FetchLike, PlannedFile } from '../../../../src/domain/install/types';

const URL_ = 'https://mirror.test/org/model/resolve/main/tokenizer.json';
const SIZE = 6 * 1024 * 1024;
const CUT = 2_000_000;

/** Deterministic pseudo-random content, so a misplaced byte shows. */
function content(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const FILE_BYTES = content(SIZE);

function planned(): PlannedFile {
  return { path: 'tokenizer.json', url: URL_, cacheName: 'transformers-cache', cacheKey: URL_, size: SIZE, sha256: null, kind: 'tokenizer' };
}

/** The connection broke while the page was busy: the bytes were queued, then the stream errored (what Chromium does). */
function droppedBeforeRead(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.error(new TypeError('network error'));
    },
  });
}

/** The bytes reached the page in 64 KiB chunks as it read them, then the connection broke. */
function droppedAfterRead(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array<ArrayBuffer>> {
  let pos = 0;
  return new ReadableStream({
    pull(controller) {
      if (pos >= bytes.length) {
        controller.error(new TypeError('network error'));
        return;
      }
      const next = Math.min(bytes.length, pos + 64 * 1024);
      controller.enqueue(bytes.slice(pos, next));
      pos = next;
    },
  });
}

interface Served {
  range: string | null;
  status: number;
}

/** A mirror that honours single `bytes=N-` ranges; `cut` decides how the first body ends. */
function fakeMirror(cut: ((bytes: Uint8Array<ArrayBuffer>) => ReadableStream<Uint8Array<ArrayBuffer>>) | null): { fetch: FetchLike; served: Served[] } {
  const served: Served[] = [];
  const fetchFn: FetchLike = async (_input, init) => {
    const range = new Headers(init?.headers).get('range');
    const start = range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1]) : 0;
    const rest = FILE_BYTES.slice(start);
    const status = range ? 206 : 200;
    served.push({ range, status });
    const headers: Record<string, string> = { 'content-length': String(rest.length) };
    if (range) headers['content-range'] = `bytes ${start}-${SIZE - 1}/${SIZE}`;
    const dropThis = cut && served.length === 1;
    const body = dropThis ? cut(rest.slice(0, CUT)) : new Response(rest).body;
    return new Response(body, { status, headers });
  };
  return { fetch: fetchFn, served };
}

async function sameBytes(blob: Blob): Promise<boolean> {
  return Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(FILE_BYTES));
}

async function failure(p: Promise<unknown>): Promise<MedfactError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MedfactError);
  return e as MedfactError;
}

describe('downloadFile after a dropped connection', () => {
  it('cannot keep bytes the stream threw away before the page read them, says so, and restarts without a Range', async () => {
    const partial = new PartialStore(new MemoryCacheStorage());
    const mirror = fakeMirror(droppedBeforeRead);
    const err = await failure(downloadFile(planned(), { fetch: mirror.fetch, partial }));
    expect(err.code).toBe('NETWORK');
    expect(err.details).toMatchObject({ file: 'tokenizer.json', loaded: 0 });
    expect(err.message).toContain('The 0 bytes received are kept');
    expect(await partial.contiguousLength(URL_)).toBe(0);

    const { blob, resumed } = await downloadFile(planned(), { fetch: mirror.fetch, partial });
    expect(resumed).toBe(false);
    expect(mirror.served).toEqual([
      { range: null, status: 200 },
      { range: null, status: 200 },
    ]);
    expect(await sameBytes(blob)).toBe(true);
  });

  it.each([
    { name: `the default ${DEFAULT_CHUNK_BYTES}-byte flush threshold (nothing written before the drop)`, chunkBytes: undefined },
    { name: 'a 512 KiB threshold (some chunks written before the drop)', chunkBytes: 512 * 1024 },
  ])('keeps every byte it read with $name and resumes with a Range for exactly the rest', async ({ chunkBytes }) => {
    const partial = new PartialStore(new MemoryCacheStorage());
    const mirror = fakeMirror(droppedAfterRead);
    const seen: number[] = [];
    const opts = { fetch: mirror.fetch, partial, ...(chunkBytes ? { chunkBytes } : {}) };
    const err = await failure(downloadFile(planned(), { ...opts, onBytes: (loaded) => seen.push(loaded) }));
    expect(err.code).toBe('NETWORK');
    expect(err.details).toMatchObject({ file: 'tokenizer.json', loaded: CUT });
    expect(seen.at(-1)).toBe(CUT);
    expect(await partial.contiguousLength(URL_)).toBe(CUT);

    const { blob, resumed } = await downloadFile(planned(), opts);
    expect(resumed).toBe(true);
    expect(mirror.served).toEqual([
      { range: null, status: 200 },
      { range: `bytes=${CUT}-`, status: 206 },
    ]);
    expect(await sameBytes(blob)).toBe(true);
  });
});
