/**
 * The orchestrator: text → prompt → K sampled answers per chunk → parse →
 * align → cluster (self-consistency) → reward gating → CheckResult.
 *
 * Engine-independent: it talks to any ModelEngine (a worker proxy in the app,
 * a scripted fake in tests). It streams progress through onPartial, checks
 * the AbortSignal around every await and rejects with AbortError when
 * cancelled. The result is plain JSON (stored in IndexedDB, exported).
 *
 * Unlocated findings are kept in `findings` with `span: null` (there is no
 * separate list); use locatedFindings / unlocatedFindings to split them.
 */
import { ANSWER_FORMAT_VERSION } from './answer';
import { alignFindings, type AlignedSpan } from './align';
import { splitIntoChunks } from './chunk';
import { clusterFindings, combineConfidence, type FindingCluster, type SampleFinding } from './consistency';
import { clamp01, scoreFindings, severityOf, THRESHOLD_PRESETS, type FindingScorer, type Severity } from './gating';
import { shortHash } from './hash';
import { keptAt, verdictAt } from './threshold';
import type { ErrorType } from './labels';
import { parseVerifierAnswer, type ParsedAnswer } from './parse';
import { answerSchemaString, buildVerifierPrompt, isPromptVariant, type PromptVariant } from './prompts';
import { buildGroundedVerifierPrompt, GROUNDED_ANSWER_FORMAT_VERSION, groundedScore, groundedSchemaString, validCitations, type CitedPassage } from './evidence';
import { AbortError, isAbortError, MedfactError, throwIfAborted } from '../protocol/errors';
import type { FinishReason, GenerateParams, GenerateResult, ModelEngine } from '../protocol/engine';

export interface CheckOptions {
  variant: PromptVariant;
  /** K sampled answers per chunk (self-consistency); 1 costs nothing extra. */
  samples: number;
  /** 0 is greedy. With samples > 1 and temperature 0, samples after the first use SAMPLING_TEMPERATURE. */
  temperature: number;
  maxTokens: number;
  /** Qwen3 thinking mode. */
  thinking: boolean;
  /** Findings with confidence ≥ threshold are kept. */
  threshold: number;
  /** Largest chunk, in UTF-16 units of text, handed to the verifier at once. */
  contextChars: number;
  seed?: number;
  /** Hand the answer's JSON schema to engines with grammar-constrained decoding. */
  useJsonSchema?: boolean;
}

export const DEFAULT_CHECK_OPTIONS: Readonly<CheckOptions> = Object.freeze({
  variant: 'zero-shot',
  samples: 1,
  temperature: 0,
  maxTokens: 512,
  thinking: false,
  threshold: THRESHOLD_PRESETS.balanced,
  contextChars: 2000,
  useJsonSchema: false,
});

/** Temperature of extra samples when the caller asked for greedy decoding. */
export const SAMPLING_TEMPERATURE = 0.7;
/** Most samples per chunk we accept (cost grows linearly). */
export const MAX_SAMPLES = 16;

export type CheckStage = 'prompt' | 'generate' | 'parse' | 'align' | 'score' | 'done';

export interface CheckProgress {
  stage: CheckStage;
  chunkIndex: number;
  chunkCount: number;
  sampleIndex: number;
  sampleCount: number;
  /** Completion tokens so far, over all generations. */
  tokens: number;
  /** Decoding speed of the current generation. */
  tokensPerSecond: number;
  /** Text streamed so far by the current generation. */
  streamedText: string;
  /** Findings so far (unscored until stage 'score' ends). */
  findings?: Finding[];
  /** Score stage: findings scored so far, and how many there are. */
  scored?: number;
  toScore?: number;
}

export interface FindingSpan {
  start: number;
  end: number;
  exact: boolean;
  ambiguous: boolean;
  approximate: boolean;
}

export interface Finding {
  id: string;
  quote: string;
  type: ErrorType;
  medication: boolean;
  correction: string;
  reason: string;
  /** null: unlocated (the quote was not found in the text; never highlighted). */
  span: FindingSpan | null;
  /** Share of samples that found it. */
  support: number;
  /** Reward score (max over criteria, see gating.ts), null without a scorer. */
  rewardScore: number | null;
  confidence: number;
  severity: Severity;
  kept: boolean;
  /** 'rule' for a formulary-rule finding (issue 12); absent for the model's. */
  source?: 'model' | 'rule';
  /** A formulary-rule finding's rule, drug, limit, what the text says, and the row's source. */
  rule?: { name: string; drug: string; limit: string; found: string; source: string; row: number };
  /** A model finding folded into this rule finding (overlapping spans). */
  mergedModelFindingId?: string;
  /** Grounded checks: ids of the passages (in result.evidence) the finding cites; [] when it cites none. */
  evidence?: string[];
  /** Grounded checks with a scorer: the grounded criterion's score (cited passages contradict the statement); rewardScore is at most this. */
  grounding?: number;
}

