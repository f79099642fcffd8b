import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ensureFixtureModels } from '../../../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../../../fixtures/mirror-server';
import { MemoryCacheStorage } from '../../../../src/domain/install/memory-cache-storage';
import { PARTIAL_CACHE } from '../../../../src/domain/install/partial-store';
import { TRANSFORMERS_CACHE } from '../../../../src/domain/install/cache-layout';
import { clearAll, deleteModel, installModel, verifyInstalled, type InstallerDeps } from '../../../../src/domain/install/installer';
import { importFromFiles, type PickedFile } from '../../../../src/domain/install/import-files';
import { planInstall } from '../../../../src/domain/install/plan';
import type { InstallProgress, InstallTarget, StorageLike } from '../../../../src/domain/install/types';
import { createMemoryModelsRepo, type ModelsRepo } from '../../../../src/storage/models-repo';
import { AbortError, MedfactError } from '../../../../src/protocol/errors';

let root: string;
let mirror: MirrorServer;
let caches: MemoryCacheStorage;
let repo: ModelsRepo;

beforeAll(async () => {
  root = await ensureFixtureModels('tests/.cache/models');
  mirror = await startMirrorServer({ root });
});
afterAll(async () => {
  await mirror?.close();
});
beforeEach(() => {
  mirror.setFaults([]);
  mirror.requests.length = 0;
  caches = new MemoryCacheStorage();
  repo = createMemoryModelsRepo();
});

function deps(storage: StorageLike | null = { estimate: async () => ({ usage: 0, quota: 10e9 }), persist: async () => true }): InstallerDeps {
  return { caches, repo, fetch: (u, i) => fetch(u, i), storage, now: () => Date.now() };
}

const verifier = (): InstallTarget => ({ id: 'fixture/tiny-verifier', engine: 'transformers', dtype: 'q8', task: 'text-generation', source: { hubHost: mirror.url } });
const reward = (): InstallTarget => ({ id: 'fixture/tiny-reward', engine: 'transformers', dtype: 'fp32', task: 'text-classification', source: { hubHost: mirror.url } });

async function fixtureBytes(model: string, file: string): Promise<Buffer> {
  return readFile(join(root, model, file));
}

async function cachedBytes(key: string): Promise<Buffer | null> {
  const res = await (await caches.open(TRANSFORMERS_CACHE)).match(key);
  return res ? Buffer.from(await res.arrayBuffer()) : null;
}

function expectMonotonicToOne(events: InstallProgress[]): void {
  expect(events.length).toBeGreaterThan(2);
  for (let i = 1; i < events.length; i++) expect(events[i]!.progress).toBeGreaterThanOrEqual(events[i - 1]!.progress);
  expect(events.at(-1)).toMatchObject({ status: 'done', progress: 1 });
}

