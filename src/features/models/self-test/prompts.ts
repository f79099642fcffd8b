/**
 * The self-test's fixed prompts: short Chinese medical texts run through the
 * app's own zero-shot verifier prompt, so the test measures the workload the
 * checker really sends. They are fixed (never user text), which is why a
 * report may include them and the model's outputs.
 */
import { buildJudgePrompt, buildVerifierPrompt, type JudgeFinding, type RewardCriterion } from '../../../core/prompts';
import type { ChatMessage } from '../../../protocol/engine';

/** Bump when a text below changes: outputs of different prompt sets are not comparable. */
export const SELFTEST_PROMPT_SET = 'selftest-prompts-v1';
/** Bump when a judge or classifier case below changes. */
export const SELFTEST_CHECK_SET = 'selftest-checks-v1';

export interface SelfTestPrompt {
  id: string;
  messages: ChatMessage[];
}

const TEXTS: readonly { id: string; text: string; finding: JudgeFinding; criterion: RewardCriterion }[] = [
  {
    id: 'amoxicillin-dose',
    text: '阿莫西林成人口服常用剂量为每次5克，每8小时一次，对青霉素过敏者禁用。',
    finding: { quote: '每次5克', type: 'conceptual', correction: '每次0.5克', reason: '成人常用剂量为每次0.5克，5克是十倍。' },
    criterion: 'medication_safety',
  },
  {
    id: 'hbv-virus',
    text: '乙型肝炎病毒属于DNA病毒，主要经血液、母婴和性接触传播。',
    // A wrong finding on a correct sentence: a good judge answers 否.
    finding: { quote: 'DNA病毒', type: 'conceptual', correction: 'RNA病毒', reason: '乙型肝炎病毒是RNA病毒。' },
    criterion: 'factual_correctness',
  },
  {
    id: 'aspirin-children',
    text: '阿司匹林可用于16岁以下儿童病毒感染发热，不会引起瑞氏综合征。',
    finding: { quote: '不会引起瑞氏综合征', type: 'conceptual', correction: '可能引起瑞氏综合征', reason: '儿童病毒感染时服用阿司匹林与瑞氏综合征有关。' },
    criterion: 'medication_safety',
  },
];

export const SELFTEST_PROMPTS: readonly SelfTestPrompt[] = Object.freeze(
  TEXTS.map(({ id, text }) => Object.freeze({ id, messages: buildVerifierPrompt(text, 'zero-shot').messages })),
);

/**
 * One fixed yes/no judge question per prompt, about that prompt's first
 * finding (fixed here, not taken from the model's output, so both devices
 * score exactly the same input and their scores are comparable). Built with
 * the app's own judge prompt, so the check measures what gating sends.
 */
export interface SelfTestJudgeCase {
  id: string;
  promptId: string;
  messages: ChatMessage[];
  yes: string;
  no: string;
}

export const SELFTEST_JUDGE_CASES: readonly SelfTestJudgeCase[] = Object.freeze(
  TEXTS.map(({ id, text, finding, criterion }) => {
    const p = buildJudgePrompt(text, finding, criterion);
    return Object.freeze({ id: `${id}:${criterion}`, promptId: id, messages: p.messages, yes: p.yes, no: p.no });
  }),
);

/**
 * Fixed (text, finding) pairs for a reward classifier, in the shape the
 * reward scorer sends: the text, then the finding as the second segment.
 * One finding is a real error (a tenfold dose), one a correct statement.
 */
export interface SelfTestClassifyCase {
  id: string;
  text: string;
  textPair?: string;
}

export const SELFTEST_CLASSIFY_CASES: readonly SelfTestClassifyCase[] = Object.freeze([
  Object.freeze({
    id: 'dose-tenfold',
    text:
      '阿莫西林是一种常用的青霉素类抗生素，主要用于敏感菌引起的呼吸道、泌尿道及皮肤软组织感染。' +
      '成人口服常用剂量为每次5克，每8小时一次，疗程一般为7至10天。' +
      '对青霉素过敏者禁用本品，用药前应详细询问过敏史。' +
      '用药期间如出现皮疹或严重腹泻，应立即停药并及时就医。',
    textPair: '每次5克：剂量错误，超过常用量十倍。',
  }),
  Object.freeze({ id: 'dose-correct', text: '成人每次0.5克', textPair: '剂量正确' }),
]);