export interface SampleRecord {
  chunk: number;
  sample: number;
  raw: string;
  parse: ParsedAnswer;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens the engine computed (after prefix reuse), when it reports them (issue 15). */
  prefillTokens?: number;
  prefillMs: number;
  decodeMs: number;
}

export type Verdict = 'has_error' | 'no_error' | 'incomplete';

export interface CheckResult {
  verdict: Verdict;
  /** The verifier's own verdict (majority of samples, any chunk); the verdict when no scorer is used. */
  verifierVerdict: Verdict;
  status: 'complete' | 'partial' | 'unreadable';
  /** All findings, located and unlocated (span null), critical first, then by position. */
  findings: Finding[];
  threshold: number;
  samples: SampleRecord[];
  chunks: number;
  promptId: string;
  promptVersion: string;
  promptHash: string;
  answerFormat: string;
  models: { verifier: string; reward: string | null };
  options: CheckOptions;
  timings: { totalMs: number; generateMs: number; parseMs: number; alignMs: number; scoreMs: number };
  /** prefill: prompt tokens actually computed (prefix reuse), present when the engine reports it. */
  tokens: { prompt: number; completion: number; prefill?: number };
  /** Set when the formulary rules ran (issue 12): the active formulary's hash; rulesOnly when no model ran. */
  formulary?: { applied: boolean; hash: string | null; findings: number; rulesOnly?: boolean; demo?: boolean };
  /** Grounded checks: the reference passages the verifier saw, and the library they came from. */
  evidence?: CheckEvidence;
}

export interface CheckEvidence {
  libraryHash: string;
  /** Every passage retrieved, deduplicated, in first-retrieved order. */
  passages: CitedPassage[];
  /** Passage ids per chunk, in the order the chunk's prompt numbered them. */
  byChunk: string[][];
  /** How the passages were found (absent in records made before the embedder role). */
  retrieval?: EvidenceRetrieval;
}

/** Lexical (BM25) alone, or hybrid: lexical and the embedder's vectors fused by reciprocal rank. */
export interface EvidenceRetrieval {
  mode: 'lexical' | 'hybrid';
  /** Hybrid: the embedder's model id. */
  embedder?: string;
  /** Hybrid: passages with a vector when the check ran. */
  vectors?: number;
}

/** Reference passages for grounded checking (the app's library, or a test's list). */
export interface EvidenceSource {
  libraryHash: string;
  /** The passages for one chunk of the checked text, best first. */
  retrieve(chunkText: string, signal?: AbortSignal): Promise<CitedPassage[]>;
  /** How it retrieves, recorded with the result. */
  retrieval?: EvidenceRetrieval;
}

export interface CheckDeps {
  verifier: ModelEngine;
  verifierId: string;
  scorer?: FindingScorer;
  options: Partial<CheckOptions>;
  signal?: AbortSignal;
  onPartial?: (p: CheckProgress) => void;
  /** With a source, the verifier gets the grounded prompt and each finding cites passages. */
  evidence?: EvidenceSource;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function badConfig(message: string): MedfactError {
  return new MedfactError('BAD_CONFIG', message);
}

/** Fills defaults and rejects impossible settings with a message that names the fix. */
export function resolveCheckOptions(partial: Partial<CheckOptions> | undefined): CheckOptions {
  const o: CheckOptions = { ...DEFAULT_CHECK_OPTIONS, ...(partial ?? {}) };
  if (!isPromptVariant(o.variant)) throw badConfig(`Unknown prompt variant "${String(o.variant)}": use zero-shot, reasoning or few-shot.`);
  if (!Number.isInteger(o.samples) || o.samples < 1 || o.samples > MAX_SAMPLES) throw badConfig(`Samples must be a whole number from 1 to ${MAX_SAMPLES}.`);
  if (!Number.isFinite(o.temperature) || o.temperature < 0 || o.temperature > 2) throw badConfig('Temperature must be between 0 and 2.');
  if (!Number.isInteger(o.maxTokens) || o.maxTokens < 16) throw badConfig('Max tokens must be a whole number of at least 16.');
  if (!Number.isFinite(o.threshold) || o.threshold < 0 || o.threshold > 1) throw badConfig('The confidence threshold must be between 0 and 1.');
  if (!Number.isFinite(o.contextChars) || o.contextChars < 200) throw badConfig('The chunk size (contextChars) must be at least 200 characters.');
  return o;
}

/** Overlap between chunks: enough for a sentence or two, at most a tenth of a chunk. */
export function chunkOverlap(contextChars: number): number {
  return Math.min(200, Math.floor(contextChars / 10));
}

function validateText(text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new MedfactError('BAD_INPUT', 'The text to check must be a string: paste the medical text as plain text.');
  if (text.trim().length === 0) throw new MedfactError('BAD_INPUT', 'The text is empty: paste or type the medical text you want to check.');
}

function findingId(span: FindingSpan | null, quote: string, index: number): string {
  return `f${index}-${shortHash(`${span ? `${span.start}:${span.end}` : 'u'}|${quote}`)}`;
}

function toFindingSpan(span: AlignedSpan | null): FindingSpan | null {
  if (!span) return null;
  return { start: span.start, end: span.end, exact: span.exact, ambiguous: span.ambiguous, approximate: span.approximate };
}

function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'critical' ? 0 : 1);
  return [...findings].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (a.span && b.span) return a.span.start - b.span.start;
    if (a.span) return -1;
    if (b.span) return 1;
    return 0;
  });
}

