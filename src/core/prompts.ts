/**
 * Versioned Chinese prompt templates for the verifier and the reward judge,
 * in MedFact's terms. Every result stores promptId, promptVersion and
 * promptHash (a hash of the template, never of the user's text), so a change
 * of wording is visible in stored results and benchmark runs.
 *
 * Bump PROMPT_VERSION whenever any template text changes.
 */
import type { ChatMessage } from '../protocol/engine';
import { ANSWER_FORMAT_VERSION } from './answer';
import { shortHash } from './hash';
import { ERROR_TYPES, ERROR_TYPE_INFO, type ErrorType } from './labels';

export type PromptVariant = 'zero-shot' | 'reasoning' | 'few-shot';
export const PROMPT_VARIANTS: readonly PromptVariant[] = ['zero-shot', 'reasoning', 'few-shot'];

export const PROMPT_VERSION = 'v1';

export interface VerifierPrompt {
  messages: ChatMessage[];
  promptId: string;
  promptVersion: string;
  promptHash: string;
}

const TYPE_LIST = ERROR_TYPES.map((t) => `${t}（${ERROR_TYPE_INFO[t].zh}）`).join('、');

const EXAMPLE_ANSWER = '{"has_error":true,"errors":[{"quote":"…","type":"conceptual","med":false,"fix":"…","why":"…"}]}';

// Rule 1 exists against over-criticism: flag only what is clearly wrong.
const RULES = [
  '你是严谨的医学事实核查员。任务：判断给定的中文医学文本是否包含事实性错误；若有，指出每处错误。',
  '规则：',
  '1. 只依据公认的医学知识和事实判断；表述不完整、有争议或你不确定的内容视为正确，不要吹毛求疵。',
  '2. quote 必须从原文逐字复制，尽量短（只含出错的词、数字或短语），不得改写，不得加省略号或引号。',
  `3. type 取以下之一：${TYPE_LIST}。`,
  '4. med：错误涉及药物剂量、禁忌、相互作用或用错药物时为 true，否则为 false。',
  '5. fix 给出改正后的片段；why 用一句话说明理由。',
  '6. 没有错误时输出 {"has_error":false,"errors":[]}。',
];

const ANSWER_ONLY = `只输出一个 JSON 对象，不要输出任何其他内容，格式：\n${EXAMPLE_ANSWER}`;
const REASON_FIRST = `先在 <think> 与 </think> 之间逐句简要分析（不超过 200 字），然后只输出一个 JSON 对象，格式：\n${EXAMPLE_ANSWER}`;

const USER_TEMPLATE = '待核查文本：\n<<<\n{text}\n>>>';

/** Few-shot examples written by the project (not MedFact items). */
const FEW_SHOT: readonly { text: string; answer: string }[] = [
  {
    text: '乙型肝炎病毒属于RNA病毒，主要经血液、母婴和性接触传播。',
    answer: '{"has_error":true,"errors":[{"quote":"RNA病毒","type":"conceptual","med":false,"fix":"DNA病毒","why":"乙型肝炎病毒是嗜肝DNA病毒。"}]}',
  },
  {
    text: '2型糖尿病患者应定期监测糖化血红蛋白（HbA1c），血糖未达标时一般每3个月检测一次。',
    answer: '{"has_error":false,"errors":[]}',
  },
  {
    text: '对乙酰氨基酚是常用的解热镇痛药，成人每日最大剂量不超过10克。',
    answer: '{"has_error":true,"errors":[{"quote":"10克","type":"conceptual","med":true,"fix":"4克","why":"成人每日最大剂量为4克，过量可致肝损伤。"}]}',
  },
];

function systemPrompt(variant: PromptVariant): string {
  return [...RULES, variant === 'reasoning' ? REASON_FIRST : ANSWER_ONLY].join('\n');
}

function userMessage(text: string): string {
  return USER_TEMPLATE.replace('{text}', () => text);
}

function templateHash(variant: PromptVariant): string {
  const examples = variant === 'few-shot' ? FEW_SHOT : [];
  return shortHash(JSON.stringify({ system: systemPrompt(variant), user: USER_TEMPLATE, examples, format: ANSWER_FORMAT_VERSION }));
}

const HASHES: Readonly<Record<PromptVariant, string>> = {
  'zero-shot': templateHash('zero-shot'),
  reasoning: templateHash('reasoning'),
  'few-shot': templateHash('few-shot'),
};

