/** Small statistics helpers: seeded PRNG, Wilson intervals, quantiles, exact McNemar. */

export interface Interval {
  low: number;
  high: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Mulberry32: tiny, fast, good enough for resampling; the same seed gives the same stream everywhere. */
export function createRng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0 when the denominator is 0 (nothing to measure), as in scikit-learn's zero_division=0. */
export function ratio(num: number, den: number): number {
  return den > 0 ? num / den : 0;
}

export function harmonic(p: number, r: number): number {
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

/** Confusion counts (positive = "has an error") and the rates every VC figure derives from them. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
}

export function confusion(tp: number, fp: number, fn: number, tn: number): Confusion {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { tp, fp, fn, tn, precision, recall, f1: harmonic(precision, recall) };
}

/** 95% Wilson score interval for k successes out of n; [0, 1] when n is 0. */
export function wilson(k: number, n: number): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = Z95 * Z95;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  // Clamp against rounding so the interval always holds the point estimate.
  return { low: Math.max(0, Math.min(p, centre - half)), high: Math.min(1, Math.max(p, centre + half)) };
}

/** Quantile (linear interpolation, type 7) of an ascending-sorted array. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (pos - lo);
}

/** Percentile 95% interval of bootstrap replicates (sorts in place). */
export function percentileInterval(replicates: Float64Array): Interval {
  replicates.sort();
  return { low: quantileSorted(replicates, 0.025), high: quantileSorted(replicates, 0.975) };
}

/**
 * Exact two-sided McNemar test: under H0 the discordant pairs split
 * Binomial(b + c, 1/2); p = min(1, 2·P(X ≤ min(b, c))). Summed in log space
 * so large counts do not underflow.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let logTerm = n * Math.log(0.5); // log C(n,0) 0.5^n
  let logSum = logTerm;
  for (let i = 0; i < k; i++) {
    logTerm += Math.log((n - i) / (i + 1));
    const m = Math.max(logSum, logTerm);
    logSum = m + Math.log(Math.exp(logSum - m) + Math.exp(logTerm - m));
  }
  return Math.min(1, 2 * Math.exp(logSum));
}

/** Binomial with small mean: sums geometric waiting times (exact). */
function smallBinomial(n: number, p: number, rng: () => number): number {
  const logq = Math.log(1 - p);
  let count = 0;
  let sum = 0;
  for (;;) {
    let u = rng();
    while (u <= 0) u = rng();
    sum += Math.floor(Math.log(u) / logq) + 1;
    if (sum > n) return count;
    count++;
  }
}

const LOG_FACTORIAL_SMALL: readonly number[] = (() => {
  const out = [0];
  for (let k = 1; k < 16; k++) out.push((out[k - 1] as number) + Math.log(k));
  return out;
})();

/** ln(k!): a table below 16, Stirling's series above (error < 1e-13 there). */
export function logFactorial(k: number): number {
  if (k < 16) return LOG_FACTORIAL_SMALL[k] as number;
  const k2 = k * k;
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + (1 / 12 - (1 / 360 - 1 / (1260 * k2)) / k2) / k;
}

/**
 * Binomial(n, p) for n·p ≥ 10, p ≤ 1/2: Hörmann's BTRS (transformed
 * rejection with squeeze, 1993; the sampler of TensorFlow and others). Exact
 * in distribution: a candidate is accepted against the ratio of binomial
 * probabilities; about 1.2 pairs of uniforms per draw whatever n is.
 */
function btrs(n: number, p: number, rng: () => number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    if (us <= 0) continue;
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    if (Math.log((v * alpha) / (a / (us * us) + b)) <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

/**
 * Binomial(n, p), exact in distribution: geometric waiting times when the
 * mean is small, BTRS otherwise (constant cost per draw: the bootstrap of
 * 100k items draws ~100k binomials).
 */
export function binomial(n: number, p: number, rng: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, rng);
  return n * p < 10 ? smallBinomial(n, p, rng) : btrs(n, p, rng);
}

/**
 * Counts of a with-replacement resample of `total` items spread over
 * categories of the given sizes: Multinomial(total, size/total), drawn by
 * conditional binomials. Equivalent in distribution to drawing `total` items
 * one by one, at a cost per category instead of per item.
 */
export function multinomialResample(sizes: Int32Array, total: number, out: Int32Array, rng: () => number): void {
  let remaining = total;
  let remainingP = 1;
  const k = sizes.length;
  for (let i = 0; i < k; i++) {
    const p = (sizes[i] as number) / total;
    if (i === k - 1 || remaining === 0) {
      out[i] = i === k - 1 ? remaining : 0;
      if (i === k - 1) break;
      continue;
    }
    const x = binomial(remaining, Math.min(1, p / remainingP), rng);
    out[i] = x;
    remaining -= x;
    remainingP -= p;
  }
}
