/**
 * The hardware self-test, without UI: load the chosen model on WebGPU (when
 * it can run there), generate the fixed prompts greedily while streaming
 * them, score the fixed judge questions from logits, check that a generation
 * can be interrupted, unload; then the same on WASM in a second engine (its
 * own worker); then compare outputs and scores. With a reward classifier
 * chosen, it is scored on both devices too. Engines come from a factory, so
 * Node tests drive it with the scripted fake and the app with real workers.
 * A failure on one device is recorded and the other still runs; cancelling
 * rejects with AbortError.
 */
import type { CatalogModel } from '../../../domain/catalog/schema';
import type { Capabilities } from '../../../protocol/capabilities';
import type { FinishReason, LoadProgress, LoadResult, ModelEngine, ModelSpec } from '../../../protocol/engine';
import { AbortError, MedfactError, isAbortError, serializeError, throwIfAborted, toMedfactError, type SerializedError } from '../../../protocol/errors';
import { compareOutputs, summarizeAgreement, type AgreementSummary, type OutputAgreement } from './agreement';
import { runClassifierDevice, type ClassifierDeviceRun, type ClassifierSelection } from './classifier-check';
import { INTERRUPT_FOLLOW_UP_TOKENS, INTERRUPT_LONG_TOKENS, runInterruptCheck, type InterruptCheck } from './interrupt';
import type { DevicePlan, SelfTestDevice } from './plan';
import { SELFTEST_CHECK_SET, SELFTEST_PROMPT_SET, type SelfTestJudgeCase, type SelfTestPrompt } from './prompts';
import { runPrefixReuseCheck, type PrefixReuseCheck } from './prefix-reuse-check';
import { compareScores, SCORE_TOLERANCE, type ScoreAgreement } from './score-agreement';
import { createStreamRecorder, summarizeStreaming, type StreamStats, type StreamSummary } from './streaming';
import { meanEngineStats, throughputOf, type Throughput } from './throughput';

export { planClassifier, planSelfTest, SELFTEST_DEVICES, type DevicePlan, type SelfTestDevice } from './plan';

// v3: outputs carry prefillTokens; devices and checks carry the prefix-reuse check.
export const SELFTEST_REPORT_FORMAT = 'medfact-selftest-v3';

export interface PromptOutput {
  promptId: string;
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  /** Prompt tokens the engine computed (fewer than promptTokens when it reused a cached prefix), when it says. */
  prefillTokens?: number;
  completionTokens: number;
  prefillMs: number;
  decodeMs: number;
  engineStats?: { prefillTokensPerSec?: number; decodeTokensPerSec?: number };
  /** How the generation streamed (see streaming.ts). */
  stream: StreamStats;
}

export interface JudgeScoreRecord {
  caseId: string;
  promptId: string;
  /** p(yes) / (p(yes) + p(no)) from one forward pass. */
  score: number;
  /** As the engine reports them (transformers.js: pYes, pNo, logitYes, logitNo). */
  raw: Record<string, number>;
  ms: number;
}

export interface JudgeRun {
  scores: JudgeScoreRecord[];
  /** Set when scoring failed; the scores before the failure are kept. */
  error?: SerializedError;
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
  /** Streaming over the prompt generations; null when none ran. */
  streaming: StreamSummary | null;
  /** null when the judge check was not run (not asked, or the device failed first). */
  judge: JudgeRun | null;
  /** null when the interrupt check was not run. */
  interrupt: InterruptCheck | null;
  /** Outputs with and without prompt-prefix reuse; null when the engine does not reuse prefixes (WebLLM) or the check was not asked. */
  prefixReuse: PrefixReuseCheck | null;
  error?: SerializedError;
}

export interface PromptAgreement extends OutputAgreement {
  promptId: string;
}

/** pass: checked and fine; fail: something is wrong; incomplete: only one device could be compared; not-run: not part of this run. */
export type CheckVerdict = 'pass' | 'fail' | 'incomplete' | 'not-run';

