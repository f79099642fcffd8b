/** Turns a catalog entry into the engine's ModelSpec for this device. */
import type { Capabilities } from '../../protocol/capabilities';
import type { Device, Dtype, ModelSource, ModelSpec } from '../../protocol/engine';
import { MedfactError } from '../../protocol/errors';
import { recommendPath } from './recommend';
import { needsShaderF16, type CatalogModel } from './schema';

export interface ToModelSpecOptions {
  /** Force a device (settings screen); default: WebGPU when a hardware adapter exists. */
  device?: Device;
  skipWarmup?: boolean;
}

/**
 * Device: WebLLM always `webgpu`; transformers.js `webgpu` on a hardware
 * adapter, else `wasm`. Dtype: the entry's first dtype for that device that
 * the GPU can run: q4f16 only where shader-f16 exists, else q4 or q8.
 */
export function toModelSpec(entry: CatalogModel, caps: Capabilities, source: ModelSource, options: ToModelSpecOptions = {}): ModelSpec {
  const f16 = caps.webgpu.available && caps.webgpu.shaderF16;
  let device: Device;
  if (entry.engine === 'webllm') {
    if (!caps.webgpu.available) {
      throw new MedfactError('NO_WEBGPU', `${entry.id} needs WebGPU, which this browser lacks. Choose a transformers.js model.`);
    }
    device = 'webgpu';
  } else {
    device = options.device ?? (recommendPath(caps).path === 'webllm' ? 'webgpu' : 'wasm');
    if (device === 'webgpu' && !caps.webgpu.available) device = 'wasm';
  }

  if (!f16 && (entry.requiredFeatures ?? []).includes('shader-f16')) {
    throw new MedfactError('NO_SHADER_F16', `${entry.id} needs shader-f16, which this GPU lacks. Choose its q4f32 build.`);
  }
  const candidates: Dtype[] = (device === 'webgpu' ? entry.deviceDtypes?.webgpu : entry.deviceDtypes?.wasm) ?? entry.dtypes;
  const dtype = candidates.find((d) => !needsShaderF16(d) || (device === 'webgpu' && f16));
  if (!dtype) {
    throw new MedfactError(
      device === 'webgpu' ? 'NO_SHADER_F16' : 'BAD_CONFIG',
      `${entry.id} has no build that runs on ${device} here (offered: ${candidates.join(', ')}).`,
    );
  }

  const spec: ModelSpec = {
    id: entry.id,
    engine: entry.engine,
    task: entry.task,
    device,
    dtype,
    source: entry.hubHost ? { ...source, hubHost: entry.hubHost } : { ...source },
  };
  if (entry.modelLib) spec.modelLib = entry.modelLib;
  if (entry.contextTokens) spec.contextTokens = entry.contextTokens;
  if (entry.embedPrefixes) spec.embedPrefixes = { ...entry.embedPrefixes };
  if (options.skipWarmup ?? entry.task === 'text-classification') spec.skipWarmup = true;
  return spec;
}
