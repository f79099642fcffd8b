import { describe, expect, it } from 'vitest';
import {
  buildGroundedJudgePrompt,
  buildGroundedVerifierPrompt,
  formatPassages,
  GROUNDED_ANSWER_JSON_SCHEMA,
  groundedSchemaString,
  groundedScore,
  validCitations,
} from '../../../../src/core/evidence';
import { parseVerifierAnswer } from '../../../../src/core/parse';
import { buildVerifierPrompt } from '../../../../src/core/prompts';

const passages = [
  { title: '华法林用药指导', page: 2, text: '华法林的目标INR为2.0～3.0。' },
  { title: '阿司匹林说明书', page: null, text: '预防心梗时每日100mg。' },
];

describe('grounded verifier prompt', () => {
  it('numbers the passages with title and page, before the text, and keeps the do-not-nitpick rule', () => {
    const p = buildGroundedVerifierPrompt('华法林目标INR为4.0。', passages);
    const user = p.messages.at(-1)!.content;
    expect(user).toContain('[1]《华法林用药指导》第2页：华法林的目标INR为2.0～3.0。');
    expect(user).toContain('[2]《阿司匹林说明书》：预防心梗时每日100mg。');
    expect(user.indexOf('[1]')).toBeLessThan(user.indexOf('华法林目标INR为4.0。'));
    expect(p.messages[0]!.content).toContain('不要吹毛求疵');
    expect(p.messages[0]!.content).toContain('ev');
    expect(p.promptId).toBe('medfact-verifier/grounded');
    // The hash names the template, never the user's text or passages.
    expect(buildGroundedVerifierPrompt('别的文本', []).promptHash).toBe(p.promptHash);
    expect(p.promptHash).not.toBe(buildVerifierPrompt('x', 'zero-shot').promptHash);
  });

  it('says when nothing was retrieved, and caps the passage block', () => {
    expect(formatPassages([])).toBe('（未检索到相关资料）');
    const long = formatPassages([{ title: 't', page: null, text: '很'.repeat(5000) }], 300);
    expect(long.length).toBeLessThanOrEqual(301);
    expect(long.endsWith('…')).toBe(true);
  });

  it('offers answer-v2 with optional evidence ids to grammar-constrained decoding', () => {
    const item = GROUNDED_ANSWER_JSON_SCHEMA.properties.errors.items;
    expect(item.properties.ev).toEqual({ type: 'array', items: { type: 'integer', minimum: 1 } });
    expect(item.required).not.toContain('ev');
    expect(JSON.parse(groundedSchemaString())).toEqual(GROUNDED_ANSWER_JSON_SCHEMA);
  });
});

describe('answer parsing with evidence ids', () => {
  it('reads ev in answer-v2 and leaves answer-v1 findings without it', () => {
    const v2 = parseVerifierAnswer('{"has_error":true,"errors":[{"quote":"4.0","type":"conceptual","med":true,"fix":"2.0～3.0","why":"见[1]","ev":[1,"2",1]}]}');
    expect(v2.kind).toBe('ok');
    expect(v2.findings[0]!.evidence).toEqual([1, 2]);
    const v1 = parseVerifierAnswer('{"has_error":true,"errors":[{"quote":"4.0","type":"conceptual","med":true,"fix":"2.0","why":"x"}]}');
    expect(v1.findings[0]).not.toHaveProperty('evidence');
    expect(parseVerifierAnswer('{"has_error":true,"errors":[{"quote":"a","type":"conceptual","med":false,"fix":"b","why":"c","依据":"[3]"}]}').findings[0]!.evidence).toEqual([3]);
  });

  it('keeps only citations that name a given passage', () => {
    expect(validCitations([0, 1, 2, 5], 2)).toEqual([1, 2]);
    expect(validCitations(undefined, 3)).toEqual([]);
  });
});

describe('grounded judge criterion', () => {
  it('asks whether the cited evidence contradicts the flagged statement', () => {
    const j = buildGroundedJudgePrompt('华法林目标INR为4.0。', { quote: '4.0', type: 'conceptual', correction: '2.0～3.0' }, [passages[0]!]);
    const user = j.messages.at(-1)!.content;
    expect(user).toContain('被指出的片段：「4.0」');
    expect(user).toContain('[1]《华法林用药指导》第2页');
    expect(user).toContain('矛盾');
    expect([j.yes, j.no]).toEqual(['是', '否']);
  });

  it('scores a finding down when its own evidence does not back it', () => {
    expect(groundedScore(0.9, 0.1)).toBe(0.1);
    expect(groundedScore(0.6, 0.95)).toBe(0.6);
    expect(groundedScore(0.7, null)).toBe(0.7);
  });
});
