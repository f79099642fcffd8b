/**
 * Which devices the self-test runs a model on, and with which spec, or why
 * it cannot run there (recorded in the report as a skipped device).
 */
import type { CatalogModel } from '../../../domain/catalog/schema';
import { toModelSpec } from '../../../domain/catalog/model-spec';
import type { Capabilities } from '../../../protocol/capabilities';
import type { ModelSource, ModelSpec, ModelTask } from '../../../protocol/engine';
import { MedfactError, serializeError, toMedfactError, type SerializedError } from '../../../protocol/errors';

export type SelfTestDevice = 'webgpu' | 'wasm';
export const SELFTEST_DEVICES: readonly SelfTestDevice[] = ['webgpu', 'wasm'];

/** What to run on one device, or why it cannot run there. */
export type DevicePlan = { device: SelfTestDevice; spec: ModelSpec } | { device: SelfTestDevice; skip: SerializedError };

/** WebGPU needs an adapter and a build the GPU can run; WebLLM has no WASM path. */
export function planDevices(entry: CatalogModel, caps: Capabilities, source: ModelSource, task: ModelTask): DevicePlan[] {
  return SELFTEST_DEVICES.map((device): DevicePlan => {
    try {
      if (device === 'webgpu' && !caps.webgpu.available) {
        throw new MedfactError('NO_WEBGPU', caps.webgpu.reason ?? 'WebGPU is not available in this browser; only WASM is tested.');
      }
      if (device === 'wasm' && entry.engine === 'webllm') {
        throw new MedfactError('UNSUPPORTED', `${entry.id} is a WebLLM model, which runs on WebGPU only; there is no WASM run to compare with.`);
      }
      if (entry.task !== task) {
        throw new MedfactError('UNSUPPORTED', `${entry.id} is a ${entry.task} model; this part of the self-test needs a ${task} model.`);
      }
      const spec = toModelSpec(entry, caps, source, { device });
      // The verifier run measures warm-up too, whatever the catalog says; a classifier has none.
      return { device, spec: task === 'text-generation' ? { ...spec, skipWarmup: false } : spec };
    } catch (error) {
      return { device, skip: serializeError(toMedfactError(error)) };
    }
  });
}

export function planSelfTest(entry: CatalogModel, caps: Capabilities, source: ModelSource): DevicePlan[] {
  return planDevices(entry, caps, source, 'text-generation');
}

export function planClassifier(entry: CatalogModel, caps: Capabilities, source: ModelSource): DevicePlan[] {
  return planDevices(entry, caps, source, 'text-classification');
}
