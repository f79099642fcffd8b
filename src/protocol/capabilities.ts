/** Measured once at start-up and frozen; everything else reads this object. */
export interface Capabilities {
  webgpu: {
    available: boolean;
    /** Why not, when unavailable: no navigator.gpu, no adapter, error text. */
    reason?: string;
    adapter?: {
      vendor: string;
      architecture: string;
      device: string;
      description: string;
      isFallbackAdapter: boolean;
    };
    shaderF16: boolean;
    features: string[];
    limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number };
  };
  storage: { usage: number | null; quota: number | null; persisted: boolean | null };
  crossOriginIsolated: boolean;
  threads: number;
  /** navigator.deviceMemory in GiB where the browser reports it. */
  deviceMemoryGiB: number | null;
  userAgent: string;
  /** Probe steps that failed or APIs that were missing, for diagnostics; never user data. */
  probeNotes?: string[];
}
