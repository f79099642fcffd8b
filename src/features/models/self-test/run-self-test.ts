/**
 * The hardware self-test, without UI: load the chosen model on WebGPU (when
 * it can run there), generate the fixed prompts greedily, unload; then the
 * same on WASM in a second engine (its own worker); then compare the outputs.
 * Engines come from a factory, so Node tests drive it with the scripted fake
 * and the app with real workers. A failure on one device is recorded and the
 * other still runs; cancelling rejects with AbortError.
 */
import type { CatalogModel } from '../../../catalog/schema';
import { toModelSpec } from '../../../catalog/model-spec';
import type { Capabilities } from '../../../protocol/capabilities';
import type { FinishReason, LoadProgress, LoadResult, ModelEngine, ModelSource, ModelSpec } from '../../../protocol/engine';
import { AbortError, MedfactError, isAbortError, serializeError, throwIfAborted, toMedfactError, type SerializedError } from '../../../protocol/errors';
import { compareOutputs, summarizeAgreement, type AgreementSummary, type OutputAgreement } from './agreement';
import { SELFTEST_PROMPT_SET, type SelfTestPrompt } from './prompts';
import { meanEngineStats, throughputOf, type Throughput } from './throughput';

export type SelfTestDevice = 'webgpu' | 'wasm';
export const SELFTEST_DEVICES: readonly SelfTestDevice[] = ['webgpu', 'wasm'];
export const SELFTEST_REPORT_FORMAT = 'medfact-selftest-v1';

/** What to run on one device, or why it cannot run there. */
export type DevicePlan = { device: SelfTestDevice; spec: ModelSpec } | { device: SelfTestDevice; skip: SerializedError };

/** WebGPU needs an adapter and a build the GPU can run; WebLLM has no WASM path. */
export function planSelfTest(entry: CatalogModel, caps: Capabilities, source: ModelSource): DevicePlan[] {
  return SELFTEST_DEVICES.map((device): DevicePlan => {
    try {
      if (device === 'webgpu' && !caps.webgpu.available) {
        throw new MedfactError('NO_WEBGPU', caps.webgpu.reason ?? 'WebGPU is not available in this browser; only WASM is tested.');
      }
      if (device === 'wasm' && entry.engine === 'webllm') {
        throw new MedfactError('UNSUPPORTED', `${entry.id} is a WebLLM model, which runs on WebGPU only; there is no WASM run to compare with.`);
      }
      if (entry.task !== 'text-generation') {
        throw new MedfactError('UNSUPPORTED', `${entry.id} is a ${entry.task} model; the self-test needs a text-generation model.`);
      }
      // The self-test measures warm-up too, whatever the catalog says.
      const spec = toModelSpec(entry, caps, source, { device, skipWarmup: false });
      return { device, spec: { ...spec, skipWarmup: false } };
    } catch (error) {
      return { device, skip: serializeError(toMedfactError(error)) };
    }
  });
}

export interface PromptOutput {
  promptId: string;
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  prefillMs: number;
  decodeMs: number;
  engineStats?: { prefillTokensPerSec?: number; decodeTokensPerSec?: number };
}

export interface DeviceRun {
  device: SelfTestDevice;
  status: 'ok' | 'failed' | 'skipped';
  /** The dtype asked for, when the device was planned. */
  dtype?: ModelSpec['dtype'];
  load?: LoadResult;
  /** False when the engine loaded on another device than asked (it should not). */
  ranOnRequestedDevice?: boolean;
  outputs: PromptOutput[];
  throughput: Throughput | null;
  /** As WebLLM reports them itself (mean over prompts); null for engines that do not. */
  engineStats: { prefillTokensPerSec: number | null; decodeTokensPerSec: number | null } | null;
  error?: SerializedError;
}

export interface PromptAgreement extends OutputAgreement {
  promptId: string;
}

export interface SelfTestReport {
  format: typeof SELFTEST_REPORT_FORMAT;
  appVersion: string;
  startedAt: string;
  durationMs: number;
  model: { id: string; engine: CatalogModel['engine'] };
  settings: { maxTokens: number; temperature: 0; promptSet: string; promptIds: string[] };
  capabilities: Capabilities;
  devices: DeviceRun[];
  /** null unless both devices ran. */
  agreement: { summary: AgreementSummary; perPrompt: PromptAgreement[] } | null;
  /** `agree`: both ran and every output matched exactly; `disagree`: some differ; `incomplete`: a device did not run. */
  outcome: 'agree' | 'disagree' | 'incomplete';
}

export type SelfTestEvent =
  | { type: 'device-start'; device: SelfTestDevice }
  | { type: 'load-progress'; device: SelfTestDevice; progress: LoadProgress }
  | { type: 'loaded'; device: SelfTestDevice; load: LoadResult }
  | { type: 'prompt-start'; device: SelfTestDevice; index: number; total: number }
  | { type: 'output'; device: SelfTestDevice; output: PromptOutput }
  | { type: 'device-done'; run: DeviceRun };

/** An engine with an optional way to free its worker. */
export type DisposableEngine = ModelEngine & { dispose?: () => void };

