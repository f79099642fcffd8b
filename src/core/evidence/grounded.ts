/**
 * Grounded checking, pure pieces: the `grounded` verifier prompt (numbered
 * reference passages; each finding cites passage numbers), its answer
 * format answer-v2 (answer-v1 plus an optional `ev` list per finding; the
 * parser reads both), the JSON schema for grammar-constrained decoding, and
 * the judge's grounded criterion: does the cited evidence contradict the
 * flagged statement? A finding whose own cited passages support the
 * statement is scored down.
 */
import type { ChatMessage } from '../../protocol/engine';
import { shortHash } from '../hash';
import { ERROR_TYPES, ERROR_TYPE_INFO } from '../labels';
import type { JudgeFinding, JudgePrompt, VerifierPrompt } from '../prompts';
import { ANSWER_JSON_SCHEMA } from '../prompts';

export const GROUNDED_ANSWER_FORMAT_VERSION = 'answer-v2';
export const GROUNDED_PROMPT_VERSION = 'grounded-v1';
export const GROUNDED_PROMPT_ID = 'medfact-verifier/grounded';
export const GROUNDED_JUDGE_PROMPT_VERSION = 'judge-grounded-v1';

/** One passage as the model sees it: numbered from 1 in the order given. */
export interface PromptPassage {
  title: string;
  page: number | null;
  text: string;
}

/** answer-v2: answer-v1 with an optional `ev` (cited passage numbers) per finding. */
export const GROUNDED_ANSWER_JSON_SCHEMA = {
  ...ANSWER_JSON_SCHEMA,
  properties: {
    ...ANSWER_JSON_SCHEMA.properties,
    errors: {
      type: 'array',
      items: {
        ...ANSWER_JSON_SCHEMA.properties.errors.items,
        properties: { ...ANSWER_JSON_SCHEMA.properties.errors.items.properties, ev: { type: 'array', items: { type: 'integer', minimum: 1 } } },
      },
    },
  },
} as const;

export function groundedSchemaString(): string {
  return JSON.stringify(GROUNDED_ANSWER_JSON_SCHEMA);
}

const TYPE_LIST = ERROR_TYPES.map((t) => `${t}（${ERROR_TYPE_INFO[t].zh}）`).join('、');
const EXAMPLE = '{"has_error":true,"errors":[{"quote":"…","type":"conceptual","med":false,"fix":"…","why":"…","ev":[1]}]}';

// Same do-not-nitpick rule as the other variants, plus how to use the passages.
const SYSTEM = [
  '你是严谨的医学事实核查员。任务：对照给出的参考资料段落，判断中文医学文本是否包含事实性错误；若有，指出每处错误。',
  '规则：',
  '1. 先对照参考资料逐句判断：与资料明确矛盾的陈述是错误，ev 填所依据段落的编号（如 [2]）。',
  '2. 资料没有涉及的陈述，依据公认的医学知识判断，ev 留空 []；表述不完整、有争议或你不确定的内容视为正确，不要吹毛求疵。',
  '3. 资料支持的陈述是正确的，不得指为错误。',
  '4. quote 必须从原文逐字复制，尽量短（只含出错的词、数字或短语），不得改写。',
  `5. type 取以下之一：${TYPE_LIST}。`,
  '6. med：错误涉及药物剂量、禁忌、相互作用或用错药物时为 true，否则为 false。',
  '7. fix 给出改正后的片段；why 用一句话说明理由（引用资料时写明编号）。',
  '8. 没有错误时输出 {"has_error":false,"errors":[]}。',
  `只输出一个 JSON 对象，不要输出任何其他内容，格式：\n${EXAMPLE}`,
].join('\n');

const USER_TEMPLATE = '参考资料：\n{passages}\n\n待核查文本：\n<<<\n{text}\n>>>';
const PROMPT_HASH = shortHash(JSON.stringify({ system: SYSTEM, user: USER_TEMPLATE, format: GROUNDED_ANSWER_FORMAT_VERSION }));

/** The numbered passage block: `[n]《title》第p页：text`, cut to `maxChars` in all. */
export function formatPassages(passages: readonly PromptPassage[], maxChars = 2400): string {
  if (passages.length === 0) return '（未检索到相关资料）';
  const lines: string[] = [];
  let used = 0;
  passages.forEach((p, i) => {
    const head = `[${i + 1}]《${p.title || '未命名'}》${p.page !== null ? `第${p.page}页` : ''}：`;
    const room = Math.max(0, maxChars - used - head.length);
    if (room <= 0) return;
    const body = p.text.replace(/\s+/g, ' ').trim();
    const text = body.length > room ? `${body.slice(0, room)}…` : body;
    lines.push(head + text);
    used += head.length + text.length;
  });
  return lines.join('\n');
}

export function buildGroundedVerifierPrompt(text: string, passages: readonly PromptPassage[], maxPassageChars?: number): VerifierPrompt {
  const user = USER_TEMPLATE.replace('{passages}', () => formatPassages(passages, maxPassageChars)).replace('{text}', () => text);
  const messages: ChatMessage[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user },
  ];
  return { messages, promptId: GROUNDED_PROMPT_ID, promptVersion: GROUNDED_PROMPT_VERSION, promptHash: PROMPT_HASH };
}

/** Cited numbers that name a given passage (1-based, in range), in order. */
export function validCitations(evidence: readonly number[] | undefined, passageCount: number): number[] {
  return (evidence ?? []).filter((n) => Number.isInteger(n) && n >= 1 && n <= passageCount);
}

export const GROUNDED_CRITERION = {
  id: 'evidence_grounding',
  zh: '依据一致性',
  en: 'Evidence grounding',
  question: '上述参考资料是否明确与被指出的片段矛盾（即资料支持核查员的改正）？若资料支持原文的说法或与之无关，回答“否”。',
} as const;

/** The judge's yes/no question: does the finding's cited evidence contradict the flagged statement? */
export function buildGroundedJudgePrompt(text: string, finding: JudgeFinding, cited: readonly PromptPassage[]): JudgePrompt {
  const lines = [
    `文本：\n<<<\n${text}\n>>>`,
    `被指出的片段：「${finding.quote}」`,
    `建议改正：${finding.correction || '（无）'}`,
    `核查员引用的参考资料：\n${formatPassages(cited, 1600)}`,
    `评审标准（${GROUNDED_CRITERION.zh}）：${GROUNDED_CRITERION.question}`,
    '只回答“是”或“否”。',
  ];
  return {
    messages: [
      { role: 'system', content: '你是医学事实核查的评审，判断核查员引用的资料是否真的支持其指错。资料支持原文时判“否”。只回答“是”或“否”。' },
      { role: 'user', content: lines.join('\n') },
    ],
    yes: '是',
    no: '否',
  };
}

/**
 * A finding's score with the grounded criterion: when it cites evidence,
 * the lower of its reward score and the grounding probability (citing a
 * passage that supports the statement, or contradicting its own evidence,
 * scores it down); without citations, the reward score alone.
 */
export function groundedScore(reward: number, grounding: number | null): number {
  return grounding === null ? reward : Math.min(reward, grounding);
}
