/**
 * Formulary-rule findings in the checker: converted to the pipeline's
 * Finding shape (source 'rule', medication, critical, confidence 1 so the
 * reward threshold never removes them; the user can still dismiss them) and
 * merged with the model's findings, overlapping spans becoming one finding
 * that keeps both reasons.
 */
import type { CheckOptions, CheckResult, Finding } from '../check';
import { DEFAULT_CHECK_OPTIONS } from '../check';
import { shortHash } from '../hash';
import type { MedFinding } from './types';

/** models.verifier of a check that ran the formulary rules only (no model installed or loaded). */
export const RULES_ONLY_VERIFIER = 'formulary-rules';
export const RULE_PROMPT_ID = 'formulary-rules';

export function ruleToFinding(f: MedFinding, index: number): Finding {
  return {
    id: `r${index}-${shortHash(`${f.start}:${f.end}|${f.rule}|${f.drug}`)}`,
    quote: f.text,
    type: 'conceptual',
    medication: true,
    correction: f.correction,
    reason: f.reason,
    span: { start: f.start, end: f.end, exact: true, ambiguous: false, approximate: false },
    support: 1,
    rewardScore: null,
    confidence: 1,
    severity: 'critical',
    kept: true,
    source: 'rule',
    rule: { name: f.rule, drug: f.drug, limit: f.limit, found: f.found, source: f.source, row: f.row },
  };
}

const overlaps = (a: Finding, b: Finding): boolean => a.span !== null && b.span !== null && a.span.start < b.span.end && b.span.start < a.span.end;

function ordered(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'critical' ? 0 : 1);
  return [...findings].sort((a, b) => rank(a) - rank(b) || (a.span && b.span ? a.span.start - b.span.start : a.span ? -1 : b.span ? 1 : 0));
}

/** Merges rule findings into a model's result: a model finding that overlaps a rule finding is folded into it, both reasons kept. */
export function mergeRuleFindings(result: CheckResult, rules: MedFinding[], formularyHash?: string): CheckResult {
  const ruleFindings = rules.map(ruleToFinding);
  const modelFindings: Finding[] = [];
  for (const m of result.findings) {
    const hit = ruleFindings.find((r) => overlaps(r, m));
    if (hit) {
      hit.reason = `${hit.reason}\n模型：${m.reason}`;
      hit.mergedModelFindingId = m.id;
      continue;
    }
    modelFindings.push(m);
  }
  const findings = ordered([...ruleFindings, ...modelFindings]);
  const hasRule = ruleFindings.length > 0;
  return {
    ...result,
    findings,
    verdict: hasRule ? 'has_error' : result.verdict,
    verifierVerdict: hasRule ? 'has_error' : result.verifierVerdict,
    formulary: { applied: true, hash: formularyHash ?? null, findings: ruleFindings.length },
  };
}

/** A check result from the formulary rules alone (no model): what the checker shows before any model is installed. */
export function rulesOnlyResult(text: string, rules: MedFinding[], options: Partial<CheckOptions>, totalMs: number, formularyHash?: string): CheckResult {
  const findings = ordered(rules.map(ruleToFinding));
  const verdict = findings.length > 0 ? 'has_error' : 'no_error';
  void text;
  return {
    verdict,
    verifierVerdict: verdict,
    status: 'complete',
    findings,
    threshold: options.threshold ?? DEFAULT_CHECK_OPTIONS.threshold,
    samples: [],
    chunks: 0,
    promptId: RULE_PROMPT_ID,
    promptVersion: 'v1',
    promptHash: formularyHash?.slice(0, 8) ?? '',
    answerFormat: 'formulary-rules-v1',
    models: { verifier: RULES_ONLY_VERIFIER, reward: null },
    options: { ...DEFAULT_CHECK_OPTIONS, ...options },
    timings: { totalMs, generateMs: 0, parseMs: 0, alignMs: 0, scoreMs: 0 },
    tokens: { prompt: 0, completion: 0 },
    formulary: { applied: true, hash: formularyHash ?? null, findings: findings.length, rulesOnly: true },
  };
}
