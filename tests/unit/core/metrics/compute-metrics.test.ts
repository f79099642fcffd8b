import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DatasetItem } from '../../../../src/core/dataset/types';
import type { Prediction } from '../../../../src/core/predictions';
import { binomial, createRng, logFactorial, mcnemarExact, wilson } from '../../../../src/core/metrics/stats-utils';
import { compareRuns } from '../../../../src/core/metrics/compare-runs';
import { computeMetrics } from '../../../../src/core/metrics/compute-metrics';
import { matchSpans } from '../../../../src/core/metrics/span-match';
import { metricsToCsv } from '../../../../src/core/metrics/report-writers';
import { sweepThresholds } from '../../../../src/core/metrics/threshold-sweep';

const T = '0123456789abcdefghij'; // 20 characters

function item(id: string, hasError: boolean, gold?: [number, number], extra: Partial<DatasetItem> = {}): DatasetItem {
  return {
    id,
    text: T,
    hasError,
    gold: gold ? [{ start: gold[0], end: gold[1], text: T.slice(gold[0], gold[1]), placed: true, approximate: false }] : [],
    unit: 'span',
    ...extra,
  };
}
function pred(id: string, hasError: boolean, spans: [number, number][] = [], score?: number): Prediction {
  return { id, hasError, spans: spans.map(([start, end]) => ({ start, end, text: T.slice(start, end) })), ...(score === undefined ? {} : { score }) };
}

/*
 * Hand-computed case (criterion 'span').
 *  e1 gold [2,6)  pred flagged [2,6)          → TP; overlap F1 1        → matched
 *  e2 gold [2,6)  pred flagged [4,10)         → TP; overlap 2, F1 = 4/10 = 0.4 < 0.5 → not matched, spurious
 *  e3 gold [10,14) pred flagged [10,12),[0,2) → TP; [10,12) F1 = 4/6 ≥ 0.5 → matched; [0,2) spurious
 *  e4 gold [0,4)  pred not flagged             → FN
 *  e5 gold [0,4)  no prediction (missing)      → FN
 *  c1 correct, flagged with [0,3)              → FP; span spurious
 *  c2 correct, not flagged                      → TN
 *  c3 correct, not flagged                      → TN
 * VC: TP 3, FP 1, FN 2, TN 2 → P 3/4, R 3/5, F1 = 2·.75·.6/1.35 = 2/3, acc 5/8, over-criticism 1/3.
 * EL: predicted spans 1+1+2+1 = 5, matched 2 → P 2/5; gold 5, matched 2 → R 2/5; F1 0.4.
 *     text rate 2/5 (e1, e3); spurious 3 over 8 texts = 0.375.
 */
const items = [item('e1', true, [2, 6]), item('e2', true, [2, 6]), item('e3', true, [10, 14]), item('e4', true, [0, 4]), item('e5', true, [0, 4]), item('c1', false), item('c2', false), item('c3', false)];
const preds = [pred('e1', true, [[2, 6]]), pred('e2', true, [[4, 10]]), pred('e3', true, [[10, 12], [0, 2]]), pred('e4', false), pred('c1', true, [[0, 3]]), pred('c2', false), pred('c3', false), pred('ghost', true)];

