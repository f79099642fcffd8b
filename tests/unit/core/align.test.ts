import { describe, expect, it } from 'vitest';
import { alignFindings, alignQuote, mergeLocated, snapToCodePoints, trimQuote } from '../../../src/core/align';
import type { RawFinding } from '../../../src/core/parse';

function place(text: string, quote: string, hint?: string) {
  const r = alignQuote(text, quote, hint);
  return r ? { ...r, slice: text.slice(r.start, r.end) } : null;
}

const finding = (quote: string, extra: Partial<RawFinding> = {}): RawFinding => ({ quote, type: 'conceptual', medication: false, correction: '', reason: '', ...extra });

describe('alignQuote: exact', () => {
  it('finds a verbatim fragment', () => {
    const text = '乙型肝炎病毒属于RNA病毒，主要经血液传播。';
    const r = place(text, 'RNA病毒');
    expect(r).toMatchObject({ slice: 'RNA病毒', exact: true, ambiguous: false, approximate: false, method: 'exact' });
  });

  it('gives UTF-16 offsets that stay right after emoji (surrogate pairs)', () => {
    const text = '😷👍患者服用阿莫西林😀后出现皮疹。';
    const r = place(text, '阿莫西林😀');
    expect(r?.slice).toBe('阿莫西林😀');
    expect(r?.start).toBe(8);
  });

  it('works in mixed Chinese/English text with HTML tags, as plain text', () => {
    const text = '<p>HbA1c 目标值 <b>&lt;7%</b>，metformin 为一线用药。</p>';
    expect(place(text, '<b>&lt;7%</b>')?.slice).toBe('<b>&lt;7%</b>');
    expect(place(text, 'metformin 为一线用药')?.slice).toBe('metformin 为一线用药');
  });
});

describe('alignQuote: normalised', () => {
  const cases: [string, string, string, string][] = [
    ['full-width digits and letters in the text', '予阿司匹林１００ｍｇ口服。', '阿司匹林100mg', '阿司匹林１００ｍｇ'],
    ['full-width letters in the quote', '血红蛋白HbA1c升高', 'ＨｂＡ１ｃ升高', 'HbA1c升高'],
    ['half-width comma for a Chinese comma', '每日3次，每次2片，饭后服用。', '每日3次,每次2片', '每日3次，每次2片'],
    ['Chinese full stop written as a dot', '剂量为4克。随后复查。', '4克.随后', '4克。随后'],
    ['line breaks dropped by the model', '胸痛伴\n呼吸困难\n3天', '胸痛伴呼吸困难3天', '胸痛伴\n呼吸困难\n3天'],
    ['spaces added by the model', '收缩压≥140mmHg', '收缩压 ≥ 140 mmHg', '收缩压≥140mmHg'],
    ['ideographic space', '诊断：\u3000高血压', '诊断：高血压', '诊断：\u3000高血压'],
    ['Chinese quote marks for Western ones', '俗称“富贵病”的痛风', '俗称"富贵病"的痛风', '俗称“富贵病”的痛风'],
    ['corner brackets for curly quotes', '所谓「三高」指高血压', '所谓“三高”指', '所谓「三高」指'],
    ['three dots for an ellipsis', '症状包括发热、咳嗽…等', '咳嗽...等', '咳嗽…等'],
    ['ellipsis for three dots', '症状包括发热、咳嗽...等', '咳嗽…等', '咳嗽...等'],
    ['letter case', '糖化血红蛋白HbA1c', 'hba1c', 'HbA1c'],
    ['dash variants', '血压波动于120—140之间', '120-140', '120—140'],
  ];
  for (const [name, text, quote, expected] of cases) {
    it(name, () => {
      const r = place(text, quote);
      expect(r?.slice).toBe(expected);
      expect(r?.exact).toBe(false);
      expect(r?.approximate).toBe(false);
      expect(r?.method).toBe('normalized');
    });
  }

  it('strips wrapping quote marks and ellipses the model added', () => {
    const text = '阿莫西林属于头孢菌素类抗生素。';
    const r = place(text, '「头孢菌素类」');
    expect(r?.slice).toBe('头孢菌素类');
    expect(r?.exact).toBe(false);
    expect(place(text, '……头孢菌素类抗生素')?.slice).toBe('头孢菌素类抗生素');
    expect(trimQuote('“…abc…”')).toBe('abc');
  });
});

