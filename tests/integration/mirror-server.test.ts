/**
 * The local model mirror: layout, HTTP semantics downloaders rely on, and
 * every declared fault.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FixtureManifest, ManifestEntry } from '../fixtures/build-models';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { type MirrorServer, mirrorFileUrl, startMirrorServer } from '../fixtures/mirror-server';

const MODEL = 'fixture/tiny-reward';
const FILE = 'onnx/model.onnx';

let root = '';
let server: MirrorServer;
let manifest: FixtureManifest;
let entry: ManifestEntry;
let onDisk: Buffer;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const url = (file = FILE, model = MODEL): string => mirrorFileUrl(server, model, file);

beforeAll(async () => {
  root = await ensureFixtureModels();
  manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as FixtureManifest;
  entry = manifest.files.find((f) => f.path === `${MODEL}/${FILE}`)!;
  onDisk = await readFile(join(root, MODEL, FILE));
  server = await startMirrorServer({ root });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.setFaults([]);
});

describe('mirror server: layout and HTTP', () => {
  it('serves /{org}/{name}/resolve/{revision}/{file} from the model folder, with length, ETag and CORS', async () => {
    const res = await fetch(url(), { headers: { Origin: 'http://127.0.0.1:4173' } });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(entry.sha256);
    expect(res.headers.get('content-length')).toBe(String(entry.size));
    expect(res.headers.get('etag')).toMatch(/^".+"$/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Content-Length.*Content-Range.*ETag/);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    // Any revision maps to the same folder.
    const other = await fetch(mirrorFileUrl(server, MODEL, FILE, 'abc123'));
    expect(sha256(new Uint8Array(await other.arrayBuffer()))).toBe(entry.sha256);
  });

  it('serves plain paths such as /manifest.json', async () => {
    const res = await fetch(`${server.url}/manifest.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual(manifest);
  });

  it('answers HEAD without a body and OPTIONS with the CORS preflight headers', async () => {
    const head = await fetch(url(), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(entry.size));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const pre = await fetch(url(), { method: 'OPTIONS', headers: { 'Access-Control-Request-Headers': 'range' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Range/);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/GET/);
  });

  it('answers Range requests with 206 and the right bytes, and 416 past the end', async () => {
    const part = await fetch(url(), { headers: { Range: 'bytes=10-29' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-29/${entry.size}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(onDisk.subarray(10, 30));

    const tail = await fetch(url(), { headers: { Range: 'bytes=-16' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(onDisk.subarray(entry.size - 16));

    const open = await fetch(url(), { headers: { Range: `bytes=${entry.size - 5}-` } });
    expect(Buffer.from(await open.arrayBuffer())).toEqual(onDisk.subarray(entry.size - 5));

    const beyond = await fetch(url(), { headers: { Range: `bytes=${entry.size}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${entry.size}`);
  });

  it('answers If-None-Match with 304 when the ETag matches', async () => {
    const etag = (await fetch(url(), { method: 'HEAD' })).headers.get('etag')!;
    const res = await fetch(url(), { headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
  });

  it('answers 404 for missing files and for paths that try to leave the root', async () => {
    expect((await fetch(url('onnx/missing.onnx'))).status).toBe(404);
    expect((await fetch(`${server.url}/fixture/tiny-reward/resolve/main/..%2F..%2F..%2Fmanifest.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/%2E%2E/%2E%2E/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/fixture/tiny-reward`)).status).toBe(404); // a folder, not a file
  });

  it('records every request with method, path, status and range', async () => {
    const before = server.requests.length;
    await (await fetch(url(), { headers: { Range: 'bytes=0-3' } })).arrayBuffer();
    await fetch(url('nope.json'));
    expect(server.requests.slice(before)).toEqual([
      { method: 'GET', path: `/${MODEL}/resolve/main/${FILE}`, status: 206, range: 'bytes=0-3' },
      { method: 'GET', path: `/${MODEL}/resolve/main/nope.json`, status: 404 },
    ]);
  });
});

describe('mirror server: faults', () => {
  it('answers 404 and 500 for matching paths only', async () => {
    server.setFaults([
      { path: 'onnx/model.onnx', kind: 'status', status: 404 },
      { path: /config\.json$/, kind: 'status', status: 500 },
    ]);
    expect((await fetch(url())).status).toBe(404);
    expect((await fetch(url('config.json'))).status).toBe(500);
    expect((await fetch(url('tokenizer.json'))).status).toBe(200);
    expect(server.requests.at(-2)).toMatchObject({ status: 500, faults: ['status'] });
  });

  it('drops the connection after N bytes, and a Range request resumes to the right file', async () => {
    const cut = 100;
    server.setFaults([{ path: FILE, kind: 'drop', afterBytes: cut, times: 1 }]);
    const res = await fetch(url());
    expect(res.headers.get('content-length')).toBe(String(entry.size)); // promised the whole file
    const received: Uint8Array[] = [];
    const reader = res.body!.getReader();
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received.push(value);
      }
    } catch {
      failed = true;
    }
    const got = Buffer.concat(received);
    expect(failed || got.length < entry.size).toBe(true);
    expect(got.length).toBeLessThanOrEqual(cut);
    expect(got).toEqual(onDisk.subarray(0, got.length));

    // `times: 1` — the retry is served normally; resume from what we have.
    const rest = await fetch(url(), { headers: { Range: `bytes=${got.length}-` } });
    expect(rest.status).toBe(206);
    const whole = Buffer.concat([got, Buffer.from(await rest.arrayBuffer())]);
    expect(whole.length).toBe(entry.size);
    expect(sha256(whole)).toBe(entry.sha256);
  });

  it('rejects the body read when the connection drops before any byte', async () => {
    server.setFaults([{ path: FILE, kind: 'drop', afterBytes: 0 }]);
    await expect(fetch(url()).then((r) => r.arrayBuffer())).rejects.toThrow();
  });

  it('serves corrupted bytes of the right length, detectable against manifest.json', async () => {
    server.setFaults([{ path: FILE, kind: 'corrupt' }]);
    const bytes = new Uint8Array(await (await fetch(url())).arrayBuffer());
    expect(bytes.length).toBe(entry.size);
    expect(sha256(bytes)).not.toBe(entry.sha256);
    server.setFaults([]);
    expect(sha256(new Uint8Array(await (await fetch(url())).arrayBuffer()))).toBe(entry.sha256);
  });

  it('delays matching responses (a short client timeout fires), and only those', async () => {
    server.setFaults([{ path: FILE, kind: 'delay', ms: 3_000 }]);
    await expect(fetch(url(), { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect((await fetch(url('config.json'))).status).toBe(200);
    expect(server.requests.find((r) => r.faults?.includes('delay'))?.path).toBe(`/${MODEL}/resolve/main/${FILE}`);
  });

  it('limits a fault to its first `times` matching requests', async () => {
    server.setFaults([{ path: FILE, kind: 'status', status: 500, times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(url(), { method: 'HEAD' })).status);
    expect(statuses).toEqual([500, 500, 200]);
  });
});