describe('computeMetrics', () => {
  it('matches a hand-computed case', () => {
    const m = computeMetrics(items, preds, { criterion: 'span' });
    expect(m.n).toBe(8);
    expect(m.missing).toBe(1);
    expect(m.unknown_predictions).toBe(1);
    expect(m.vc).toMatchObject({ tp: 3, fp: 1, fn: 2, tn: 2 });
    expect(m.vc.precision).toBeCloseTo(0.75, 12);
    expect(m.vc.recall).toBeCloseTo(0.6, 12);
    expect(m.vc.f1).toBeCloseTo(2 / 3, 12);
    expect(m.vc.accuracy).toBeCloseTo(5 / 8, 12);
    expect(m.vc.over_criticism).toBeCloseTo(1 / 3, 12);
    expect(m.el).toMatchObject({ predicted: 5, matched_pred: 2, gold: 5, matched_gold: 2, texts: 5, localized_texts: 2, spurious: 3 });
    expect(m.el.precision).toBeCloseTo(0.4, 12);
    expect(m.el.recall).toBeCloseTo(0.4, 12);
    expect(m.el.f1).toBeCloseTo(0.4, 12);
    expect(m.el.text_rate).toBeCloseTo(0.4, 12);
    expect(m.el.spurious_per_text).toBeCloseTo(0.375, 12);
  });

  it('uses the sentence criterion: half of the predicted span inside the gold sentence', () => {
    // gold sentence [0,10); pred [5,15) has 5 of 10 inside → match; pred [6,16) has 4 of 10 → no match
    const gold = [{ start: 0, end: 10 }];
    expect(matchSpans(gold, [{ start: 5, end: 15 }], 'sentence')).toBe(1);
    expect(matchSpans(gold, [{ start: 6, end: 16 }], 'sentence')).toBe(0);
    // a short span inside a long sentence matches by sentence but not by span overlap F1
    expect(matchSpans(gold, [{ start: 2, end: 4 }], 'sentence')).toBe(1);
    expect(matchSpans(gold, [{ start: 2, end: 4 }], 'span')).toBe(0);
  });

  it('lets each gold error be matched by at most one predicted span', () => {
    const gold = [{ start: 0, end: 4 }];
    expect(matchSpans(gold, [{ start: 0, end: 4 }, { start: 0, end: 4 }], 'span')).toBe(1);
    const m = computeMetrics([item('x', true, [0, 4])], [pred('x', true, [[0, 4], [0, 4]])]);
    expect(m.el).toMatchObject({ predicted: 2, matched_pred: 1, matched_gold: 1, spurious: 1 });
  });

  it('places text-only predicted spans with alignQuote', () => {
    const m = computeMetrics([item('x', true, [2, 6])], [{ id: 'x', hasError: true, spans: [{ start: -1, end: -1, text: '2345' }] }]);
    expect(m.el.matched_gold).toBe(1);
  });

  it('leaves texts with unplaced gold out of EL but keeps them in VC', () => {
    const unplaced: DatasetItem = { ...item('u', true), gold: [{ start: -1, end: -1, text: 'zz', placed: false, approximate: false }] };
    const m = computeMetrics([unplaced, item('e', true, [0, 4])], [pred('u', true, [[0, 2]]), pred('e', true, [[0, 4]])]);
    expect(m.vc.tp).toBe(2);
    expect(m.el).toMatchObject({ excluded: 1, gold: 1, predicted: 1, matched_gold: 1 });
  });

  it('gives 1 for perfect predictions and an over-criticism of 1 when everything is flagged', () => {
    const perfect = items.map((it) => pred(it.id, it.hasError, it.gold.map((g) => [g.start, g.end] as [number, number])));
    const m = computeMetrics(items, perfect);
    expect([m.vc.precision, m.vc.recall, m.vc.f1, m.vc.accuracy, m.el.precision, m.el.recall, m.el.f1, m.el.text_rate]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(m.vc.over_criticism).toBe(0);
    expect(m.vc.intervals.f1).toEqual({ low: 1, high: 1 });
    const all = computeMetrics(items, items.map((it) => pred(it.id, true)));
    expect(all.vc.over_criticism).toBe(1);
    expect(all.vc.recall).toBe(1);
  });

  it('breaks down by error type, specialty, style and difficulty', () => {
    const labelled = items.map((it, i) => ({ ...it, errorType: it.hasError ? (i % 2 ? 'temporal' : 'conceptual') : undefined, specialty: i < 4 ? 'surgery' : 'obgyn', style: 'news', difficulty: 1 + (i % 2) }));
    const m = computeMetrics(labelled, preds);
    expect(Object.keys(m.by.error_type).sort()).toEqual(['conceptual', 'temporal']);
    expect(m.by.error_type.conceptual!.n + m.by.error_type.temporal!.n).toBe(5);
    expect(m.by.specialty.surgery!.n).toBe(4);
    expect(m.by.specialty.obgyn!.vc).toMatchObject({ tp: 0, fp: 1, fn: 1, tn: 2 });
    expect(m.by.style.news!.vc.f1).toBeCloseTo(m.vc.f1, 12);
    expect(m.by.difficulty['1']!.n + m.by.difficulty['2']!.n).toBe(8);
    expect(m.by.specialty.obgyn!.el.f1).toBeDefined();
  });

  it('gives bootstrap intervals that are deterministic under the seed and contain the point estimate', () => {
    const big: DatasetItem[] = [];
    const bp: Prediction[] = [];
    const rng = createRng(7);
    for (let i = 0; i < 500; i++) {
      const e = rng() < 0.5;
      big.push(item(`i${i}`, e, e ? [2, 6] : undefined));
      bp.push(pred(`i${i}`, rng() < (e ? 0.7 : 0.3), rng() < 0.6 ? [[2, 6]] : [[12, 18]]));
    }
    const a = computeMetrics(big, bp, { seed: 1 });
    const b = computeMetrics(big, bp, { seed: 1 });
    const c = computeMetrics(big, bp, { seed: 2 });
    expect(a.vc.intervals.f1).toEqual(b.vc.intervals.f1);
    expect(a.el.intervals.f1).toEqual(b.el.intervals.f1);
    expect(a.vc.intervals.f1).not.toEqual(c.vc.intervals.f1);
    expect(a.vc.intervals.f1!.low).toBeLessThan(a.vc.f1);
    expect(a.vc.intervals.f1!.high).toBeGreaterThan(a.vc.f1);
    expect(a.el.intervals.f1!.low).toBeLessThan(a.el.f1);
    expect(a.el.intervals.f1!.high).toBeGreaterThan(a.el.f1);
    // a 95% interval of F1 over 500 items is a few points wide, not degenerate
    expect(a.vc.intervals.f1!.high - a.vc.intervals.f1!.low).toBeGreaterThan(0.03);
    expect(a.vc.intervals.f1!.high - a.vc.intervals.f1!.low).toBeLessThan(0.2);
  });

  it('scores 100,000 items (no timing assertion)', () => {
    const n = 100_000;
    const big: DatasetItem[] = [];
    const bp: Prediction[] = [];
    for (let i = 0; i < n; i++) {
      const e = i % 2 === 0;
      big.push(item(`i${i}`, e, e ? [2, 6] : undefined, { specialty: i % 3 ? 'surgery' : 'tcm', difficulty: 1 + (i % 5) }));
      bp.push(pred(`i${i}`, i % 3 !== 0, [[2, 6]]));
    }
    const m = computeMetrics(big, bp);
    expect(m.n).toBe(n);
    expect(m.vc.tp + m.vc.fp + m.vc.fn + m.vc.tn).toBe(n);
    expect(m.by.difficulty['3']!.n).toBe(20_000);
  });
});

describe('statistics helpers', () => {
  it('Wilson interval contains the estimate and matches a known value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const k = Math.round(share * n);
        const w = wilson(k, n);
        return w.low <= k / n && k / n <= w.high && w.low >= 0 && w.high <= 1;
      }),
    );
    // 8 of 10: Wilson 95% = [0.4902, 0.9433]
    const w = wilson(8, 10);
    expect(w.low).toBeCloseTo(0.4902, 3);
    expect(w.high).toBeCloseTo(0.9433, 3);
  });

  it('exact McNemar p-values', () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    // b=1, c=9: p = 2·(1 + 10)/1024 = 0.021484375
    expect(mcnemarExact(1, 9)).toBeCloseTo(0.021484375, 12);
    expect(mcnemarExact(9, 1)).toBeCloseTo(0.021484375, 12);
    expect(mcnemarExact(5, 5)).toBe(1);
    expect(mcnemarExact(0, 2000)).toBeLessThan(1e-300 + 1e-100);
  });

  it('binomial sampler has the right mean and variance', () => {
    const rng = createRng(3);
    for (const [n, p] of [
      [100_000, 0.3],
      [40, 0.2],
      [1000, 0.97],
    ] as const) {
      let sum = 0;
      let sq = 0;
      const reps = 4000;
      for (let i = 0; i < reps; i++) {
        const x = binomial(n, p, rng);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(n);
        sum += x;
        sq += x * x;
      }
      const mean = sum / reps;
      const variance = sq / reps - mean * mean;
      expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt((n * p * (1 - p)) / reps));
      expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.9);
      expect(variance / (n * p * (1 - p))).toBeLessThan(1.1);
    }
  });

  it('binomial sampler follows the exact binomial distribution (chi-square over the bins), small and large means', () => {
    for (const [n, p] of [
      [30, 0.4],
      [100_000, 0.01],
      [100_000, 0.45],
      [1000, 0.97],
    ] as const) {
      const rng = createRng(7);
      const reps = 20_000;
      const hist = new Map<number, number>();
      for (let i = 0; i < reps; i++) {
        const x = binomial(n, p, rng);
        hist.set(x, (hist.get(x) ?? 0) + 1);
      }
      let chi = 0;
      let bins = 0;
      let restExpected = 0;
      let restObserved = 0;
      for (let k = 0; k <= n; k++) {
        const expected = reps * Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log(1 - p));
        const observed = hist.get(k) ?? 0;
        if (expected >= 5) {
          chi += (observed - expected) ** 2 / expected;
          bins++;
        } else {
          restExpected += expected;
          restObserved += observed;
        }
      }
      chi += restExpected > 0 ? (restObserved - restExpected) ** 2 / restExpected : 0;
      const df = bins; // bins + the pooled tail − 1
      // 4 standard deviations of the chi-square statistic: a wrong sampler lands far outside.
      expect(Math.abs(chi - df) / Math.sqrt(2 * df)).toBeLessThan(4);
    }
  });

  it('logFactorial matches the summed logarithms', () => {
    let sum = 0;
    for (let k = 1; k <= 500; k++) {
      sum += Math.log(k);
      expect(logFactorial(k)).toBeCloseTo(sum, 9);
    }
  });
});

