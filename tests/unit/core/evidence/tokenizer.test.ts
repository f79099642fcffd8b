import { describe, expect, it } from 'vitest';
import { gramTokens, normalizeForSearch, tokenize, WORD_MARK, wordTokens } from '../../../../src/core/evidence';

describe('evidence tokenizer', () => {
  it('folds full-width forms and case before tokenising', () => {
    expect(normalizeForSearch('ＨｂＡ１ｃ≥６．５％')).toBe('hba1c≥6.5%');
    expect(tokenize('ＨｂＡ１ｃ')).toEqual(tokenize('hba1c'));
  });

  it('gives every adjacent non-space character pair as a gram', () => {
    expect(gramTokens(normalizeForSearch('阿莫西林 胶囊'))).toEqual(['阿莫', '莫西', '西林', '林胶', '胶囊']);
    expect(gramTokens('药')).toEqual(['药']);
    expect(gramTokens('')).toEqual([]);
  });

  it('adds marked segmenter words with Han and whole Latin/digit runs, never colliding with grams', () => {
    const words = wordTokens(normalizeForSearch('糖化血红蛋白HbA1c控制目标为7.0%'));
    expect(words).toContain(`${WORD_MARK}hba1c`);
    expect(words).toContain(`${WORD_MARK}7.0`);
    expect(words.some((w) => w.includes('目标'))).toBe(true);
    expect(words.every((w) => w.startsWith(WORD_MARK) && w.length >= 2)).toBe(true);
    expect(gramTokens(normalizeForSearch('糖化血红蛋白')).some((g) => g.startsWith(WORD_MARK))).toBe(false);
  });

  it('gives no tokens for empty or space-only text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' \n\u3000 ')).toEqual([]);
  });
});

describe('matchRanges', () => {
  it('marks the passage characters that share a bigram with the query, folding width and case', async () => {
    const { matchRanges } = await import('../../../../src/core/evidence');
    const passage = '华法林的目标INR为2.0～3.0。';
    const ranges = matchRanges(passage, '华法林 ｉｎｒ 目标');
    expect(ranges.map((r) => passage.slice(r.start, r.end))).toEqual(['华法林', '目标INR']);
    expect(matchRanges('🩺阿司匹林', '阿司')).toEqual([{ start: 2, end: 4 }]);
    expect(matchRanges('abc', '')).toEqual([]);
  });
});
