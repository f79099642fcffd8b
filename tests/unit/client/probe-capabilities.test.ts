import { afterEach, describe, expect, it, vi } from 'vitest';
import { measureCapabilities, probeCapabilities } from '../../../src/client/probe-capabilities';

function adapter(features: string[], extra: Record<string, unknown> = {}) {
  return {
    features: new Set(features),
    limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 27, maxComputeWorkgroupStorageSize: 32768 },
    info: { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'RTX', isFallbackAdapter: false },
    ...extra,
  };
}

function scope(navigator: Record<string, unknown> | undefined, crossOriginIsolated = false) {
  return { navigator, crossOriginIsolated };
}

const storage = {
  estimate: async () => ({ usage: 1000, quota: 10_000_000_000 }),
  persisted: async () => true,
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('measureCapabilities', () => {
  it('says so when there is no WebGPU, and still measures the rest', async () => {
    const caps = await measureCapabilities({ scope: scope({ hardwareConcurrency: 8, deviceMemory: 16, userAgent: 'UA', storage }, true) });
    expect(caps.webgpu.available).toBe(false);
    expect(caps.webgpu.reason).toMatch(/navigator\.gpu/);
    expect(caps.webgpu.shaderF16).toBe(false);
    expect(caps.storage).toEqual({ usage: 1000, quota: 10_000_000_000, persisted: true });
    expect(caps.crossOriginIsolated).toBe(true);
    expect(caps.threads).toBe(8);
    expect(caps.deviceMemoryGiB).toBe(16);
    expect(caps.userAgent).toBe('UA');
  });

  it('reports a null adapter as unavailable with a reason', async () => {
    const caps = await measureCapabilities({ scope: scope({ gpu: { requestAdapter: async () => null } }) });
    expect(caps.webgpu.available).toBe(false);
    expect(caps.webgpu.reason).toMatch(/No WebGPU adapter/);
  });

  it('reads adapter info, features including shader-f16, and limits', async () => {
    const caps = await measureCapabilities({ scope: scope({ gpu: { requestAdapter: async () => adapter(['timestamp-query', 'shader-f16']) } }) });
    expect(caps.webgpu.available).toBe(true);
    expect(caps.webgpu.shaderF16).toBe(true);
    expect(caps.webgpu.features).toEqual(['shader-f16', 'timestamp-query']);
    expect(caps.webgpu.adapter).toEqual({ vendor: 'nvidia', architecture: 'ampere', device: '', description: 'RTX', isFallbackAdapter: false });
    expect(caps.webgpu.limits).toEqual({ maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 27, maxComputeWorkgroupStorageSize: 32768 });
  });

  it('recognises a fallback adapter without shader-f16 (software WebGPU)', async () => {
    const software = adapter(['subgroups'], { info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } });
    const caps = await measureCapabilities({ scope: scope({ gpu: { requestAdapter: async () => software } }) });
    expect(caps.webgpu.available).toBe(true);
    expect(caps.webgpu.shaderF16).toBe(false);
    expect(caps.webgpu.adapter).toMatchObject({ architecture: 'swiftshader', isFallbackAdapter: true, description: '' });
  });

  it('uses requestAdapterInfo() on browsers without adapter.info', async () => {
    const old = adapter([], { info: undefined, requestAdapterInfo: async () => ({ vendor: 'intel', architecture: 'gen-12lp' }) });
    const caps = await measureCapabilities({ scope: scope({ gpu: { requestAdapter: async () => old } }) });
    expect(caps.webgpu.adapter).toMatchObject({ vendor: 'intel', architecture: 'gen-12lp' });
  });

  it('never throws: every failing API is recorded instead', async () => {
    const hostile = {
      gpu: { requestAdapter: async () => Promise.reject(new Error('GPU process crashed')) },
      storage: { estimate: () => Promise.reject(new Error('no quota')), persisted: () => { throw new Error('denied'); } },
      get hardwareConcurrency(): number {
        throw new Error('blocked');
      },
    };
    const caps = await measureCapabilities({ scope: scope(hostile) });
    expect(caps.webgpu.available).toBe(false);
    expect(caps.webgpu.reason).toContain('GPU process crashed');
    expect(caps.storage).toEqual({ usage: null, quota: null, persisted: null });
    expect(caps.threads).toBe(1);
    expect(caps.probeNotes?.length).toBeGreaterThanOrEqual(3);
  });

  it('gives up on a requestAdapter() that never answers', async () => {
    const caps = await measureCapabilities({
      scope: scope({ gpu: { requestAdapter: () => new Promise(() => {}) } }),
      adapterTimeoutMs: 20,
    });
    expect(caps.webgpu.available).toBe(false);
    expect(caps.webgpu.reason).toMatch(/did not answer/);
  });

  it('copes with no navigator at all (Node, odd embedders)', async () => {
    const caps = await measureCapabilities({ scope: {} });
    expect(caps.webgpu.available).toBe(false);
    expect(caps.storage.persisted).toBeNull();
    expect(caps.crossOriginIsolated).toBe(false);
  });

  it('returns a deeply frozen object', async () => {
    const caps = await measureCapabilities({ scope: scope({ gpu: { requestAdapter: async () => adapter(['shader-f16']) } }) });
    expect(Object.isFrozen(caps)).toBe(true);
    expect(Object.isFrozen(caps.webgpu)).toBe(true);
    expect(Object.isFrozen(caps.webgpu.limits)).toBe(true);
    expect(Object.isFrozen(caps.webgpu.features)).toBe(true);
  });
});

describe('probeCapabilities', () => {
  it('measures once from globalThis and shares the result', async () => {
    const requestAdapter = vi.fn(async () => adapter(['shader-f16']));
    vi.stubGlobal('navigator', { gpu: { requestAdapter }, hardwareConcurrency: 4 });
    const first = await probeCapabilities();
    const second = await probeCapabilities();
    expect(second).toBe(first);
    expect(requestAdapter).toHaveBeenCalledTimes(1);
    expect(first.webgpu.shaderF16).toBe(true);
    expect(first.threads).toBe(4);
  });
});
