/**
 * The one place where the confidence threshold decides what a check shows
 * (issue 14): `check()` computes `kept` and the verdict with it, the checker's
 * slider re-applies it to the stored record, and the result view, the
 * exports and the history read the same grouping through `thresholdView`.
 * A formulary rule finding (source 'rule') is deterministic, not a model's
 * guess, so the threshold never hides it; the user can still dismiss it.
 */
import type { CheckResult, Finding, Verdict } from './check';
import { isKept } from './gating';

/** Whether one finding is shown at a threshold. */
export function keptAt(finding: Pick<Finding, 'confidence' | 'source'>, threshold: number): boolean {
  return finding.source === 'rule' || isKept(finding.confidence, threshold);
}

/** The verdict from the kept findings: a rule finding always flags; without a scorer the verifier's own verdict stands. */
export function verdictAt(findings: readonly Pick<Finding, 'kept' | 'source'>[], verifierVerdict: Verdict, hasScorer: boolean): Verdict {
  if (findings.some((f) => f.kept && f.source === 'rule')) return 'has_error';
  if (!hasScorer) return verifierVerdict;
  if (findings.some((f) => f.kept)) return 'has_error';
  return verifierVerdict === 'incomplete' ? 'incomplete' : 'no_error';
}

/** A threshold clamped to [0, 1]; a non-number keeps `fallback`. */
export function clampThreshold(threshold: number, fallback: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(threshold) ? threshold : fallback));
}

/**
 * Recomputes `kept` and the verdict for a threshold without running
 * anything. Pure: returns a new result (the same object when nothing changes).
 */
export function applyThreshold(result: CheckResult, threshold: number): CheckResult {
  const t = clampThreshold(threshold, result.threshold);
  const findings = result.findings.map((f) => {
    const kept = keptAt(f, t);
    return kept === f.kept ? f : { ...f, kept };
  });
  const verdict = verdictAt(findings, result.verifierVerdict, result.models.reward !== null);
  if (t === result.threshold && verdict === result.verdict && findings.every((f, i) => f === result.findings[i])) return result;
  return { ...result, threshold: t, findings, verdict };
}

export interface ThresholdView {
  /** The result at the threshold (its verdict and `kept` flags are the ones to show). */
  result: CheckResult;
  /** Kept and not dismissed, in the result's order (located and unlocated). */
  shown: Finding[];
  /** Dismissed by the user as false alarms (whatever their confidence). */
  dismissed: Finding[];
  /** Not kept at the threshold and not dismissed. */
  belowThreshold: Finding[];
}

/** What the checker, the exports and the history show for a check at a threshold with the user's dismissals. */
export function thresholdView(result: CheckResult, threshold: number, dismissed: readonly string[]): ThresholdView {
  const at = applyThreshold(result, threshold);
  const gone = new Set(dismissed);
  const view: ThresholdView = { result: at, shown: [], dismissed: [], belowThreshold: [] };
  for (const f of at.findings) {
    if (gone.has(f.id)) view.dismissed.push(f);
    else if (f.kept) view.shown.push(f);
    else view.belowThreshold.push(f);
  }
  return view;
}