describe('installModel from a mirror', () => {
  it('downloads every file into the transformers.js cache under its own keys and marks the model installed', async () => {
    const plan = await planInstall(verifier());
    expect(plan.files.map((f) => f.path).sort()).toEqual(['config.json', 'generation_config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(plan.files.every((f) => f.sha256 && f.size)).toBe(true);
    const events: InstallProgress[] = [];
    const { record, persisted } = await installModel(plan, deps(), { onProgress: (p) => events.push(p), chunkBytes: 1 << 20 });
    expectMonotonicToOne(events);
    expect(persisted).toBe(true);
    expect(record.state).toBe('installed');
    expect(record.installedAt).toEqual(expect.any(Number));
    for (const f of plan.files) {
      expect(f.cacheKey).toBe(`${mirror.url}/fixture/tiny-verifier/resolve/main/${f.path}`);
      expect((await cachedBytes(f.cacheKey))?.equals(await fixtureBytes('fixture/tiny-verifier', f.path))).toBe(true);
    }
    expect((await repo.get(plan.recordId))?.state).toBe('installed');
    // temporary chunks are gone
    expect(caches.snapshot()[PARTIAL_CACHE] ?? []).toEqual([]);
    // a second install finds everything in the cache and downloads nothing
    mirror.requests.length = 0;
    const again: InstallProgress[] = [];
    await installModel(plan, deps(), { onProgress: (p) => again.push(p) });
    expect(mirror.requests).toEqual([]);
    expectMonotonicToOne(again);
  });

  it('keeps what arrived when the connection drops, leaves the record partial, and resumes with a Range request', async () => {
    const plan = await planInstall(verifier());
    mirror.setFaults([{ path: 'tokenizer.json', kind: 'drop', afterBytes: 3_000_000, times: 1 }]);
    const err = await installModel(plan, deps(), { chunkBytes: 256 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MedfactError);
    expect((err as MedfactError).code).toBe('NETWORK');
    expect((err as MedfactError).details).toMatchObject({ file: 'tokenizer.json' });
    const partial = await repo.get(plan.recordId);
    expect(partial?.state).toBe('partial');
    expect(partial?.error?.code).toBe('NETWORK');
    expect(await cachedBytes(plan.files.find((f) => f.path === 'tokenizer.json')!.cacheKey)).toBeNull();

    mirror.requests.length = 0;
    const events: InstallProgress[] = [];
    const { record } = await installModel(plan, deps(), { onProgress: (p) => events.push(p), chunkBytes: 256 * 1024 });
    expect(record.state).toBe('installed');
    const tokenizerGets = mirror.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/tokenizer.json'));
    expect(tokenizerGets).toHaveLength(1);
    expect(tokenizerGets[0]?.status).toBe(206);
    expect(tokenizerGets[0]?.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(events.some((e) => e.status === 'download' && e.resumed)).toBe(true);
    expectMonotonicToOne(events);
    const key = plan.files.find((f) => f.path === 'tokenizer.json')!.cacheKey;
    expect((await cachedBytes(key))?.equals(await fixtureBytes('fixture/tiny-verifier', 'tokenizer.json'))).toBe(true);
  });

  it('answers a missing file with NOT_FOUND and never marks the model installed', async () => {
    const plan = await planInstall(reward());
    mirror.setFaults([{ path: 'onnx/model.onnx', kind: 'status', status: 404 }]);
    await expect(installModel(plan, deps())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await repo.get(plan.recordId))?.state).toBe('failed');
  });

  it('treats a server error as a network failure that can be resumed', async () => {
    const plan = await planInstall(reward());
    mirror.setFaults([{ path: 'tokenizer.json', kind: 'status', status: 500 }]);
    await expect(installModel(plan, deps())).rejects.toMatchObject({ code: 'NETWORK', details: { status: 500 } });
    expect((await repo.get(plan.recordId))?.state).toBe('partial');
  });

  it('refuses a file whose SHA-256 does not match, removes its partial data, and keeps the model uninstalled', async () => {
    const plan = await planInstall(reward());
    mirror.setFaults([{ path: 'onnx/model.onnx', kind: 'corrupt' }]);
    const err = await installModel(plan, deps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HASH_MISMATCH', details: { file: 'onnx/model.onnx' } });
    expect((await repo.get(plan.recordId))?.state).toBe('failed');
    const onnx = plan.files.find((f) => f.path === 'onnx/model.onnx')!;
    expect(await cachedBytes(onnx.cacheKey)).toBeNull();
    expect((caches.snapshot()[PARTIAL_CACHE] ?? []).filter((k) => k.startsWith(onnx.url))).toEqual([]);
  });

  it('refuses before downloading when the storage estimate says it will not fit', async () => {
    const plan = await planInstall(reward());
    mirror.requests.length = 0;
    const err = await installModel(plan, deps({ estimate: async () => ({ usage: 900, quota: 1000 }) })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { usage: 900, quota: 1000, available: 100 } });
    expect(((err as MedfactError).details?.['required'] as number) > plan.totalBytes).toBe(true);
    expect(mirror.requests).toEqual([]);
    expect((await repo.get(plan.recordId))?.state).not.toBe('installed');
  });

  it('stops on cancel with an AbortError and resumes later', async () => {
    const plan = await planInstall(verifier());
    const controller = new AbortController();
    const err = await installModel(plan, deps(), {
      signal: controller.signal,
      chunkBytes: 128 * 1024,
      onProgress: (p) => {
        if (p.status === 'download' && p.file === 'tokenizer.json' && p.fileLoaded > 1_000_000) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((await repo.get(plan.recordId))?.state).toBe('partial');
    const { record } = await installModel(plan, deps());
    expect(record.state).toBe('installed');
  });

  it('detects a damaged cache entry, drops the record to partial, and a reinstall fetches only that file', async () => {
    const plan = await planInstall(reward());
    await installModel(plan, deps());
    const onnx = plan.files.find((f) => f.path === 'onnx/model.onnx')!;
    await (await caches.open(TRANSFORMERS_CACHE)).put(onnx.cacheKey, new Response('garbage'));
    await expect(verifyInstalled(plan.recordId, deps())).rejects.toMatchObject({ code: 'CORRUPT_CACHE', details: { files: ['onnx/model.onnx'] } });
    expect((await repo.get(plan.recordId))?.state).toBe('partial');
    mirror.requests.length = 0;
    await installModel(plan, deps());
    expect(mirror.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/fixture/tiny-reward/resolve/main/onnx/model.onnx']);
    await expect(verifyInstalled(plan.recordId, deps(), { deep: true })).resolves.toMatchObject({ state: 'installed' });
  });

  it('deletes one model without touching files another install shares, and clears all', async () => {
    const q8 = await planInstall(reward());
    const fp16 = await planInstall({ ...reward(), dtype: 'fp16' });
    await installModel(q8, deps());
    await installModel(fp16, deps());
    await deleteModel(fp16.recordId, deps());
    expect(await repo.get(fp16.recordId)).toBeUndefined();
    expect(await cachedBytes(fp16.files.find((f) => f.path === 'onnx/model_fp16.onnx')!.cacheKey)).toBeNull();
    // config.json is shared with the fp32 install and stays
    expect(await cachedBytes(q8.files.find((f) => f.path === 'config.json')!.cacheKey)).not.toBeNull();
    await verifyInstalled(q8.recordId, deps());
    // an unrelated runtime entry in the transformers.js cache survives clear-all
    await (await caches.open(TRANSFORMERS_CACHE)).put('http://app.local/assets/ort.wasm', new Response('wasm'));
    await clearAll(deps());
    expect(await repo.list()).toEqual([]);
    expect(caches.snapshot()[TRANSFORMERS_CACHE]).toEqual(['http://app.local/assets/ort.wasm']);
  });
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

async function pick(folder: string, base: string): Promise<PickedFile[]> {
  return Promise.all((await walk(folder)).map(async (p) => ({ relativePath: relative(base, p).split('\\').join('/'), blob: new Blob([await readFile(p)]) })));
}

describe('importFromFiles', () => {
  it('writes a picked mirror folder into the same cache entries a download uses', async () => {
    const downloaded = new MemoryCacheStorage();
    const plan = await planInstall(reward());
    await installModel(plan, { ...deps(), caches: downloaded, repo: createMemoryModelsRepo() });

    // the whole mirror root as picked with <input webkitdirectory>: "models/fixture/tiny-reward/..."
    const picked = await pick(root, join(root, '..'));
    mirror.requests.length = 0;
    const events: InstallProgress[] = [];
    const { record } = await importFromFiles(reward(), picked, deps(), { onProgress: (p) => events.push(p) });
    expect(mirror.requests).toEqual([]);
    expect(record).toMatchObject({ state: 'installed', origin: 'import' });
    expectMonotonicToOne(events);
    expect(caches.snapshot()[TRANSFORMERS_CACHE]).toEqual(downloaded.snapshot()[TRANSFORMERS_CACHE]);
    for (const f of plan.files) expect((await cachedBytes(f.cacheKey))?.equals(await fixtureBytes('fixture/tiny-reward', f.path))).toBe(true);
  });

  it("accepts just the model's own folder", async () => {
    const picked = await pick(join(root, 'fixture/tiny-reward'), join(root, 'fixture'));
    const { record } = await importFromFiles(reward(), picked, deps());
    expect(record.state).toBe('installed');
  });

  it('refuses a folder that lacks required files, and a file that does not match the copied manifest', async () => {
    const picked = (await pick(join(root, 'fixture/tiny-reward'), join(root, 'fixture'))).filter((p) => !p.relativePath.endsWith('tokenizer.json'));
    await expect(importFromFiles(reward(), picked, deps())).rejects.toMatchObject({ code: 'BAD_INPUT', details: { missing: ['tokenizer.json'] } });

    const all = await pick(root, join(root, '..'));
    const tampered = all.map((p) => (p.relativePath.endsWith('tiny-reward/config.json') ? { ...p, blob: new Blob(['{"tampered":true}'.padEnd(450, ' ')]) } : p));
    await expect(importFromFiles(reward(), tampered, deps())).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    expect((await repo.list()).filter((r) => r.state === 'installed')).toEqual([]);
  });
});
