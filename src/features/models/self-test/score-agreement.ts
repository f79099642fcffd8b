/**
 * Agreement of probabilities (judge p(是) / (p(是)+p(否)), classifier
 * P(positive)) between WebGPU and WASM for the same fixed inputs. Greedy text
 * can agree while the numbers drift (a kernel that is slightly off still picks
 * the same top token), so scores are compared directly, within a tolerance.
 */

/** Largest |WebGPU − WASM| difference that passes: quantised kernels differ a little; more means wrong numbers. */
export const SCORE_TOLERANCE = 0.02;

export interface CaseScore {
  caseId: string;
  score: number;
}

export interface CaseAgreement {
  caseId: string;
  webgpu: number;
  wasm: number;
  /** |webgpu − wasm| */
  diff: number;
  passed: boolean;
}

export interface ScoreAgreement {
  tolerance: number;
  perCase: CaseAgreement[];
  /** Largest difference over the compared cases. */
  maxDiff: number;
  /** Every case was scored on both devices and agrees within the tolerance. */
  passed: boolean;
}

/** null when either side scored nothing. A case one side lacks fails the comparison. */
export function compareScores(
  webgpu: readonly CaseScore[] | null,
  wasm: readonly CaseScore[] | null,
  tolerance = SCORE_TOLERANCE,
): ScoreAgreement | null {
  if (!webgpu || !wasm || webgpu.length === 0 || wasm.length === 0) return null;
  const perCase: CaseAgreement[] = [];
  for (const a of webgpu) {
    const b = wasm.find((s) => s.caseId === a.caseId);
    if (!b) continue;
    const diff = Math.abs(a.score - b.score);
    // NaN (a broken kernel) never passes.
    perCase.push({ caseId: a.caseId, webgpu: a.score, wasm: b.score, diff, passed: diff <= tolerance });
  }
  const ids = new Set([...webgpu, ...wasm].map((s) => s.caseId));
  // Math.max keeps a NaN, so a broken score shows in maxDiff too.
  const maxDiff = perCase.reduce((m, c) => Math.max(m, c.diff), 0);
  return {
    tolerance,
    perCase,
    maxDiff,
    passed: perCase.length === ids.size && perCase.every((c) => c.passed),
  };
}