export function isPromptVariant(v: unknown): v is PromptVariant {
  return typeof v === 'string' && (PROMPT_VARIANTS as readonly string[]).includes(v);
}

/** Builds the verifier's chat messages for one text (or one chunk of a long text). */
export function buildVerifierPrompt(text: string, variant: PromptVariant): VerifierPrompt {
  const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt(variant) }];
  if (variant === 'few-shot') {
    for (const ex of FEW_SHOT) {
      messages.push({ role: 'user', content: userMessage(ex.text) });
      messages.push({ role: 'assistant', content: ex.answer });
    }
  }
  messages.push({ role: 'user', content: userMessage(text) });
  return { messages, promptId: `medfact-verifier/${variant}`, promptVersion: PROMPT_VERSION, promptHash: HASHES[variant] };
}

/** JSON schema of answer-v1, for engines with grammar-constrained decoding. */
export const ANSWER_JSON_SCHEMA = {
  type: 'object',
  properties: {
    has_error: { type: 'boolean' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          quote: { type: 'string' },
          type: { type: 'string', enum: [...ERROR_TYPES] },
          med: { type: 'boolean' },
          fix: { type: 'string' },
          why: { type: 'string' },
        },
        required: ['quote', 'type', 'med', 'fix', 'why'],
        additionalProperties: false,
      },
    },
  },
  required: ['has_error', 'errors'],
  additionalProperties: false,
} as const;

/** The schema as a string (WebLLM's response_format wants a string). */
export function answerSchemaString(): string {
  return JSON.stringify(ANSWER_JSON_SCHEMA);
}

/** Explicit criteria a reward judge scores a finding against (ProMedical-style). */
export type RewardCriterion = 'factual_correctness' | 'medication_safety';
/**
 * Alias under the name of the original contract, for deep imports of this
 * module. Not re-exported from the core barrel: metrics has its own
 * `Criterion` (the span-match criterion).
 */
export type Criterion = RewardCriterion;

export interface CriterionInfo {
  id: RewardCriterion;
  zh: string;
  en: string;
  /** The judge's yes/no question. */
  question: string;
  /** A safety criterion can keep a finding that the factual criterion alone would drop. */
  safety: boolean;
}

export const CRITERIA: Readonly<Record<RewardCriterion, CriterionInfo>> = {
  factual_correctness: {
    id: 'factual_correctness',
    zh: '事实正确性',
    en: 'Factual correctness',
    question: '该片段的陈述是否确实与公认的医学知识或事实不符（而不是表述不完整或有争议）？',
    safety: false,
  },
  medication_safety: {
    id: 'medication_safety',
    zh: '用药安全',
    en: 'Medication safety',
    question: '该片段中的药物、剂量、禁忌、相互作用或适用人群是否确实有误，按原文执行可能危害患者？',
    safety: true,
  },
};
export const CRITERIA_LIST: readonly CriterionInfo[] = [CRITERIA.factual_correctness, CRITERIA.medication_safety];

export interface JudgeFinding {
  quote: string;
  type: ErrorType;
  correction: string;
  reason?: string;
}

export interface JudgePrompt {
  messages: ChatMessage[];
  yes: '是';
  no: '否';
}

export const JUDGE_PROMPT_VERSION = 'judge-v1';

/**
 * A yes/no question for a generative reward judge; the engine reads the
 * probability of 是 against 否 as the first answer token.
 */
export function buildJudgePrompt(text: string, finding: JudgeFinding, criterion: RewardCriterion): JudgePrompt {
  const c = CRITERIA[criterion];
  const lines = [
    `文本：\n<<<\n${text}\n>>>`,
    `被指出的片段：「${finding.quote}」`,
    `错误类型：${ERROR_TYPE_INFO[finding.type].zh}`,
    `建议改正：${finding.correction || '（无）'}`,
  ];
  if (finding.reason) lines.push(`理由：${finding.reason}`);
  lines.push(`评审标准（${c.zh}）：${c.question}`, '只回答“是”或“否”。');
  return {
    messages: [
      { role: 'system', content: '你是医学事实核查的评审，判断核查员指出的错误是否成立。宁可判“否”也不要附和没有把握的指错。只回答“是”或“否”。' },
      { role: 'user', content: lines.join('\n') },
    ],
    yes: '是',
    no: '否',
  };
}
