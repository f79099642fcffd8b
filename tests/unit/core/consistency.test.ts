import { describe, expect, it } from 'vitest';
import { clusterFindings, combineConfidence, spanOverlapF1, type SampleFinding } from '../../../src/core/consistency';

const sf = (sample: number, start: number | null, end: number, extra: Partial<SampleFinding> = {}): SampleFinding => ({
  quote: `q${start}`,
  type: 'conceptual',
  medication: false,
  correction: '',
  reason: '',
  span: start === null ? null : { start, end, exact: true, ambiguous: false, approximate: false, method: 'exact' },
  sample,
  ...extra,
});

describe('clusterFindings', () => {
  it('clusters overlapping spans across samples; support is the share of samples', () => {
    const items = [sf(0, 10, 14), sf(1, 10, 14), sf(2, 11, 16), sf(0, 30, 33), sf(1, null, 0, { quote: '不存在的片段' }), sf(2, null, 0, { quote: '「不存在的片段」' })];
    const clusters = clusterFindings(items, 4);
    expect(clusters).toHaveLength(3);
    const [a, b, c] = clusters;
    expect(a?.representative.span).toMatchObject({ start: 10, end: 14 }); // the most frequent span
    expect(a?.support).toBe(0.75);
    expect(b?.support).toBe(0.25);
    expect(c?.representative.span).toBeNull();
    expect(c?.support).toBe(0.5);
  });

  it('counts a sample once even when it found the span twice', () => {
    const clusters = clusterFindings([sf(0, 5, 9), sf(0, 6, 9)], 2);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.support).toBe(0.5);
  });

  it('takes the majority type and flags medication when any member does', () => {
    const clusters = clusterFindings([sf(0, 0, 4, { type: 'temporal' }), sf(1, 0, 4, { type: 'conceptual', medication: true }), sf(2, 0, 4, { type: 'conceptual' })], 3);
    expect(clusters[0]?.type).toBe('conceptual');
    expect(clusters[0]?.medication).toBe(true);
  });
});

describe('combineConfidence', () => {
  it('K = 1: the reward score alone (or 1 without a scorer)', () => {
    expect(combineConfidence(1, 0.3, 1)).toBeCloseTo(0.3);
    expect(combineConfidence(1, null, 1)).toBe(1);
  });
  it('K = 3: support and reward weigh equally', () => {
    expect(combineConfidence(1 / 3, 0.9, 3)).toBeCloseTo((1 / 3 + 0.9) / 2);
  });
  it('more samples weigh agreement more', () => {
    expect(combineConfidence(0.2, 0.9, 9)).toBeLessThan(combineConfidence(0.2, 0.9, 3));
  });
  it('spanOverlapF1', () => {
    expect(spanOverlapF1({ start: 0, end: 4 }, { start: 2, end: 4 })).toBeCloseTo(2 * 2 / 6);
    expect(spanOverlapF1({ start: 0, end: 2 }, { start: 2, end: 4 })).toBe(0);
  });
});