export interface RunSelfTestOptions {
  entry: Pick<CatalogModel, 'id' | 'engine'>;
  plan: readonly DevicePlan[];
  capabilities: Capabilities;
  prompts: readonly SelfTestPrompt[];
  maxTokens: number;
  /** A fresh engine per device (the app: one worker each). */
  createEngine: (device: SelfTestDevice) => DisposableEngine;
  signal?: AbortSignal;
  onEvent?: (event: SelfTestEvent) => void;
  appVersion?: string;
  now?: () => number;
  clock?: () => Date;
}

async function runDevice(
  plan: Extract<DevicePlan, { spec: ModelSpec }>,
  options: RunSelfTestOptions,
  emit: (event: SelfTestEvent) => void,
): Promise<DeviceRun> {
  const { device, spec } = plan;
  const run: DeviceRun = { device, status: 'failed', dtype: spec.dtype, outputs: [], throughput: null, engineStats: null };
  const { signal } = options;
  const engine = options.createEngine(device);
  try {
    const load = await engine.load(spec, { ...(signal ? { signal } : {}), onProgress: (progress) => emit({ type: 'load-progress', device, progress }) });
    run.load = load;
    run.ranOnRequestedDevice = load.device === spec.device;
    emit({ type: 'loaded', device, load });
    for (const [index, prompt] of options.prompts.entries()) {
      throwIfAborted(signal);
      emit({ type: 'prompt-start', device, index, total: options.prompts.length });
      const result = await engine.generate(
        { messages: prompt.messages, maxTokens: options.maxTokens, temperature: 0, thinking: false },
        signal ? { signal } : {},
      );
      const output: PromptOutput = {
        promptId: prompt.id,
        text: result.text,
        finishReason: result.finishReason,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        prefillMs: result.prefillMs,
        decodeMs: result.decodeMs,
        ...(result.engineStats ? { engineStats: result.engineStats } : {}),
      };
      run.outputs.push(output);
      emit({ type: 'output', device, output });
    }
    // Unloading is part of what is tested: a model must leave cleanly before the next loads.
    await engine.unload(signal ? { signal } : {});
    run.status = 'ok';
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) throw new AbortError();
    run.error = serializeError(toMedfactError(error));
  } finally {
    engine.dispose?.();
  }
  run.throughput = run.outputs.length > 0 ? throughputOf(run.outputs) : null;
  run.engineStats = meanEngineStats(run.outputs);
  return run;
}

function compareRuns(a: DeviceRun | undefined, b: DeviceRun | undefined): SelfTestReport['agreement'] {
  if (a?.status !== 'ok' || b?.status !== 'ok') return null;
  const perPrompt: PromptAgreement[] = [];
  for (const out of a.outputs) {
    const other = b.outputs.find((o) => o.promptId === out.promptId);
    if (other) perPrompt.push({ promptId: out.promptId, ...compareOutputs(out.text, other.text) });
  }
  const summary = summarizeAgreement(perPrompt);
  return summary ? { summary, perPrompt } : null;
}

export async function runSelfTest(options: RunSelfTestOptions): Promise<SelfTestReport> {
  const now = options.now ?? (() => performance.now());
  const clock = options.clock ?? (() => new Date());
  if (!Number.isInteger(options.maxTokens) || options.maxTokens < 1) {
    throw new MedfactError('BAD_INPUT', 'The self-test needs a positive whole number of tokens.');
  }
  if (options.prompts.length === 0) throw new MedfactError('BAD_INPUT', 'The self-test needs at least one prompt.');
  const emit = (event: SelfTestEvent): void => options.onEvent?.(event);
  const started = now();
  const startedAt = clock().toISOString();
  throwIfAborted(options.signal);

  const devices: DeviceRun[] = [];
  for (const plan of options.plan) {
    throwIfAborted(options.signal);
    let run: DeviceRun;
    if ('skip' in plan) {
      run = { device: plan.device, status: 'skipped', outputs: [], throughput: null, engineStats: null, error: plan.skip };
    } else {
      emit({ type: 'device-start', device: plan.device });
      run = await runDevice(plan, options, emit);
    }
    devices.push(run);
    emit({ type: 'device-done', run });
  }

  const agreement = compareRuns(
    devices.find((d) => d.device === 'webgpu'),
    devices.find((d) => d.device === 'wasm'),
  );
  const complete = agreement !== null && agreement.summary.prompts === options.prompts.length;
  return {
    format: SELFTEST_REPORT_FORMAT,
    appVersion: options.appVersion ?? 'dev',
    startedAt,
    durationMs: now() - started,
    model: { id: options.entry.id, engine: options.entry.engine },
    settings: { maxTokens: options.maxTokens, temperature: 0, promptSet: SELFTEST_PROMPT_SET, promptIds: options.prompts.map((p) => p.id) },
    capabilities: options.capabilities,
    devices,
    agreement,
    outcome: !complete ? 'incomplete' : agreement.summary.exactShare === 1 ? 'agree' : 'disagree',
  };
}

/** The report as pretty JSON for a bug report. It holds fixed prompts' outputs and device facts, never user text. */
export function reportToJson(report: SelfTestReport): string {
  return JSON.stringify(report, null, 2);
}
