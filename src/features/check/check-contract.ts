/**
 * The one place the check feature names the core pipeline's API, so a
 * change in core's file layout touches one import here.
 */
export type { ThresholdView, CheckResult, Finding, FindingSpan, CheckOptions, CheckProgress, CheckStage, Verdict, EvidenceRetrieval } from '../../core/check';
export { check, applyThreshold, thresholdView, DEFAULT_CHECK_OPTIONS, MAX_SAMPLES, locatedFindings, unlocatedFindings } from '../../core/check';
export { THRESHOLD_PRESETS, engineScorer, type FindingScorer } from '../../core/gating';
export { PROMPT_VARIANTS, type PromptVariant } from '../../core/prompts';
