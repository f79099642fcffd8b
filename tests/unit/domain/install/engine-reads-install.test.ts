// Proves the cache keys: transformers.js itself loads the installed model
// from the installer's cache with the mirror gone, so loading after an
// install is the same as after the engine's own download.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, pipeline } from '@huggingface/transformers';
import { ensureFixtureModels } from '../../../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../../../fixtures/mirror-server';
import { MemoryCacheStorage } from '../../../../src/domain/install/memory-cache-storage';
import { TRANSFORMERS_CACHE } from '../../../../src/domain/install/cache-layout';
import { installModel } from '../../../../src/domain/install/installer';
import { planInstall } from '../../../../src/domain/install/plan';
import { createMemoryModelsRepo } from '../../../../src/storage/models-repo';

let mirror: MirrorServer;
const saved = { ...env };

beforeAll(async () => {
  mirror = await startMirrorServer({ root: await ensureFixtureModels('tests/.cache/models') });
});
afterAll(async () => {
  Object.assign(env, { remoteHost: saved.remoteHost, allowLocalModels: saved.allowLocalModels, useCustomCache: saved.useCustomCache, customCache: saved.customCache, useFSCache: saved.useFSCache });
  await mirror?.close();
});

describe('transformers.js reads what the installer wrote', () => {
  it('runs the installed classifier offline from the cache', async () => {
    const caches = new MemoryCacheStorage();
    const target = { id: 'fixture/tiny-reward', engine: 'transformers' as const, dtype: 'fp32' as const, task: 'text-classification' as const, source: { hubHost: mirror.url } };
    const plan = await planInstall(target);
    await installModel(plan, { caches, repo: createMemoryModelsRepo(), fetch: (u, i) => fetch(u, i), storage: null, now: () => Date.now() });
    const hubHost = mirror.url;
    await mirror.close(); // nothing can be downloaded any more

    env.remoteHost = hubHost;
    env.allowLocalModels = false;
    env.useFSCache = false;
    env.useCustomCache = true;
    env.customCache = await caches.open(TRANSFORMERS_CACHE);
    const classify = await pipeline('text-classification', target.id, { dtype: 'fp32', device: 'cpu' });
    const out = await classify('高血压患者应长期服药');
    expect(Array.isArray(out) ? out.length : 0).toBeGreaterThan(0);
    await classify.dispose();
  });
});