export interface SelfTestReport {
  format: typeof SELFTEST_REPORT_FORMAT;
  appVersion: string;
  startedAt: string;
  durationMs: number;
  model: { id: string; engine: CatalogModel['engine'] };
  settings: {
    maxTokens: number;
    temperature: 0;
    promptSet: string;
    promptIds: string[];
    checkSet: string;
    judgeCaseIds: string[];
    classifyCaseIds: string[];
    interrupt: { longTokens: number; followUpTokens: number } | null;
    prefixReuse: boolean;
    scoreTolerance: number;
  };
  capabilities: Capabilities;
  devices: DeviceRun[];
  /** null unless both devices ran. */
  agreement: { summary: AgreementSummary; perPrompt: PromptAgreement[] } | null;
  /** `agree`: both ran and every output matched exactly; `disagree`: some differ; `incomplete`: a device did not run. */
  outcome: 'agree' | 'disagree' | 'incomplete';
  /** Judge scores, WebGPU against WASM; null unless both devices scored. */
  judgeAgreement: ScoreAgreement | null;
  /** The reward classifier's runs, when one was chosen. */
  classifier: { model: { id: string; engine: CatalogModel['engine'] }; devices: ClassifierDeviceRun[]; agreement: ScoreAgreement | null } | null;
  checks: { generation: CheckVerdict; streaming: CheckVerdict; judge: CheckVerdict; interrupt: CheckVerdict; prefixReuse: CheckVerdict; classifier: CheckVerdict };
}

export type SelfTestCheck = 'judge' | 'interrupt' | 'prefix-reuse';

export type SelfTestEvent =
  | { type: 'device-start'; device: SelfTestDevice }
  | { type: 'load-progress'; device: SelfTestDevice; progress: LoadProgress }
  | { type: 'loaded'; device: SelfTestDevice; load: LoadResult }
  | { type: 'prompt-start'; device: SelfTestDevice; index: number; total: number }
  | { type: 'output'; device: SelfTestDevice; output: PromptOutput }
  | { type: 'check-start'; device: SelfTestDevice; check: SelfTestCheck }
  | { type: 'device-done'; run: DeviceRun }
  | { type: 'classifier-start'; device: SelfTestDevice }
  | { type: 'classifier-progress'; device: SelfTestDevice; progress: LoadProgress }
  | { type: 'classifier-done'; run: ClassifierDeviceRun };

/** An engine with an optional way to free its worker. */
export type DisposableEngine = ModelEngine & { dispose?: () => void };

export interface RunSelfTestOptions {
  entry: Pick<CatalogModel, 'id' | 'engine'>;
  plan: readonly DevicePlan[];
  capabilities: Capabilities;
  prompts: readonly SelfTestPrompt[];
  maxTokens: number;
  /** Judge questions scored on each device (none: no judge check). */
  judgeCases?: readonly SelfTestJudgeCase[];
  /** Run the interrupt check on each device (on the first prompt). */
  interrupt?: boolean;
  /** Tokens of the interrupt check's follow-up generation. */
  interruptFollowUpTokens?: number;
  /** Generate every prompt again without prompt-prefix reuse and compare (engines that reuse prefixes only). */
  prefixReuse?: boolean;
  /** A reward classifier to score on both devices. */
  classifier?: ClassifierSelection;
  /** A fresh engine per device and model (the app: one worker each). */
  createEngine: (device: SelfTestDevice) => DisposableEngine;
  signal?: AbortSignal;
  onEvent?: (event: SelfTestEvent) => void;
  appVersion?: string;
  now?: () => number;
  clock?: () => Date;
}

async function judgeOnDevice(engine: ModelEngine, cases: readonly SelfTestJudgeCase[], signal: AbortSignal | undefined): Promise<JudgeRun> {
  const judge: JudgeRun = { scores: [] };
  try {
    for (const c of cases) {
      throwIfAborted(signal);
      const r = await engine.score({ kind: 'judge', messages: c.messages, yes: c.yes, no: c.no }, signal ? { signal } : {});
      judge.scores.push({ caseId: c.id, promptId: c.promptId, score: r.score, raw: r.raw, ms: r.ms });
    }
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) throw new AbortError();
    judge.error = serializeError(toMedfactError(error));
  }
  return judge;
}

