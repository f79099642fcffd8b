import { describe, expect, it } from 'vitest';
import { applyThreshold, thresholdView } from '../../../src/core/threshold';
import { findingAt, makeResult } from '../../kit/check-records';

const TEXT = '对乙酰氨基酚成人每次10g。华法林过量可注射鱼精蛋白。';

describe('the one threshold rule', () => {
  const model = findingAt(TEXT, '鱼精蛋白', { id: 'm', confidence: 0.6 });
  // A formulary rule finding is deterministic: no threshold hides it (its confidence is never read).
  const rule = findingAt(TEXT, '10g', { id: 'r', confidence: 0.2, source: 'rule', severity: 'critical', medication: true });

  it('keeps rule findings at any threshold and recomputes the verdict from what is kept', () => {
    const result = makeResult([model, rule], { threshold: 0.5 });
    const strict = applyThreshold(result, 0.9);
    expect(strict.findings.map((f) => [f.id, f.kept])).toEqual([
      ['m', false],
      ['r', true],
    ]);
    expect(strict.verdict).toBe('has_error');
    expect(strict.threshold).toBe(0.9);
    const modelOnly = applyThreshold(makeResult([model]), 0.9);
    expect(modelOnly.verdict).toBe('no_error');
    expect(applyThreshold(modelOnly, 0.5).verdict).toBe('has_error');
  });

  it('groups findings into shown, dismissed and below the threshold in one pass', () => {
    const view = thresholdView(makeResult([model, rule, findingAt(TEXT, '华法林', { id: 'd', confidence: 0.95 })]), 0.7, ['d']);
    expect(view.shown.map((f) => f.id)).toEqual(['r']);
    expect(view.belowThreshold.map((f) => f.id)).toEqual(['m']);
    expect(view.dismissed.map((f) => f.id)).toEqual(['d']);
    expect(view.result.verdict).toBe('has_error');
  });

  it('clamps the threshold and returns the same result when nothing changes', () => {
    const result = makeResult([model], { threshold: 0.5 });
    expect(applyThreshold(result, 0.5)).toBe(result);
    expect(applyThreshold(result, 7).threshold).toBe(1);
    expect(applyThreshold(result, Number.NaN).threshold).toBe(0.5);
  });
});
