/**
 * Partial downloads survive a reload: the received bytes of each file are
 * flushed in chunks into their own Cache Storage cache, one entry per chunk,
 * keyed by the file URL plus the chunk's offset and length. A resume asks
 * the server for the rest with a Range request from the end of the
 * contiguous prefix. Kept apart from the engines' caches so an engine never
 * sees half a file.
 */
import type { CacheLike, CacheStorageLike } from './types';

export const PARTIAL_CACHE = 'medfact-partial-downloads';
const PART_PARAM = 'medfact-part';

export interface PartInfo {
  key: string;
  offset: number;
  length: number;
}

function partPrefix(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${PART_PARAM}=`;
}

export function partKey(url: string, offset: number, length: number): string {
  return `${partPrefix(url)}${offset}-${length}`;
}

export class PartialStore {
  private cachePromise: Promise<CacheLike> | null = null;

  constructor(private readonly cacheStorage: CacheStorageLike) {}

  private cache(): Promise<CacheLike> {
    this.cachePromise ??= this.cacheStorage.open(PARTIAL_CACHE);
    return this.cachePromise;
  }

  /** The stored chunks of one file, sorted by offset. */
  async parts(url: string): Promise<PartInfo[]> {
    const cache = await this.cache();
    const prefix = partPrefix(url);
    const out: PartInfo[] = [];
    for (const req of await cache.keys()) {
      if (!req.url.startsWith(prefix)) continue;
      const m = /^(\d+)-(\d+)$/.exec(req.url.slice(prefix.length));
      if (!m) continue;
      out.push({ key: req.url, offset: Number(m[1]), length: Number(m[2]) });
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  /** Bytes stored from offset 0 without a gap; chunks past a gap are dropped. */
  async contiguousLength(url: string): Promise<number> {
    const cache = await this.cache();
    let end = 0;
    for (const p of await this.parts(url)) {
      if (p.offset === end) end += p.length;
      else await cache.delete(p.key);
    }
    return end;
  }

  async write(url: string, offset: number, chunks: ReadonlyArray<Uint8Array<ArrayBuffer>>): Promise<number> {
    const blob = new Blob([...chunks]);
    if (blob.size === 0) return 0;
    const cache = await this.cache();
    await cache.put(partKey(url, offset, blob.size), new Response(blob));
    return blob.size;
  }

  /** The whole file from its chunks (disk-backed in browsers, so not held in memory). */
  async assemble(url: string): Promise<Blob> {
    const cache = await this.cache();
    const blobs: Blob[] = [];
    let end = 0;
    for (const p of await this.parts(url)) {
      if (p.offset !== end) break;
      const res = await cache.match(p.key);
      if (!res) break;
      blobs.push(await res.blob());
      end += p.length;
    }
    return new Blob(blobs);
  }

  async clear(url: string): Promise<void> {
    const cache = await this.cache();
    for (const p of await this.parts(url)) await cache.delete(p.key);
  }

  /** Total bytes held in partial downloads of the given URLs. */
  async bytesFor(urls: readonly string[]): Promise<number> {
    let total = 0;
    for (const url of urls) total += await this.contiguousLength(url);
    return total;
  }
}
