import { describe, expect, it } from 'vitest';
import { parseVerifierAnswer, verdictFromWords } from '../../../src/core/parse';
import { ANSWER_FIXTURES } from '../../fixtures/verifier-answers';

describe('parseVerifierAnswer on realistic model outputs', () => {
  it('has dozens of fixtures', () => {
    expect(ANSWER_FIXTURES.length).toBeGreaterThanOrEqual(30);
  });

  for (const fx of ANSWER_FIXTURES) {
    it(fx.name, () => {
      const p = parseVerifierAnswer(fx.raw, { truncated: fx.truncated ?? false });
      expect(p.kind).toBe(fx.expected.kind);
      expect(p.hasError).toBe(fx.expected.hasError);
      expect(p.findings).toEqual(fx.expected.findings);
      expect(p.repairs).toEqual([...fx.expected.repairs].sort());
      expect(p.raw).toBe(fx.raw);
      if (fx.expected.thinking !== undefined) expect(p.thinking).toBe(fx.expected.thinking);
    });
  }

  it('never throws on arbitrary garbage', () => {
    const junk = ['{', '}', '[[[', '{"has_error":', '{"errors":[{"quote":', '<think>', '</think>', '```', '\u0000\uffff', '{"has_error":true,"errors":[}', '{]'];
    for (const raw of junk) {
      const p = parseVerifierAnswer(raw);
      expect(['ok', 'partial', 'unreadable']).toContain(p.kind);
      expect(p.raw).toBe(raw);
    }
  });

  it('keeps a complete answer as ok even when the engine reported the token limit', () => {
    const p = parseVerifierAnswer('{"has_error":false,"errors":[]}', { truncated: true });
    expect(p.kind).toBe('ok');
    expect(p.hasError).toBe(false);
  });

  it('detects a cut-off answer without the truncated flag', () => {
    const p = parseVerifierAnswer('{"has_error":true,"errors":[{"quote":"RNA病毒","type":"conc');
    expect(p.kind).toBe('partial');
    expect(p.repairs).toContain('truncated');
    expect(p.findings.map((x) => x.quote)).toEqual(['RNA病毒']);
  });
});

describe('verdictFromWords', () => {
  it.each([
    ['存在错误', true],
    ['不存在错误', false],
    ['文本中没有明显的事实错误。', false],
    ['该文本包含一处事实错误', true],
    ['The text contains an error.', true],
    ['No errors were found; no errors.', false],
    ['今天天气很好', null],
  ])('%s → %s', (text, expected) => {
    expect(verdictFromWords(text)).toBe(expected);
  });
});
