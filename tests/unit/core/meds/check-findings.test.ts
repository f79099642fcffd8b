import { beforeAll, describe, expect, it } from 'vitest';
import { applyThreshold, type CheckResult, type Finding } from '../../../../src/core/check';
import { checkMedications, mergeRuleFindings, rulesOnlyResult, RULES_ONLY_VERIFIER, type FormularyRow } from '../../../../src/core/meds';
import { fixtureFormulary } from './eval-helpers';

let rows: FormularyRow[];
beforeAll(async () => {
  rows = await fixtureFormulary();
});

const TEXT = '出院带药：对乙酰氨基酚片，口服，成人一次10g，一日3次。血压偏高。';

function modelFinding(quote: string, reason: string, confidence: number): Finding {
  const start = TEXT.indexOf(quote);
  return {
    id: `m-${quote}`,
    quote,
    type: 'conceptual',
    medication: false,
    correction: '',
    reason,
    span: { start, end: start + quote.length, exact: true, ambiguous: false, approximate: false },
    support: 1,
    rewardScore: confidence,
    confidence,
    severity: 'normal',
    kept: true,
  };
}

function modelResult(findings: Finding[]): CheckResult {
  const r = rulesOnlyResult(TEXT, [], {}, 0);
  return { ...r, findings, verdict: 'no_error', verifierVerdict: 'no_error', models: { verifier: 'm', reward: 'r' }, formulary: undefined };
}

describe('rule findings in the checker', () => {
  it('rules alone: a critical medication finding on exactly the dose, marked as a rule finding', () => {
    const r = rulesOnlyResult(TEXT, checkMedications(TEXT, rows), { threshold: 0.5 }, 1, 'abc');
    expect(r.models.verifier).toBe(RULES_ONLY_VERIFIER);
    expect(r.formulary).toMatchObject({ applied: true, rulesOnly: true, hash: 'abc', findings: 1 });
    expect(r.verdict).toBe('has_error');
    const [f] = r.findings;
    expect(f).toMatchObject({ quote: '10g', source: 'rule', medication: true, severity: 'critical', kept: true, rule: { name: 'max_single', drug: '对乙酰氨基酚', limit: '1 g' } });
    expect(TEXT.slice(f?.span?.start, f?.span?.end)).toBe('10g');
  });

  it('are never removed by the reward threshold', () => {
    const merged = mergeRuleFindings(modelResult([modelFinding('血压偏高', 'x', 0.3)]), checkMedications(TEXT, rows));
    const strict = applyThreshold(merged, 0.99);
    expect(strict.findings.filter((f) => f.kept).map((f) => f.quote)).toEqual(['10g']);
    expect(strict.verdict).toBe('has_error');
  });

  it('merge with overlapping model findings, keeping both reasons; other model findings stay', () => {
    const merged = mergeRuleFindings(
      modelResult([modelFinding('一次10g', '模型认为剂量过大', 0.9), modelFinding('血压偏高', '另一条', 0.8)]),
      checkMedications(TEXT, rows),
      'hash1',
    );
    expect(merged.findings.map((f) => [f.quote, f.source ?? 'model'])).toEqual([
      ['10g', 'rule'],
      ['血压偏高', 'model'],
    ]);
    expect(merged.findings[0]?.reason).toContain('超过本院处方集单次最大剂量');
    expect(merged.findings[0]?.reason).toContain('模型认为剂量过大');
    expect(merged.findings[0]?.mergedModelFindingId).toBe('m-一次10g');
    expect(merged.formulary).toMatchObject({ applied: true, hash: 'hash1' });
    expect(merged.verdict).toBe('has_error');
  });

  it('with nothing to flag the model result is unchanged apart from the formulary note', () => {
    const base = modelResult([modelFinding('血压偏高', 'x', 0.8)]);
    const merged = mergeRuleFindings(base, []);
    expect(merged.findings).toEqual(base.findings);
    expect(merged.verdict).toBe(base.verdict);
  });
});