/** The slider's re-filter lives with the other threshold rules (./threshold.ts), the one place they are applied. */
export { applyThreshold, thresholdView, type ThresholdView } from './threshold';

export function locatedFindings(result: CheckResult): (Finding & { span: FindingSpan })[] {
  return result.findings.filter((f): f is Finding & { span: FindingSpan } => f.span !== null);
}

export function unlocatedFindings(result: CheckResult): Finding[] {
  return result.findings.filter((f) => f.span === null);
}

/** The verifier's verdict over chunks: a chunk says yes when at least half its readable samples do. */
function verifierVerdictOf(samples: readonly SampleRecord[], chunkCount: number): Verdict {
  let anyUnknown = false;
  for (let c = 0; c < chunkCount; c++) {
    const votes = samples.filter((s) => s.chunk === c).map((s) => s.parse.hasError);
    const readable = votes.filter((v): v is boolean => v !== null);
    if (readable.length === 0) {
      anyUnknown = true;
      continue;
    }
    const yes = readable.filter((v) => v).length;
    if (yes / readable.length >= 0.5) return 'has_error';
  }
  return anyUnknown ? 'incomplete' : 'no_error';
}

function statusOf(samples: readonly SampleRecord[]): CheckResult['status'] {
  if (samples.every((s) => s.parse.kind === 'ok')) return 'complete';
  if (samples.every((s) => s.parse.kind === 'unreadable')) return 'unreadable';
  return 'partial';
}

function asAbort(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted || isAbortError(error)) return new AbortError();
  return error;
}

