/**
 * An in-memory CacheStorageLike for Node tests and browsers without Cache
 * Storage. Stores response bodies as Blobs with their headers.
 */
import type { CacheLike, CacheStorageLike } from './types';

interface Entry {
  body: Blob;
  status: number;
  headers: [string, string][];
}

class MemoryCache implements CacheLike {
  readonly entries = new Map<string, Entry>();

  async match(request: string): Promise<Response | undefined> {
    const e = this.entries.get(request);
    return e ? new Response(e.body, { status: e.status, headers: e.headers }) : undefined;
  }

  async put(request: string, response: Response): Promise<void> {
    const body = await response.blob();
    this.entries.set(request, { body, status: response.status, headers: [...response.headers.entries()] });
  }

  async delete(request: string): Promise<boolean> {
    return this.entries.delete(request);
  }

  async keys(): Promise<ReadonlyArray<{ url: string }>> {
    return [...this.entries.keys()].map((url) => ({ url }));
  }
}

export class MemoryCacheStorage implements CacheStorageLike {
  readonly caches = new Map<string, MemoryCache>();

  async open(cacheName: string): Promise<CacheLike> {
    let c = this.caches.get(cacheName);
    if (!c) {
      c = new MemoryCache();
      this.caches.set(cacheName, c);
    }
    return c;
  }

  async delete(cacheName: string): Promise<boolean> {
    return this.caches.delete(cacheName);
  }

  async has(cacheName: string): Promise<boolean> {
    return this.caches.has(cacheName);
  }

  /** Keys per cache name, for assertions. */
  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, c] of this.caches) out[name] = [...c.entries.keys()].sort();
    return out;
  }
}