async function runDevice(
  plan: Extract<DevicePlan, { spec: ModelSpec }>,
  options: RunSelfTestOptions,
  emit: (event: SelfTestEvent) => void,
  now: () => number,
): Promise<DeviceRun> {
  const { device, spec } = plan;
  const run: DeviceRun = {
    device,
    status: 'failed',
    dtype: spec.dtype,
    outputs: [],
    throughput: null,
    engineStats: null,
    streaming: null,
    judge: null,
    interrupt: null,
    prefixReuse: null,
  };
  const { signal } = options;
  const call = signal ? { signal } : {};
  const engine = options.createEngine(device);
  try {
    const load = await engine.load(spec, { ...call, onProgress: (progress) => emit({ type: 'load-progress', device, progress }) });
    run.load = load;
    run.ranOnRequestedDevice = load.device === spec.device;
    emit({ type: 'loaded', device, load });
    for (const [index, prompt] of options.prompts.entries()) {
      throwIfAborted(signal);
      emit({ type: 'prompt-start', device, index, total: options.prompts.length });
      const recorder = createStreamRecorder(now);
      const result = await engine.generate(
        { messages: prompt.messages, maxTokens: options.maxTokens, temperature: 0, thinking: false },
        { ...call, onChunk: recorder.onChunk },
      );
      const output: PromptOutput = {
        promptId: prompt.id,
        text: result.text,
        finishReason: result.finishReason,
        promptTokens: result.promptTokens,
        ...(result.prefillTokens !== undefined ? { prefillTokens: result.prefillTokens } : {}),
        completionTokens: result.completionTokens,
        prefillMs: result.prefillMs,
        decodeMs: result.decodeMs,
        ...(result.engineStats ? { engineStats: result.engineStats } : {}),
        stream: recorder.finish(result.text),
      };
      run.outputs.push(output);
      emit({ type: 'output', device, output });
    }
    const judgeCases = options.judgeCases ?? [];
    if (judgeCases.length > 0) {
      emit({ type: 'check-start', device, check: 'judge' });
      run.judge = await judgeOnDevice(engine, judgeCases, signal);
    }
    if (options.prefixReuse && load.prefixReuse === true) {
      emit({ type: 'check-start', device, check: 'prefix-reuse' });
      run.prefixReuse = await runPrefixReuseCheck(engine, options.prompts, run.outputs, { maxTokens: options.maxTokens, ...(signal ? { signal } : {}) });
    }
    const first = options.prompts[0];
    if (options.interrupt && first) {
      throwIfAborted(signal);
      emit({ type: 'check-start', device, check: 'interrupt' });
      const decode = throughputOf(run.outputs).decodeTokensPerSec;
      run.interrupt = await runInterruptCheck(engine, {
        prompt: first,
        msPerToken: decode ? 1000 / decode : null,
        now,
        ...(signal ? { signal } : {}),
        ...(options.interruptFollowUpTokens !== undefined ? { followUpTokens: options.interruptFollowUpTokens } : {}),
      });
    }
    // Unloading is part of what is tested: a model must leave cleanly before the next loads.
    await engine.unload(call);
    run.status = 'ok';
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) throw new AbortError();
    run.error = serializeError(toMedfactError(error));
  } finally {
    engine.dispose?.();
  }
  run.throughput = run.outputs.length > 0 ? throughputOf(run.outputs) : null;
  run.engineStats = meanEngineStats(run.outputs);
  run.streaming = summarizeStreaming(run.outputs.map((o) => ({ stats: o.stream, text: o.text })));
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

/** A per-device check: fails when any device that ran it failed it. */
function perDeviceVerdict(results: readonly (boolean | null)[]): CheckVerdict {
  const ran = results.filter((r): r is boolean => r !== null);
  if (ran.length === 0) return 'not-run';
  return ran.every(Boolean) ? 'pass' : 'fail';
}

/** A cross-device check: errors or a failed comparison fail it; a missing device leaves it incomplete. */
function comparedVerdict(asked: boolean, errors: boolean, agreement: ScoreAgreement | null): CheckVerdict {
  if (!asked) return 'not-run';
  if (errors || agreement?.passed === false) return 'fail';
  return agreement ? 'pass' : 'incomplete';
}

function judgeScores(run: DeviceRun | undefined): { caseId: string; score: number }[] | null {
  return run?.judge && !run.judge.error ? run.judge.scores : null;
}

