// Builds CheckResults for UI and storage tests without running a model.
import type { CheckResult, Finding } from '../../src/core/check';
import { DEFAULT_CHECK_OPTIONS } from '../../src/core/check';
import type { CheckRecord } from '../../src/storage/checks-repo';

export function findingAt(text: string, quote: string, over: Partial<Finding> = {}): Finding {
  const start = text.indexOf(quote);
  if (start < 0) throw new Error(`quote not in text: ${quote}`);
  return {
    id: over.id ?? `f-${quote}`,
    quote,
    type: 'conceptual',
    medication: false,
    correction: '',
    reason: '',
    span: { start, end: start + quote.length, exact: true, ambiguous: false, approximate: false },
    support: 1,
    rewardScore: 0.9,
    confidence: 0.9,
    severity: 'normal',
    kept: true,
    ...over,
  };
}

export function makeResult(findings: Finding[], over: Partial<CheckResult> = {}): CheckResult {
  const threshold = over.threshold ?? 0.5;
  const kept = findings.map((f) => ({ ...f, kept: f.confidence >= threshold }));
  return {
    verdict: kept.some((f) => f.kept) ? 'has_error' : 'no_error',
    verifierVerdict: findings.length ? 'has_error' : 'no_error',
    status: 'complete',
    findings: kept,
    threshold,
    samples: [],
    chunks: 1,
    promptId: 'verifier-zero-shot',
    promptVersion: 'v1',
    promptHash: 'abc123',
    answerFormat: 'answer-v1',
    models: { verifier: 'fixture/tiny-verifier', reward: 'fixture/tiny-reward' },
    options: { ...DEFAULT_CHECK_OPTIONS, threshold },
    timings: { totalMs: 120, generateMs: 100, parseMs: 1, alignMs: 1, scoreMs: 18 },
    tokens: { prompt: 300, completion: 40 },
    ...over,
  };
}

export function makeRecord(text: string, result: CheckResult, over: Partial<CheckRecord> = {}): CheckRecord {
  return {
    v: 1,
    id: over.id ?? `c-${Math.random().toString(36).slice(2)}`,
    createdAt: over.createdAt ?? Date.now(),
    text,
    result,
    threshold: result.threshold,
    models: result.models,
    promptId: result.promptId,
    promptVersion: result.promptVersion,
    timings: result.timings,
    review: { accepted: [], dismissed: [] },
    appVersion: 'test',
    ...over,
  };
}