describe('threshold sweep', () => {
  it('computes precision, recall and over-criticism per threshold and the threshold meeting a target', () => {
    // e1 .9, e2 .6, e3 .3 (flagged); c1 .8, c2 .4 (flagged), c3 not flagged
    const its = [item('e1', true, [0, 2]), item('e2', true, [0, 2]), item('e3', true, [0, 2]), item('c1', false), item('c2', false), item('c3', false)];
    const ps = [pred('e1', true, [], 0.9), pred('e2', true, [], 0.6), pred('e3', true, [], 0.3), pred('c1', true, [], 0.8), pred('c2', true, [], 0.4), pred('c3', false)];
    const s = sweepThresholds(its, ps, { target: 1 / 3 });
    const at = (t: number) => s.points.find((p) => p.threshold === t)!;
    expect(at(0.9)).toMatchObject({ tp: 1, fp: 0 });
    expect(at(0.6)).toMatchObject({ tp: 2, fp: 1 });
    expect(at(0.6).over_criticism).toBeCloseTo(1 / 3, 12);
    expect(at(0.3)).toMatchObject({ tp: 3, fp: 2 });
    // lowest threshold with over-criticism ≤ 1/3 is 0.6 (0.4 would flag c2 too)
    expect(s.at_target?.threshold).toBe(0.6);
    expect(s.at_target?.recall).toBeCloseTo(2 / 3, 12);
  });
});

