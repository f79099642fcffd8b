/**
 * Prefix reuse (issue 15) depends on the prompt builders: everything that
 * changes per item (the text, a finding, passages) must sit in the LAST
 * message, after a fixed opening, so two items' prompts agree on every
 * earlier message and on the start of the last one. transformers.js reuses
 * that shared prefix by token ids; a prefix-caching WebLLM would too.
 */
import { describe, expect, it } from 'vitest';
import { buildGroundedJudgePrompt, buildGroundedVerifierPrompt } from '../../../src/core/evidence/grounded';
import { buildJudgePrompt, buildVerifierPrompt, PROMPT_VARIANTS } from '../../../src/core/prompts';
import type { ChatMessage } from '../../../src/protocol/engine';

const A = '乙型肝炎病毒属于RNA病毒。';
const B = '成人每日食盐摄入量不超过5克。';

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Every message but the last is identical; the last differs only after a shared opening of at least `opening` characters. */
function expectSharedPrefix(a: ChatMessage[], b: ChatMessage[], opening: number): void {
  expect(a.length).toBe(b.length);
  expect(a.slice(0, -1)).toEqual(b.slice(0, -1));
  const [x, y] = [a.at(-1)?.content ?? '', b.at(-1)?.content ?? ''];
  expect(a.at(-1)?.role).toBe('user');
  expect(x).not.toBe(y);
  expect(commonPrefix(x, y)).toBeGreaterThanOrEqual(opening);
}

describe('prompts keep per-item content at the end', () => {
  it('verifier prompts of two texts share every message but the last, and its opening', () => {
    for (const v of PROMPT_VARIANTS) expectSharedPrefix(buildVerifierPrompt(A, v).messages, buildVerifierPrompt(B, v).messages, '待核查文本：\n<<<\n'.length);
  });

  it('judge prompts share the system message and the text for findings of one text', () => {
    const f = (quote: string) => ({ quote, type: 'conceptual' as const, correction: 'DNA病毒' });
    const [j1, j2] = [buildJudgePrompt(A, f('RNA病毒'), 'factual_correctness'), buildJudgePrompt(A, f('乙型肝炎'), 'factual_correctness')];
    expectSharedPrefix(j1.messages, j2.messages, `文本：\n<<<\n${A}\n>>>\n被指出的片段：「`.length);
    expectSharedPrefix(j1.messages, buildJudgePrompt(B, f('5克'), 'factual_correctness').messages, '文本：\n<<<\n'.length);
  });

  it('grounded prompts share the system message for any passages and text', () => {
    const p = (text: string) => [{ title: '指南', page: null, text }];
    expectSharedPrefix(buildGroundedVerifierPrompt(A, p('乙肝病毒为DNA病毒。')).messages, buildGroundedVerifierPrompt(B, p('食盐每日不超过5克。')).messages, 1);
    const f = { quote: 'RNA病毒', type: 'conceptual' as const, correction: 'DNA病毒' };
    expectSharedPrefix(buildGroundedJudgePrompt(A, f, p('x')).messages, buildGroundedJudgePrompt(B, f, p('y')).messages, '文本：\n<<<\n'.length);
  });
});
