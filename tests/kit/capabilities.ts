/**
 * The one capabilities builder of the test suite: a device as the probe
 * (src/client/probe-capabilities.ts) would describe it, so that catalog,
 * recommendation and self-test tests name only what matters to them.
 */
import type { Capabilities } from '../../src/protocol/capabilities';

const GIB = 1024 ** 3;

export interface CapabilitiesOptions {
  /**
   * `software`: the SwiftShader fallback adapter of headless Chromium (the
   * default, as on the project's machines); `hardware`: a real GPU; `none`:
   * no adapter at all.
   */
  gpu?: 'software' | 'hardware' | 'none';
  /** Whether the adapter has shader-f16 (default false). */
  shaderF16?: boolean;
  /** Adapter limits to override (for example small buffers). */
  limits?: Partial<Capabilities['webgpu']['limits']>;
  /** navigator.deviceMemory in GiB, null where the browser hides it (default 8). */
  memoryGiB?: number | null;
  threads?: number;
  /** Why WebGPU is missing, for `gpu: 'none'`. */
  reason?: string;
}

const ADAPTERS = {
  software: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true },
  hardware: { vendor: 'nvidia', architecture: 'ampere', device: '', description: '', isFallbackAdapter: false },
} as const;

export function makeCaps(opts: CapabilitiesOptions = {}): Capabilities {
  const gpu = opts.gpu ?? 'software';
  const f16 = gpu !== 'none' && (opts.shaderF16 ?? false);
  return {
    webgpu:
      gpu === 'none'
        ? {
            available: false,
            reason: opts.reason ?? 'No WebGPU adapter was found.',
            shaderF16: false,
            features: [],
            limits: { maxBufferSize: 0, maxStorageBufferBindingSize: 0, maxComputeWorkgroupStorageSize: 0 },
          }
        : {
            available: true,
            adapter: { ...ADAPTERS[gpu] },
            shaderF16: f16,
            features: f16 ? ['shader-f16'] : [],
            limits: {
              maxBufferSize: gpu === 'hardware' ? 4 * GIB : GIB,
              maxStorageBufferBindingSize: gpu === 'hardware' ? 2 * GIB : GIB,
              maxComputeWorkgroupStorageSize: 32768,
              ...opts.limits,
            },
          },
    storage: { usage: 0, quota: 10 * GIB, persisted: false },
    crossOriginIsolated: false,
    threads: opts.threads ?? 2,
    deviceMemoryGiB: opts.memoryGiB === undefined ? 8 : opts.memoryGiB,
    userAgent: 'test',
    probeNotes: [],
  };
}
