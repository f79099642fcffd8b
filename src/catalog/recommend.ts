/**
 * Hardware-aware defaults. Reads the frozen Capabilities object only.
 *
 * Rules, in order:
 * 1. No WebGPU adapter, or only a software (fallback) adapter → transformers.js
 *    models on WASM; a software adapter runs shaders correctly but far too
 *    slowly for an LLM.
 * 2. WebGPU without shader-f16 → q4f32 WebLLM builds (f16 builds cannot run).
 * 3. Memory budget: half of navigator.deviceMemory (Chrome caps it at 8 GiB,
 *    so at most 4 GiB), 3 GiB when unknown; less than 1 GiB maxBufferSize
 *    means a small GPU, budget at most 2 GiB. The largest verifier that fits
 *    is chosen; WASM models are held to a third of device memory (at most
 *    1.5 GiB of weights, wasm32 heaps stop at 4 GiB).
 * 4. Nothing fits: the build with the smallest need.
 * 5. The reward model is the generative judge of the chosen verifier (same
 *    weights, nothing more to download), else the smallest judge that fits.
 */
import type { Capabilities } from '../protocol/capabilities';
import { MedfactError } from '../protocol/errors';
import { downloadBytes, needsShaderF16, type CatalogModel } from './schema';

const MB = 1024 * 1024;
const GIB_MB = 1024;

export interface Recommendation {
  verifier: CatalogModel;
  reward: CatalogModel;
  reasons: string[];
}

export type RecommendPath = 'webllm' | 'wasm';

export function recommendPath(caps: Capabilities): { path: RecommendPath; reason: string } {
  if (!caps.webgpu.available) {
    return { path: 'wasm', reason: `No WebGPU adapter (${caps.webgpu.reason ?? 'unavailable'}): using transformers.js on the CPU (WASM).` };
  }
  if (caps.webgpu.adapter?.isFallbackAdapter) {
    return { path: 'wasm', reason: 'Only a software WebGPU adapter is available; the CPU (WASM) path is faster.' };
  }
  return { path: 'webllm', reason: 'WebGPU adapter found: using WebLLM.' };
}

/** GPU memory a model may need here, in MB (rule 3); `reasons` collects why, for the UI. */
export function gpuBudgetMB(caps: Capabilities, reasons: string[] = []): number {
  let budget = caps.deviceMemoryGiB !== null ? (caps.deviceMemoryGiB * GIB_MB) / 2 : 3 * GIB_MB;
  reasons.push(
    caps.deviceMemoryGiB !== null
      ? `Device memory ${caps.deviceMemoryGiB} GiB: GPU budget ${Math.round(budget)} MB.`
      : `Device memory unknown: assuming a GPU budget of ${budget} MB.`,
  );
  if (caps.webgpu.limits.maxBufferSize > 0 && caps.webgpu.limits.maxBufferSize < 1024 * MB) {
    budget = Math.min(budget, 2 * GIB_MB);
    reasons.push('Small GPU buffers (maxBufferSize under 1 GiB): preferring smaller models.');
  }
  return budget;
}

/** Weights the CPU (WASM) path may load here, in bytes (rule 3). */
export function wasmBudgetBytes(caps: Capabilities, reasons: string[] = []): number {
  const fromMemory = caps.deviceMemoryGiB !== null ? (caps.deviceMemoryGiB * GIB_MB * MB) / 3 : 1024 * MB;
  const budget = Math.min(fromMemory, 1.5 * GIB_MB * MB);
  reasons.push(`CPU path: model weights up to ${Math.round(budget / MB)} MB.`);
  return budget;
}

const bySizeDesc = (a: CatalogModel, b: CatalogModel): number => (b.paramsB ?? 0) - (a.paramsB ?? 0) || a.sizeBytes - b.sizeBytes;

function wasmDtype(entry: CatalogModel): CatalogModel['dtypes'][number] | undefined {
  return (entry.deviceDtypes?.wasm ?? entry.dtypes).find((d) => !needsShaderF16(d));
}

export function recommendDefaults(caps: Capabilities, catalog: readonly CatalogModel[]): Recommendation {
  const reasons: string[] = [];
  const { path, reason } = recommendPath(caps);
  reasons.push(reason);
  const f16 = caps.webgpu.available && caps.webgpu.shaderF16;

  let fits: (e: CatalogModel) => boolean;
  let usable: (e: CatalogModel) => boolean;
  if (path === 'webllm') {
    if (!f16) reasons.push('The GPU lacks shader-f16: choosing q4f32 builds.');
    const budget = gpuBudgetMB(caps, reasons);
    usable = (e) =>
      e.engine === 'webllm' && e.task === 'text-generation' && (f16 || !(e.requiredFeatures ?? []).includes('shader-f16')) && (f16 || !e.dtypes.every(needsShaderF16));
    fits = (e) => (e.gpuMemoryMB ?? 0) <= budget;
  } else {
    const budget = wasmBudgetBytes(caps, reasons);
    usable = (e) => e.engine === 'transformers' && wasmDtype(e) !== undefined && (e.requiredFeatures ?? []).length === 0;
    fits = (e) => {
      const d = wasmDtype(e);
      return d !== undefined && downloadBytes(e, d) <= budget;
    };
  }

  /** what the model needs of the scarce resource: GPU memory, or the download held in RAM on WASM */
  const need = (e: CatalogModel): number => {
    if (path === 'webllm') return e.gpuMemoryMB ?? Infinity;
    const d = wasmDtype(e);
    return d ? downloadBytes(e, d) : Infinity;
  };
  const verifiers = catalog.filter((e) => e.role === 'verifier' && usable(e)).sort(bySizeDesc);
  if (verifiers.length === 0) {
    throw new MedfactError('BAD_CONFIG', 'The model catalog has no verifier model that can run on this device. Add one in app-config.json.');
  }
  const fitting = verifiers.filter(fits);
  const smallest = [...verifiers].sort((a, b) => need(a) - need(b))[0] as CatalogModel;
  const verifier = fitting[0] ?? smallest;
  if (fitting.length === 0) reasons.push(`No verifier fits the memory budget: using the smallest, ${verifier.id}.`);
  else if (fitting.length < verifiers.length) reasons.push(`Limited memory: ${verifier.id} is the largest verifier that fits.`);

  const judges = catalog.filter((e) => e.role === 'reward' && e.task === 'text-generation' && usable(e));
  const sameWeights = judges.find((e) => e.id === verifier.id && e.engine === verifier.engine);
  const reward = sameWeights ?? [...judges.filter(fits)].sort((a, b) => need(a) - need(b))[0] ?? [...judges].sort((a, b) => need(a) - need(b))[0];
  if (!reward) {
    throw new MedfactError('BAD_CONFIG', 'The model catalog has no reward model that can run on this device. Add one in app-config.json.');
  }
  reasons.push(sameWeights ? 'Reward: the verifier itself as a generative judge (no extra download).' : `Reward: ${reward.id}.`);
  return { verifier, reward, reasons };
}
