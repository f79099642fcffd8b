/**
 * Agreement between the WebGPU and WASM outputs of the same greedy prompt.
 * Quantised WebGPU kernels have shipped wrong numbers before; with greedy
 * decoding a wrong kernel shows as text that diverges from the CPU's.
 *
 * The engines return text, not token ids, so "tokens" here are text units
 * close to what a Chinese LLM tokenizer produces: one unit per CJK character
 * or other symbol, one per run of Latin letters or digits, one per run of
 * whitespace. Agreement is positional (greedy decoding diverges and stays
 * diverged), as a share of the longer output.
 */

export interface OutputAgreement {
  /** The two texts are identical. */
  exact: boolean;
  /** Share (0..1) of unit positions that agree, over the longer output; 1 when both are empty. */
  tokenAgreement: number;
  /** Index of the first unit that differs, or null when none does. */
  firstDivergence: number | null;
  unitsA: number;
  unitsB: number;
}

const UNIT = /[A-Za-z]+|[0-9]+|\s+|[\s\S]/gu;

/** Splits text into tokenizer-like units (see the file comment). */
export function textUnits(text: string): string[] {
  return text.match(UNIT) ?? [];
}

export function compareOutputs(a: string, b: string): OutputAgreement {
  const ua = textUnits(a);
  const ub = textUnits(b);
  const longer = Math.max(ua.length, ub.length);
  let same = 0;
  let firstDivergence: number | null = null;
  for (let i = 0; i < longer; i++) {
    if (ua[i] === ub[i]) same++;
    else firstDivergence ??= i;
  }
  return {
    exact: a === b,
    tokenAgreement: longer === 0 ? 1 : same / longer,
    firstDivergence,
    unitsA: ua.length,
    unitsB: ub.length,
  };
}

export interface AgreementSummary {
  /** Share (0..1) of prompts whose outputs match exactly. */
  exactShare: number;
  /** Mean token agreement over the prompts. */
  meanTokenAgreement: number;
  prompts: number;
}

/** null when nothing was compared. */
export function summarizeAgreement(items: readonly OutputAgreement[]): AgreementSummary | null {
  if (items.length === 0) return null;
  const exact = items.filter((i) => i.exact).length;
  const mean = items.reduce((n, i) => n + i.tokenAgreement, 0) / items.length;
  return { exactShare: exact / items.length, meanTokenAgreement: mean, prompts: items.length };
}
