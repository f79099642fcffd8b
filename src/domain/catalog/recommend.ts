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
import type { Capabilities } from '../../protocol/capabilities';
import { MedfactError } from '../../protocol/errors';
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

/** What a deployment says about recommendations (app-config.json). */
export interface RecommendOptions {
  /** The deployment's default models: recommended first when they can run here. */
  defaultVerifier?: string;
  defaultReward?: string;
  /** Only these entries may be recommended (a mirror-only deployment serves its own catalog, not the hub's). */
  only?: (entry: CatalogModel) => boolean;
}

/**
 * Recommendation options from the deployment configuration: its defaults, and,
 * with `mirrorOnly`, only the models the deployment lists itself, so the
 * screen never proposes a built-in model the hospital's mirror cannot serve.
 */
export function deploymentRecommendOptions(config: {
  catalog: readonly unknown[];
  defaultVerifier?: string | null | undefined;
  defaultReward?: string | null | undefined;
  mirrorOnly: boolean;
}): RecommendOptions {
  const listed = new Set(
    config.catalog.flatMap((e) => (e && typeof e === 'object' && 'id' in e && 'engine' in e ? [`${String(e.engine)}:${String(e.id)}`] : [])),
  );
  return {
    ...(config.defaultVerifier ? { defaultVerifier: config.defaultVerifier } : {}),
    ...(config.defaultReward ? { defaultReward: config.defaultReward } : {}),
    ...(config.mirrorOnly && listed.size > 0 ? { only: (e: CatalogModel) => listed.has(`${e.engine}:${e.id}`) } : {}),
  };
}

export function recommendDefaults(caps: Capabilities, fullCatalog: readonly CatalogModel[], options: RecommendOptions = {}): Recommendation {
  const reasons: string[] = [];
  const restricted = options.only ? fullCatalog.filter(options.only) : fullCatalog;
  // Restricted to what the deployment serves, unless none of it is a verifier at all (then the list says why per model).
  const catalog = restricted.some((e) => e.role === 'verifier') ? restricted : fullCatalog;
  if (catalog !== fullCatalog) reasons.push('Mirror-only deployment: only the models it lists are recommended.');
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
  const chosenDefault = options.defaultVerifier ? verifiers.find((e) => e.id === options.defaultVerifier) : undefined;
  const verifier = chosenDefault ?? fitting[0] ?? smallest;
  if (chosenDefault) reasons.push(`The deployment's default verifier: ${verifier.id}.`);
  else if (fitting.length === 0) reasons.push(`No verifier fits the memory budget: using the smallest, ${verifier.id}.`);
  else if (fitting.length < verifiers.length) reasons.push(`Limited memory: ${verifier.id} is the largest verifier that fits.`);

  const judges = catalog.filter((e) => e.role === 'reward' && e.task === 'text-generation' && usable(e));
  const rewardDefault = options.defaultReward
    ? catalog.find((e) => e.role === 'reward' && e.id === options.defaultReward && (e.task === 'text-classification' ? e.engine === 'transformers' : usable(e)))
    : undefined;
  if (rewardDefault) {
    reasons.push(`The deployment's default reward model: ${rewardDefault.id}.`);
    return { verifier, reward: rewardDefault, reasons };
  }
  const sameWeights = judges.find((e) => e.id === verifier.id && e.engine === verifier.engine);
  // A deployment that lists only a classifier as its reward model gets that one.
  const classifier = catalog !== fullCatalog ? catalog.find((e) => e.role === 'reward' && e.task === 'text-classification' && e.engine === 'transformers') : undefined;
  const reward =
    sameWeights ?? [...judges.filter(fits)].sort((a, b) => need(a) - need(b))[0] ?? [...judges].sort((a, b) => need(a) - need(b))[0] ?? classifier;
  if (!reward) {
    throw new MedfactError('BAD_CONFIG', 'The model catalog has no reward model that can run on this device. Add one in app-config.json.');
  }
  reasons.push(sameWeights ? 'Reward: the verifier itself as a generative judge (no extra download).' : `Reward: ${reward.id}.`);
  return { verifier, reward, reasons };
}