describe('alignQuote: fuzzy (bounded)', () => {
  const text = '阿司匹林可用于儿童病毒感染引起的发热，布洛芬也很常用。';

  it('finds a quote with one wrong character and marks it approximate', () => {
    const r = place(text, '阿斯匹林可用于儿童病毒感染');
    expect(r?.slice).toBe('阿司匹林可用于儿童病毒感染');
    expect(r).toMatchObject({ exact: false, approximate: true, method: 'fuzzy', ambiguous: false });
  });

  it('finds a quote with a dropped character', () => {
    expect(place(text, '阿司匹林用于儿童病毒感染')?.slice).toBe('阿司匹林可用于儿童病毒感染');
  });

  it('refuses quotes that differ by more than a fifth', () => {
    expect(place(text, '阿斯匹灵能用于小儿病毒感染')).toBeNull();
  });

  it('never fuzzy-matches short quotes', () => {
    expect(place(text, '阿斯匹林')).toBeNull();
  });

  it('refuses a fuzzy match when two windows are equally good and nothing decides', () => {
    const t = '患者甲服用甲硝唑片后好转。患者乙服用甲硝唑片后好转。';
    expect(place(t, '患者丙服用甲硝唑片后好转')).toBeNull();
  });
});

describe('alignQuote: repeated fragments', () => {
  const text = '阿司匹林可用于成人退热。阿司匹林可用于儿童退热。';

  it('uses the hint to pick the right occurrence', () => {
    const r = place(text, '阿司匹林', '儿童退热应选用对乙酰氨基酚');
    expect(r?.slice).toBe('阿司匹林');
    expect(r?.start).toBe(12);
    expect(r?.ambiguous).toBe(false);
  });

  it('falls back to the first place, marked ambiguous', () => {
    const r = place(text, '阿司匹林');
    expect(r?.start).toBe(0);
    expect(r?.slice).toBe('阿司匹林');
    expect(r?.ambiguous).toBe(true);
  });

  it('stays ambiguous when the hint fits both places equally', () => {
    const r = place(text, '阿司匹林', '可用于');
    expect(r?.ambiguous).toBe(true);
    expect(r?.start).toBe(0);
  });
});

describe('alignQuote: not found', () => {
  it('returns null rather than a wrong place', () => {
    expect(alignQuote('高血压患者应低盐饮食。', '糖尿病患者应戒烟限酒')).toBeNull();
    expect(alignQuote('高血压患者应低盐饮食。', '')).toBeNull();
    expect(alignQuote('', '高血压')).toBeNull();
    expect(alignQuote('高血压患者应低盐饮食。', '  ')).toBeNull();
  });
});

describe('surrogate pairs', () => {
  it('never splits an emoji', () => {
    const text = 'a😀b';
    expect(snapToCodePoints(text, 2, 3)).toEqual({ start: 1, end: 3 });
    expect(snapToCodePoints(text, 0, 2)).toEqual({ start: 0, end: 3 });
  });

  it('a normalised match around emoji keeps whole code points', () => {
    const text = '服药后😀 皮疹😀消退';
    const r = place(text, '😀皮疹😀');
    expect(r?.slice).toBe('😀 皮疹😀');
  });
});

describe('alignFindings', () => {
  const text = '乙型肝炎病毒属于RNA病毒。对乙酰氨基酚成人每日最大剂量不超过10克。';

  it('locates what it can and keeps the rest unlocated', () => {
    const res = alignFindings(text, [finding('RNA病毒', { correction: 'DNA病毒' }), finding('青霉素过敏'), finding('10克', { medication: true })]);
    expect(res.located.map((l) => text.slice(l.span.start, l.span.end))).toEqual(['RNA病毒', '10克']);
    expect(res.unlocated.map((u) => u.quote)).toEqual(['青霉素过敏']);
    expect(res.unlocated[0]?.source).toBe(1);
  });

  it('merges duplicate and overlapping spans', () => {
    const res = alignFindings(text, [finding('RNA病毒'), finding('RNA病毒'), finding('属于RNA'), finding('10克')]);
    expect(res.located).toHaveLength(2);
    const first = res.located[0];
    expect(first && text.slice(first.span.start, first.span.end)).toBe('属于RNA病毒');
    expect(first?.sources.sort()).toEqual([0, 1, 2]);
    expect(first?.span.exact).toBe(false);
  });

  it('keeps a merged duplicate exact', () => {
    const res = alignFindings(text, [finding('RNA病毒'), finding('RNA病毒')]);
    expect(res.located).toHaveLength(1);
    expect(res.located[0]?.span.exact).toBe(true);
  });

  it('mergeLocated leaves touching but not overlapping spans apart', () => {
    const t = 'abcdef';
    const mk = (start: number, end: number) => ({ ...finding(t.slice(start, end)), span: { start, end, exact: true, ambiguous: false, approximate: false, method: 'exact' as const }, sources: [start] });
    expect(mergeLocated(t, [mk(0, 2), mk(2, 4)])).toHaveLength(2);
    expect(mergeLocated(t, [mk(0, 3), mk(2, 4)])).toHaveLength(1);
  });
});
