/** Provenance of a run: what produced its numbers, recorded once when it starts and extended on each resume. */
import { ANSWER_FORMAT_VERSION } from '../../core/answer';
import { buildVerifierPrompt } from '../../core/prompts';
import type { Capabilities } from '../../protocol/capabilities';
import type { LoadResult, ModelSpec } from '../../protocol/engine';
import type { LoadedModelInfo, RunConfig, RunProvenance, RunRecord } from '../../core/run-record';

export function loadedModelInfo(spec: ModelSpec, loaded: LoadResult): LoadedModelInfo {
  return {
    id: loaded.id,
    revision: spec.source.revision ?? 'main',
    engine: loaded.engine,
    device: loaded.device,
    dtype: loaded.dtype,
    library: loaded.library,
    loadMs: loaded.loadMs,
    contextTokens: loaded.contextTokens,
  };
}

/** "vendor architecture (description)" of the WebGPU adapter, or why there is none. */
export function describeAdapter(caps: Pick<Capabilities, 'webgpu'> | null | undefined): string {
  if (!caps) return 'unknown';
  const w = caps.webgpu;
  if (!w.available || !w.adapter) return `none${w.reason ? ` (${w.reason})` : ''}`;
  const a = w.adapter;
  const parts = [a.vendor, a.architecture, a.device].filter(Boolean).join(' ');
  return `${parts || 'adapter'}${a.description ? ` (${a.description})` : ''}${a.isFallbackAdapter ? ' [fallback]' : ''}${w.shaderF16 ? ' shader-f16' : ''}`;
}

export interface ProvenanceInput {
  run: Pick<RunRecord, 'datasetId' | 'datasetHash' | 'itemIds' | 'selection' | 'provenance'>;
  datasetName: string;
  config: RunConfig;
  verifier: LoadResult | null;
  reward: LoadResult | null;
  appVersion: string;
  userAgent: string;
  gpuAdapter: string;
  now?: () => number;
}

export function buildProvenance(input: ProvenanceInput): RunProvenance {
  const now = new Date((input.now ?? Date.now)()).toISOString();
  const prompt = buildVerifierPrompt('', input.config.variant);
  const previous = input.run.provenance;
  return {
    verifier: input.verifier ? loadedModelInfo(input.config.verifier.spec, input.verifier) : (previous?.verifier ?? null),
    reward: input.reward && input.config.reward ? loadedModelInfo(input.config.reward.spec, input.reward) : (previous?.reward ?? null),
    promptId: prompt.promptId,
    promptVersion: prompt.promptVersion,
    promptHash: prompt.promptHash,
    answerFormat: ANSWER_FORMAT_VERSION,
    appVersion: input.appVersion,
    userAgent: input.userAgent,
    gpuAdapter: input.gpuAdapter,
    date: previous?.date ?? now,
    datasetId: input.run.datasetId,
    datasetHash: input.run.datasetHash,
    datasetName: input.datasetName,
    itemCount: input.run.itemIds.length,
    seed: input.run.selection.seed ?? null,
    sessions: [...(previous?.sessions ?? []), now],
    formulary: input.config.formulary ? { mode: input.config.formulary.mode, hash: input.config.formulary.hash, fileName: input.config.formulary.fileName } : null,
  };
}
