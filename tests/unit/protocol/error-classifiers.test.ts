/**
 * One classifier: the main thread (toMedfactError) and the engine workers
 * (classifyEngineError) give the same code for the same library failure.
 * They used to disagree on a lost device ("GPUDeviceLostInfo", "device is lost").
 */
import { describe, expect, it } from 'vitest';
import { toMedfactError } from '../../../src/protocol/errors';
import { classifyEngineError } from '../../../workers/engine-shared/classify-error';

const cases: [string, string][] = [
  ['GPUDeviceLostInfo: reason destroyed', 'DEVICE_LOST'],
  ['Device is lost', 'DEVICE_LOST'],
  ['the device was lost', 'DEVICE_LOST'],
  ['Unable to find a compatible GPU', 'NO_WEBGPU'],
  ['WebGPUNotAvailableError: WebGPU is not available', 'NO_WEBGPU'],
  ['This model requires shader-f16', 'NO_SHADER_F16'],
  ['RangeError: Array buffer allocation failed', 'OUT_OF_MEMORY'],
  ['std::bad_alloc', 'OUT_OF_MEMORY'],
  ['TypeError: Failed to fetch', 'NETWORK'],
  ['fetch failed', 'NETWORK'],
  ['Could not locate file: "onnx/model.onnx"', 'NOT_FOUND'],
  ['QuotaExceededError: the quota has been exceeded', 'QUOTA_EXCEEDED'],
  ['no available backend found. ERR: [wasm] TypeError', 'BAD_CONFIG'],
  ['something nobody expected', 'INTERNAL'],
];

describe('error classification is the same on both sides of the worker boundary', () => {
  it.each(cases)('"%s" → %s', (text, code) => {
    expect(toMedfactError(new Error(text)).code).toBe(code);
    expect(classifyEngineError(new Error(text), { phase: 'generate' }).code).toBe(code);
    // WebLLM rejects with plain strings.
    expect(classifyEngineError(text, { phase: 'load' }).code).toBe(code);
  });
});