/** Checks one text. See the module comment. */
export async function check(text: string, deps: CheckDeps): Promise<CheckResult> {
  const t0 = now();
  const { verifier, scorer, signal, onPartial } = deps;
  validateText(text);
  const options = resolveCheckOptions(deps.options);
  throwIfAborted(signal);

  const chunks = splitIntoChunks(text, options.contextChars, chunkOverlap(options.contextChars));
  const K = options.samples;
  const samples: SampleRecord[] = [];
  const items: SampleFinding[] = [];
  const timings = { totalMs: 0, generateMs: 0, parseMs: 0, alignMs: 0, scoreMs: 0 };
  const tokens: CheckResult['tokens'] = { prompt: 0, completion: 0 };
  let prefill = 0;
  let prefillReported = false;
  const grounded = deps.evidence;
  const schema = options.useJsonSchema ? (grounded ? groundedSchemaString() : answerSchemaString()) : undefined;
  const evidence: CheckEvidence | undefined = grounded
    ? { libraryHash: grounded.libraryHash, ...(grounded.retrieval ? { retrieval: grounded.retrieval } : {}), passages: [], byChunk: [] }
    : undefined;
  let promptInfo = buildVerifierPrompt('', options.variant);

  const emit = (p: Omit<CheckProgress, 'chunkCount' | 'sampleCount'>): void => {
    onPartial?.({ ...p, chunkCount: chunks.length, sampleCount: K });
  };

  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    if (!chunk) continue;
    let chunkPassages: CitedPassage[] = [];
    if (grounded && evidence) {
      throwIfAborted(signal);
      chunkPassages = await grounded.retrieve(chunk.text, signal);
      evidence.byChunk.push(chunkPassages.map((p) => p.id));
      for (const p of chunkPassages) if (!evidence.passages.some((q) => q.id === p.id)) evidence.passages.push(p);
    }
    for (let s = 0; s < K; s++) {
      throwIfAborted(signal);
      const base = { chunkIndex: c, sampleIndex: s };
      emit({ ...base, stage: 'prompt', tokens: tokens.completion, tokensPerSecond: 0, streamedText: '' });
      promptInfo = grounded ? buildGroundedVerifierPrompt(chunk.text, chunkPassages) : buildVerifierPrompt(chunk.text, options.variant);
      const params: GenerateParams = {
        messages: promptInfo.messages,
        maxTokens: options.maxTokens,
        temperature: s > 0 && options.temperature === 0 ? SAMPLING_TEMPERATURE : options.temperature,
        thinking: options.thinking,
      };
      if (options.seed !== undefined) params.seed = options.seed + s;
      if (schema !== undefined) params.jsonSchema = schema;

      let streamed = '';
      const genStart = now();
      let result: GenerateResult;
      try {
        result = await verifier.generate(params, {
          ...(signal ? { signal } : {}),
          onChunk: (ch) => {
            streamed += ch.text;
            const secs = (now() - genStart) / 1000;
            emit({ ...base, stage: 'generate', tokens: tokens.completion + ch.tokens, tokensPerSecond: secs > 0 ? ch.tokens / secs : 0, streamedText: streamed });
          },
        });
      } catch (error) {
        throw asAbort(error, signal);
      }
      if (signal?.aborted || result.finishReason === 'abort') throw new AbortError();
      timings.generateMs += now() - genStart;
      tokens.prompt += result.promptTokens;
      tokens.completion += result.completionTokens;
      prefill += result.prefillTokens ?? result.promptTokens;
      if (result.prefillTokens !== undefined) prefillReported = true;
      const tps = result.decodeMs > 0 ? result.completionTokens / (result.decodeMs / 1000) : 0;

      const parseStart = now();
      const parse = parseVerifierAnswer(result.text, { truncated: result.finishReason === 'length' });
      timings.parseMs += now() - parseStart;
      samples.push({
        chunk: c,
        sample: s,
        raw: result.text,
        parse,
        finishReason: result.finishReason,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        ...(result.prefillTokens !== undefined ? { prefillTokens: result.prefillTokens } : {}),
        prefillMs: result.prefillMs,
        decodeMs: result.decodeMs,
      });
      emit({ ...base, stage: 'parse', tokens: tokens.completion, tokensPerSecond: tps, streamedText: result.text });

      const alignStart = now();
      const aligned = alignFindings(chunk.text, parse.findings);
      // Chunk-local passage numbers → passage ids.
      const cites = (f: { evidence?: number[] }): { evidenceIds?: string[] } =>
        grounded ? { evidenceIds: validCitations(f.evidence, chunkPassages.length).map((n) => (chunkPassages[n - 1] as CitedPassage).id) } : {};
      for (const f of aligned.located) {
        const { sources: _sources, ...rest } = f;
        const start = f.span.start + chunk.start;
        const end = f.span.end + chunk.start;
        items.push({ ...rest, span: { ...f.span, start, end }, sample: s, ...cites(f) });
      }
      for (const f of aligned.unlocated) {
        const { source: _source, ...rest } = f;
        items.push({ ...rest, span: null, sample: s, ...cites(f) });
      }
      timings.alignMs += now() - alignStart;
      emit({ ...base, stage: 'align', tokens: tokens.completion, tokensPerSecond: tps, streamedText: result.text, findings: draftFindings(items, K, options.threshold) });
    }
  }

  // Cluster over samples (and over chunk overlaps: the same span found twice merges).
  const clusters = clusterFindings(items, K);
  const scoreStart = now();
  const findings: Finding[] = [];
  const severities = clusters.map((cl) => {
    const rep = cl.representative;
    return severityOf({ medication: cl.medication, type: cl.type, quote: rep.quote, correction: rep.correction, reason: rep.reason });
  });
  // The whole stage in one batch: one worker round trip, whatever the number of findings.
  let rewardScores: Array<number | null> = clusters.map(() => null);
  if (scorer && clusters.length > 0) {
    throwIfAborted(signal);
    const emitScored = (scored: number): void =>
      emit({ chunkIndex: chunks.length - 1, sampleIndex: K - 1, stage: 'score', tokens: tokens.completion, tokensPerSecond: 0, streamedText: '', scored, toScore: clusters.length });
    emitScored(0);
    try {
      const toScore = clusters.map((cl, i) => {
        const rep = cl.representative;
        const span = rep.span ? { start: rep.span.start, end: rep.span.end } : null;
        return { input: { text, span, quote: rep.quote, type: cl.type, correction: rep.correction, reason: rep.reason }, severity: severities[i] ?? 'normal' };
      });
      rewardScores = (await scoreFindings(scorer, toScore, signal, (scored) => {
        if (scored < clusters.length) emitScored(scored);
      })).map((r) => r.score);
    } catch (error) {
      throw asAbort(error, signal);
    }
    throwIfAborted(signal);
  }
  // Grounded criterion (issue 11): a finding whose cited passages do not contradict its statement scores down.
  const groundings: Array<number | undefined> = clusters.map(() => undefined);
  if (scorer?.grounding && grounded && evidence) {
    for (let i = 0; i < clusters.length; i++) {
      const cl = clusters[i];
      const score = rewardScores[i];
      if (!cl || score === null || score === undefined) continue;
      const cited = [...new Set(cl.members.flatMap((m) => m.evidenceIds ?? []))].flatMap((id) => evidence.passages.find((p) => p.id === id) ?? []);
      if (cited.length === 0) continue;
      const rep = cl.representative;
      const span = rep.span ? { start: rep.span.start, end: rep.span.end } : null;
      try {
        const g = clamp01(await scorer.grounding({ text, span, quote: rep.quote, type: cl.type, correction: rep.correction, reason: rep.reason, cited }, signal));
        groundings[i] = g;
        rewardScores[i] = groundedScore(score, g);
      } catch (error) {
        throw asAbort(error, signal);
      }
    }
    throwIfAborted(signal);
  }
  for (let i = 0; i < clusters.length; i++) {
    const cl = clusters[i];
    if (!cl) continue;
    const severity = severities[i] ?? 'normal';
    const rewardScore = rewardScores[i] ?? null;
    const citedIds = [...new Set(cl.members.flatMap((m) => m.evidenceIds ?? []))];
    const grounding = groundings[i];
    findings.push({
      ...clusterFinding(cl, i, { rewardScore, confidence: combineConfidence(cl.support, rewardScore, K), severity, threshold: options.threshold }),
      ...(grounded ? { evidence: citedIds } : {}),
      ...(grounding !== undefined ? { grounding } : {}),
    });
  }
  if (scorer) timings.scoreMs = now() - scoreStart;

  const verifierVerdict = verifierVerdictOf(samples, chunks.length);
  const sorted = sortFindings(findings);
  timings.totalMs = now() - t0;
  if (prefillReported) tokens.prefill = prefill;
  const result: CheckResult = {
    verdict: verdictAt(sorted, verifierVerdict, scorer !== undefined),
    verifierVerdict,
    status: statusOf(samples),
    findings: sorted,
    threshold: options.threshold,
    samples,
    chunks: chunks.length,
    promptId: promptInfo.promptId,
    promptVersion: promptInfo.promptVersion,
    promptHash: promptInfo.promptHash,
    answerFormat: grounded ? GROUNDED_ANSWER_FORMAT_VERSION : ANSWER_FORMAT_VERSION,
    models: { verifier: deps.verifierId, reward: scorer?.id ?? null },
    options,
    timings,
    tokens,
    ...(evidence ? { evidence } : {}),
  };
  emit({ chunkIndex: chunks.length - 1, sampleIndex: K - 1, stage: 'done', tokens: tokens.completion, tokensPerSecond: 0, streamedText: '', findings: sorted });
  return result;
}

/** Unscored findings for streaming: support-only confidence. */
function draftFindings(items: readonly SampleFinding[], k: number, threshold: number): Finding[] {
  return clusterFindings(items, k).map((cl, i) => {
    const rep = cl.representative;
    const severity = severityOf({ medication: cl.medication, quote: rep.quote, correction: rep.correction, reason: rep.reason });
    return clusterFinding(cl, i, { rewardScore: null, confidence: combineConfidence(cl.support, null, k), severity, threshold });
  });
}

/** A cluster of sample findings as one Finding (its representative's quote, span and texts). */
function clusterFinding(
  cl: FindingCluster,
  index: number,
  scored: { rewardScore: number | null; confidence: number; severity: Severity; threshold: number },
): Finding {
  const rep = cl.representative;
  const span = toFindingSpan(rep.span);
  return {
    id: findingId(span, rep.quote, index),
    quote: rep.quote,
    type: cl.type,
    medication: cl.medication,
    correction: rep.correction,
    reason: rep.reason,
    span,
    support: cl.support,
    rewardScore: scored.rewardScore,
    confidence: scored.confidence,
    severity: scored.severity,
    kept: keptAt({ confidence: scored.confidence }, scored.threshold),
  };
}
