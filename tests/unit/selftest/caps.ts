import type { Capabilities } from '../../../src/protocol/capabilities';

/** A device as the probe would describe it; WebGPU with or without an adapter. */
export function makeCaps(opts: { webgpu?: boolean; shaderF16?: boolean } = {}): Capabilities {
  const webgpu = opts.webgpu ?? true;
  return {
    webgpu: webgpu
      ? {
          available: true,
          adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true },
          shaderF16: opts.shaderF16 ?? false,
          features: opts.shaderF16 ? ['shader-f16'] : [],
          limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768 },
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
    deviceMemoryGiB: 8,
    userAgent: 'test',
    probeNotes: [],
  };
}
