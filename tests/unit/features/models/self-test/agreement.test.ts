import { describe, expect, it } from 'vitest';
import { compareOutputs, summarizeAgreement, textUnits } from '../../../../../src/features/models/self-test/agreement';

describe('textUnits', () => {
  it('gives one unit per Chinese character and punctuation mark, one per Latin word or number', () => {
    expect(textUnits('每次0.5克，amoxicillin 250mg')).toEqual(['每', '次', '0', '.', '5', '克', '，', 'amoxicillin', ' ', '250', 'mg']);
  });

  it('keeps surrogate pairs whole and loses no text', () => {
    const text = '𠮷野家 {"a":1}\n\n好';
    const units = textUnits(text);
    expect(units[0]).toBe('𠮷');
    expect(units.join('')).toBe(text);
  });

  it('is empty for empty text', () => {
    expect(textUnits('')).toEqual([]);
  });
});

describe('compareOutputs', () => {
  it('reports identical outputs as an exact, 100% match', () => {
    expect(compareOutputs('{"has_error":false}', '{"has_error":false}')).toEqual({
      exact: true,
      tokenAgreement: 1,
      firstDivergence: null,
      unitsA: 9,
      unitsB: 9,
    });
  });

  it('counts agreeing positions over the longer output and names the first divergence', () => {
    // 每 次 5 克 vs 每 次 0 . 5 克: positions 0,1 agree; 6 units in the longer.
    const r = compareOutputs('每次5克', '每次0.5克');
    expect(r.exact).toBe(false);
    expect(r.firstDivergence).toBe(2);
    expect(r.tokenAgreement).toBeCloseTo(2 / 6, 10);
  });

  it('treats a truncated output as partly agreeing', () => {
    const r = compareOutputs('阿莫西林', '阿莫西林胶囊');
    expect(r.tokenAgreement).toBeCloseTo(4 / 6, 10);
    expect(r.firstDivergence).toBe(4);
  });

  it('scores two empty outputs as agreeing and one empty as not', () => {
    expect(compareOutputs('', '')).toMatchObject({ exact: true, tokenAgreement: 1 });
    expect(compareOutputs('', '是')).toMatchObject({ exact: false, tokenAgreement: 0, firstDivergence: 0 });
  });

  it('is symmetric', () => {
    const a = compareOutputs('乙肝病毒是DNA病毒', '乙肝病毒是RNA病毒');
    const b = compareOutputs('乙肝病毒是RNA病毒', '乙肝病毒是DNA病毒');
    expect(a.tokenAgreement).toBe(b.tokenAgreement);
    expect(a.firstDivergence).toBe(5);
  });
});

describe('summarizeAgreement', () => {
  it('gives the share of exact prompts and the mean token agreement', () => {
    const s = summarizeAgreement([compareOutputs('a', 'a'), compareOutputs('每次', '每天'), compareOutputs('x', 'x')]);
    expect(s).toEqual({ exactShare: 2 / 3, meanTokenAgreement: (1 + 0.5 + 1) / 3, prompts: 3 });
  });

  it('is null when nothing was compared', () => {
    expect(summarizeAgreement([])).toBeNull();
  });
});
