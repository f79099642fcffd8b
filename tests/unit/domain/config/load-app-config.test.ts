import { describe, expect, it } from 'vitest';
import { loadAppConfig, type FetchLike } from '../../../../src/domain/config/load-app-config';

function serve(body: string, init: ResponseInit = {}): FetchLike {
  return async () => new Response(body, init);
}

describe('loadAppConfig', () => {
  it('uses defaults without an issue when the file is missing', async () => {
    const loaded = await loadAppConfig(serve('not found', { status: 404 }));
    expect(loaded).toMatchObject({ source: 'defaults', issues: [] });
    expect(loaded.config.modelHost).toBe('https://huggingface.co');
  });

  it('treats an SPA fallback page as a missing file', async () => {
    const loaded = await loadAppConfig(serve('<!doctype html><html></html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    expect(loaded).toMatchObject({ source: 'defaults', issues: [] });
  });

  it('reads a valid file', async () => {
    const loaded = await loadAppConfig(serve(JSON.stringify({ modelHost: 'https://mirror.example.org', mirrorOnly: true })));
    expect(loaded.source).toBe('file');
    expect(loaded.issues).toEqual([]);
    expect(loaded.config).toMatchObject({ modelHost: 'https://mirror.example.org', mirrorOnly: true });
  });

  it('names the file when it is malformed and still returns defaults', async () => {
    const loaded = await loadAppConfig(serve('{ nope'));
    expect(loaded.issues).toEqual([expect.objectContaining({ path: 'app-config.json', kind: 'malformed' })]);
    expect(loaded.config.modelHost).toBe('https://huggingface.co');
  });

  it('names a bad field and keeps the others', async () => {
    const loaded = await loadAppConfig(serve(JSON.stringify({ modelHost: 'https://mirror.example.org', catalog: [{ id: 'x' }] })));
    expect(loaded.config.modelHost).toBe('https://mirror.example.org');
    expect(loaded.issues.map((i) => i.path)).toContain('catalog[0].engine');
  });

  it('reports server errors and network failures without throwing', async () => {
    const err = await loadAppConfig(serve('oops', { status: 500 }));
    expect(err.issues[0]).toMatchObject({ path: 'app-config.json', kind: 'unreadable' });
    const offline = await loadAppConfig(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(offline.source).toBe('defaults');
    expect(offline.issues[0]?.kind).toBe('unreadable');
  });

  it('asks the server to revalidate (fresh, not from the HTTP cache)', async () => {
    let seen: RequestInit | undefined;
    await loadAppConfig(async (_url, init) => {
      seen = init;
      return new Response('{}');
    });
    expect(seen?.cache).toBe('no-cache');
  });
});
