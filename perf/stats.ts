/** Small order statistics for timing samples. */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Rounds for display and JSON (keeps 3 significant decimals for small numbers). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A small seeded generator (mulberry32): bootstrap intervals repeat exactly for the same samples. */
export function rng32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile bootstrap interval of a statistic (default: the median). With
 * fewer than 3 samples the interval is the sample range: honest about how
 * little is known, and wide enough that the decision is usually "undecided".
 */
export function bootstrapInterval(
  values: readonly number[],
  options: { level?: number; resamples?: number; seed?: number; statistic?: (v: readonly number[]) => number } = {},
): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  if (n < 3) return [Math.min(...values), Math.max(...values)];
  const { level = 0.95, resamples = 2000, seed = 1, statistic = median } = options;
  const rand = rng32(seed);
  const stats: number[] = new Array<number>(resamples);
  const sample: number[] = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(rand() * n)] as number;
    stats[r] = statistic(sample);
  }
  const alpha = (1 - level) / 2;
  return [quantile(stats, alpha), quantile(stats, 1 - alpha)];
}

/** Median, quartiles and a 95% bootstrap interval of the median. */
export interface Summary {
  n: number;
  median: number;
  q1: number;
  q3: number;
  /** 95% bootstrap interval of the median (what a decision rests on). */
  ci: [number, number];
}

export function summarize(values: readonly number[], statistic: (v: readonly number[]) => number = median): Summary {
  return {
    n: values.length,
    median: statistic(values),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    ci: bootstrapInterval(values, { statistic }),
  };
}

export type Op = '<=' | '<' | '>=' | '>';

export function satisfies(value: number, op: Op, limit: number): boolean {
  return op === '<=' ? value <= limit : op === '<' ? value < limit : op === '>=' ? value >= limit : value > limit;
}

/**
 * Pass when the whole interval of the median meets the target, fail when the
 * whole interval misses it, otherwise undecided: the spread does not allow a
 * decision (measure more, or on a quieter machine).
 */
export function decide(interval: readonly [number, number], op: Op, limit: number): 'pass' | 'fail' | 'undecided' {
  const [lo, hi] = interval;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'fail';
  const a = satisfies(lo, op, limit);
  const b = satisfies(hi, op, limit);
  return a && b ? 'pass' : !a && !b ? 'fail' : 'undecided';
}

/**
 * Two-sided p-value of a standard normal z (2·(1 − Φ(|z|))), by Abramowitz and
 * Stegun 7.1.26 for erfc (absolute error below 1.5e-7: ample for tests at
 * the 5 % level, even divided over a hundred rows).
 */
export function twoSidedP(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  if (!Number.isFinite(x)) return Number.isNaN(x) ? Number.NaN : 0;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.min(1, poly * Math.exp(-x * x));
}

/**
 * Holm's step-down procedure: which of the p-values are significant with a
 * family-wise error rate of `alpha` (under any dependence between them).
 * Returns one boolean per p-value, in the order given.
 */
export function holm(pValues: readonly number[], alpha = 0.05): boolean[] {
  const order = pValues.map((p, i) => ({ p: Number.isNaN(p) ? 1 : p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<boolean>(pValues.length).fill(false);
  const m = order.length;
  for (let k = 0; k < m; k++) {
    const { p, i } = order[k] as { p: number; i: number };
    if (p > alpha / (m - k)) break;
    out[i] = true;
  }
  return out;
}
