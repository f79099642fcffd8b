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

/** Standard normal by Box–Muller. */
function normal(rng: () => number): number {
  let u = rng();
  while (u <= 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape ≥ 1, 1) by Marsaglia–Tsang. */
function gamma(shape: number, rng: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Binomial with small mean: sums geometric waiting times (exact). */
function smallBinomial(n: number, p: number, rng: () => number): number {
  if (p > 0.5) return n - smallBinomial(n, 1 - p, rng);
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

/**
 * Binomial(n, p), exact in distribution: large cases are split with a Beta
 * order statistic (Knuth, TAOCP 3.4.1) until the mean is small.
 */
export function binomial(n: number, p: number, rng: () => number): number {
  let x = 0;
  let nn = n;
  let pp = p;
  while (nn > 0) {
    if (pp <= 0) return x;
    if (pp >= 1) return x + nn;
    if (nn * Math.min(pp, 1 - pp) < 25) return x + smallBinomial(nn, pp, rng);
    const a = 1 + (nn >> 1);
    const b = nn + 1 - a;
    const ga = gamma(a, rng);
    const y = ga / (ga + gamma(b, rng));
    if (y >= pp) {
      nn = a - 1;
      pp = pp / y;
    } else {
      x += a;
      nn = b - 1;
      pp = (pp - y) / (1 - y);
    }
  }
  return x;
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
