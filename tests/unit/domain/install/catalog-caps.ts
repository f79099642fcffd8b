import type { Capabilities } from '../../../../src/protocol/capabilities';

/** A device as the probe would describe it: a hardware GPU (with or without shader-f16) or none. */
export function catalogCaps(opts: { webgpu: boolean; shaderF16?: boolean; memoryGiB?: number | null }): Capabilities {
  const f16 = opts.webgpu && (opts.shaderF16 ?? false);
  return {
    webgpu: opts.webgpu
      ? {
          available: true,
          adapter: { vendor: 'test', architecture: 'test', device: '', description: '', isFallbackAdapter: false },
          shaderF16: f16,
          features: f16 ? ['shader-f16'] : [],
          limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768 },
        }
      : {
          available: false,
          reason: 'No WebGPU adapter was found.',
          shaderF16: false,
          features: [],
          limits: { maxBufferSize: 0, maxStorageBufferBindingSize: 0, maxComputeWorkgroupStorageSize: 0 },
        },
    storage: { usage: 0, quota: 10 * 2 ** 30, persisted: false },
    crossOriginIsolated: false,
    threads: 2,
    deviceMemoryGiB: opts.memoryGiB === undefined ? 8 : opts.memoryGiB,
    userAgent: 'test',
    probeNotes: [],
  };
}
