/**
 * The self-test's fixed prompts: short Chinese medical texts run through the
 * app's own zero-shot verifier prompt, so the test measures the workload the
 * checker really sends. They are fixed (never user text), which is why a
 * report may include them and the model's outputs.
 */
import { buildVerifierPrompt } from '../../../core/prompts';
import type { ChatMessage } from '../../../protocol/engine';

/** Bump when a text below changes: outputs of different prompt sets are not comparable. */
export const SELFTEST_PROMPT_SET = 'selftest-prompts-v1';

export interface SelfTestPrompt {
  id: string;
  messages: ChatMessage[];
}

const TEXTS: readonly { id: string; text: string }[] = [
  { id: 'amoxicillin-dose', text: '阿莫西林成人口服常用剂量为每次5克，每8小时一次，对青霉素过敏者禁用。' },
  { id: 'hbv-virus', text: '乙型肝炎病毒属于DNA病毒，主要经血液、母婴和性接触传播。' },
  { id: 'aspirin-children', text: '阿司匹林可用于16岁以下儿童病毒感染发热，不会引起瑞氏综合征。' },
];

export const SELFTEST_PROMPTS: readonly SelfTestPrompt[] = Object.freeze(
  TEXTS.map(({ id, text }) => Object.freeze({ id, messages: buildVerifierPrompt(text, 'zero-shot').messages })),
);