function classifierScores(run: ClassifierDeviceRun | undefined): { caseId: string; score: number }[] | null {
  return run?.status === 'ok' ? run.scores : null;
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
      run = {
        device: plan.device,
        status: 'skipped',
        outputs: [],
        throughput: null,
        engineStats: null,
        streaming: null,
        judge: null,
        interrupt: null,
        prefixReuse: null,
        error: plan.skip,
      };
    } else {
      emit({ type: 'device-start', device: plan.device });
      run = await runDevice(plan, options, emit, now);
    }
    devices.push(run);
    emit({ type: 'device-done', run });
  }

  let classifier: SelfTestReport['classifier'] = null;
  if (options.classifier) {
    const sel = options.classifier;
    const runs: ClassifierDeviceRun[] = [];
    for (const plan of sel.plan) {
      throwIfAborted(options.signal);
      if (!('skip' in plan)) emit({ type: 'classifier-start', device: plan.device });
      const run = await runClassifierDevice(plan, {
        createEngine: () => options.createEngine(plan.device),
        cases: sel.cases,
        ...(sel.entry.positiveLabel ? { positiveLabel: sel.entry.positiveLabel } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (progress) => emit({ type: 'classifier-progress', device: plan.device, progress }),
      });
      runs.push(run);
      emit({ type: 'classifier-done', run });
    }
    const agreement = compareScores(
      classifierScores(runs.find((r) => r.device === 'webgpu')),
      classifierScores(runs.find((r) => r.device === 'wasm')),
    );
    classifier = { model: { id: sel.entry.id, engine: sel.entry.engine }, devices: runs, agreement };
  }

  const gpu = devices.find((d) => d.device === 'webgpu');
  const wasm = devices.find((d) => d.device === 'wasm');
  const agreement = compareRuns(gpu, wasm);
  const complete = agreement !== null && agreement.summary.prompts === options.prompts.length;
  const outcome: SelfTestReport['outcome'] = !complete ? 'incomplete' : agreement.summary.exactShare === 1 ? 'agree' : 'disagree';
  const judgeCases = options.judgeCases ?? [];
  const judgeAgreement = compareScores(judgeScores(gpu), judgeScores(wasm));
  return {
    format: SELFTEST_REPORT_FORMAT,
    appVersion: options.appVersion ?? 'dev',
    startedAt,
    durationMs: now() - started,
    model: { id: options.entry.id, engine: options.entry.engine },
    settings: {
      maxTokens: options.maxTokens,
      temperature: 0,
      promptSet: SELFTEST_PROMPT_SET,
      promptIds: options.prompts.map((p) => p.id),
      checkSet: SELFTEST_CHECK_SET,
      judgeCaseIds: judgeCases.map((c) => c.id),
      classifyCaseIds: options.classifier?.cases.map((c) => c.id) ?? [],
      interrupt: options.interrupt ? { longTokens: INTERRUPT_LONG_TOKENS, followUpTokens: options.interruptFollowUpTokens ?? INTERRUPT_FOLLOW_UP_TOKENS } : null,
      prefixReuse: options.prefixReuse === true,
      scoreTolerance: SCORE_TOLERANCE,
    },
    capabilities: options.capabilities,
    devices,
    agreement,
    outcome,
    judgeAgreement,
    classifier,
    checks: {
      generation: outcome === 'agree' ? 'pass' : outcome === 'disagree' ? 'fail' : 'incomplete',
      streaming: perDeviceVerdict(devices.map((d) => d.streaming?.passed ?? null)),
      judge: comparedVerdict(judgeCases.length > 0, devices.some((d) => d.judge?.error !== undefined), judgeAgreement),
      interrupt: perDeviceVerdict(devices.map((d) => d.interrupt?.passed ?? null)),
      prefixReuse: perDeviceVerdict(devices.map((d) => d.prefixReuse?.passed ?? null)),
      classifier: options.classifier
        ? comparedVerdict(true, classifier?.devices.some((d) => d.status === 'failed') ?? false, classifier?.agreement ?? null)
        : 'not-run',
    },
  };
}

/** The report as pretty JSON for a bug report. It holds fixed prompts' outputs and device facts, never user text. */
export function reportToJson(report: SelfTestReport): string {
  return JSON.stringify(report, null, 2);
}
