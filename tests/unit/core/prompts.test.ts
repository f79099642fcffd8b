import { describe, expect, it } from 'vitest';
import { ANSWER_FIXTURES } from '../../fixtures/verifier-answers';
import { parseVerifierAnswer } from '../../../src/core/parse';
import { ANSWER_JSON_SCHEMA, answerSchemaString, buildJudgePrompt, buildVerifierPrompt, CRITERIA_LIST, PROMPT_VARIANTS } from '../../../src/core/prompts';
import { ERROR_TYPES } from '../../../src/core/labels';

describe('buildVerifierPrompt', () => {
  const text = '乙型肝炎病毒属于RNA病毒。';

  it('puts the text in the last user message and names every error type', () => {
    for (const v of PROMPT_VARIANTS) {
      const p = buildVerifierPrompt(text, v);
      const last = p.messages[p.messages.length - 1];
      expect(last?.role).toBe('user');
      expect(last?.content).toContain(text);
      const system = p.messages[0]?.content ?? '';
      for (const t of ERROR_TYPES) expect(system).toContain(t);
      expect(system).toContain('逐字');
      expect(p.promptId).toBe(`medfact-verifier/${v}`);
      expect(p.promptVersion).toMatch(/^v\d+/);
      expect(p.promptHash).toMatch(/^[0-9a-f]{8}$/);
    }
  });

  it('hashes the template, not the text, and differs between variants', () => {
    expect(buildVerifierPrompt('甲', 'zero-shot').promptHash).toBe(buildVerifierPrompt('乙', 'zero-shot').promptHash);
    const hashes = new Set(PROMPT_VARIANTS.map((v) => buildVerifierPrompt(text, v).promptHash));
    expect(hashes.size).toBe(3);
  });

  it('few-shot examples are valid answer-v1 and the reasoning variant asks to think first', () => {
    const fs = buildVerifierPrompt(text, 'few-shot');
    const examples = fs.messages.filter((m) => m.role === 'assistant');
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const ex of examples) expect(parseVerifierAnswer(ex.content)).toMatchObject({ kind: 'ok', repairs: [] });
    expect(buildVerifierPrompt(text, 'reasoning').messages[0]?.content).toContain('<think>');
  });

  it('does not let a $-pattern in the text change the prompt', () => {
    const p = buildVerifierPrompt("剂量$&与$'", 'zero-shot');
    expect(p.messages[p.messages.length - 1]?.content).toContain("剂量$&与$'");
  });
});

describe('answer JSON schema', () => {
  it('is a string form of the schema and lists the 8 types', () => {
    expect(JSON.parse(answerSchemaString())).toEqual(ANSWER_JSON_SCHEMA);
    expect(ANSWER_JSON_SCHEMA.properties.errors.items.properties.type.enum).toEqual([...ERROR_TYPES]);
  });
  it('the clean fixtures use exactly the schema keys', () => {
    const clean = ANSWER_FIXTURES.find((f) => f.name === 'clean answer-v1');
    const obj = JSON.parse(clean?.raw ?? '{}') as { errors: Record<string, unknown>[] };
    expect(Object.keys(obj).sort()).toEqual([...ANSWER_JSON_SCHEMA.required].sort());
    expect(Object.keys(obj.errors[0] ?? {}).sort()).toEqual([...ANSWER_JSON_SCHEMA.properties.errors.items.required].sort());
  });
});

describe('buildJudgePrompt', () => {
  it('asks a yes/no question per criterion', () => {
    for (const c of CRITERIA_LIST) {
      const p = buildJudgePrompt('文本', { quote: '10克', type: 'conceptual', correction: '4克', reason: '最大剂量4克' }, c.id);
      expect(p.yes).toBe('是');
      expect(p.no).toBe('否');
      const user = p.messages.find((m) => m.role === 'user')?.content ?? '';
      expect(user).toContain('「10克」');
      expect(user).toContain(c.question);
    }
  });
});

describe('labelName', () => {
  it('names MedFact categories in the locale and keeps unknown codes as they are', async () => {
    const { labelName } = await import('../../../src/core/labels');
    expect(labelName('error_type', 'conceptual', 'zh-CN')).toBe('概念性错误');
    expect(labelName('error_type', 'conceptual', 'en')).toBe('Conceptual');
    expect(labelName('specialty', 'tcm', 'zh-CN')).toBe('中医科');
    expect(labelName('style', 'qa', 'en')).toBe('Q&A');
    expect(labelName('difficulty', '3', 'zh-CN')).toBe('难度 3');
    expect(labelName('error_type', 'pharmacotherapy', 'zh-CN')).toBe('pharmacotherapy');
    expect(labelName('error_type', 'toString', 'en')).toBe('toString');
  });
});