describe('compareRuns', () => {
  it('reports differences, McNemar and a paired bootstrap over shared items, and the flipped items', () => {
    const a = preds; // hand case above: VC correct on e1 e2 e3 c2 c3
    const b = items.map((it) => pred(it.id, it.hasError, it.gold.map((g) => [g.start, g.end] as [number, number]))); // perfect
    const cmp = compareRuns({ items, predictions: a }, { items, predictions: b });
    expect(cmp.n_shared).toBe(8);
    expect(cmp.diff.vc_f1).toBeCloseTo(1 - 2 / 3, 12);
    expect(cmp.mcnemar).toMatchObject({ a_right_b_wrong: 0, a_wrong_b_right: 3 });
    expect(cmp.mcnemar.p_value).toBeCloseTo(0.25, 12); // 2·(1/2)^3
    expect(cmp.flipped.map((f) => f.id).sort()).toEqual(['c1', 'e4', 'e5']);
    expect(cmp.bootstrap.vc_f1.interval.low).toBeGreaterThanOrEqual(0);
    expect(cmp.bootstrap.vc_f1.interval.high).toBeGreaterThan(cmp.bootstrap.vc_f1.interval.low);
    const same = compareRuns({ items, predictions: a }, { items, predictions: a });
    expect(same.bootstrap.vc_f1).toMatchObject({ diff: 0, interval: { low: 0, high: 0 }, p_value: 1 });
    expect(same.flipped).toEqual([]);
  });
});

describe('metrics CSV summary', () => {
  it('writes one overall row and one row per breakdown group', () => {
    const labelled = items.map((it) => ({ ...it, style: 'qa' }));
    const csv = metricsToCsv(computeMetrics(labelled, preds)).trim().split('\n');
    expect(csv[0]!.startsWith('scope,group,n,missing,tp,fp,fn,tn,vc_precision')).toBe(true);
    expect(csv[1]!.startsWith('overall,,8,1,3,1,2,2,0.750000')).toBe(true);
    expect(csv[2]!.startsWith('style,qa,8,')).toBe(true);
  });
});
