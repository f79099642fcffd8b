/**
 * Public API of the pure fact-check core: prompts, answer parsing, span
 * alignment, chunking, reward gating, self-consistency and the orchestrator.
 * No DOM, no model library: runs in workers, on the page, in Node and the CLI.
 */
export * from './labels';
export * from './answer';
export * from './hash';
export * from './normalize';
export {
  ANSWER_JSON_SCHEMA,
  answerSchemaString,
  buildJudgePrompt,
  buildVerifierPrompt,
  CRITERIA,
  CRITERIA_LIST,
  isPromptVariant,
  JUDGE_PROMPT_VERSION,
  PROMPT_VARIANTS,
  PROMPT_VERSION,
  type CriterionInfo,
  type JudgeFinding,
  type JudgePrompt,
  type PromptVariant,
  type RewardCriterion,
  type VerifierPrompt,
} from './prompts';
export * from './lenient-json';
export * from './parse';
export * from './align';
export * from './chunk';
export * from './gating';
export * from './consistency';
export * from './check';
export * from './dataset';
export * from './metrics';
