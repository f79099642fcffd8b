/**
 * The verifier's answer format (version `answer-v1`). Keys are short because
 * decoding dominates latency on laptops; every key still carries meaning.
 *
 * Wire form the model emits (one JSON object, nothing else):
 *   {"has_error":true,"errors":[{"quote":"…","type":"conceptual","med":false,"fix":"…","why":"…"}]}
 * - has_error: whether the text contains at least one factual error
 * - errors: one entry per erroneous fragment (empty when has_error is false)
 *   - quote: the erroneous fragment, copied verbatim from the text, as short as possible
 *   - type: one of ERROR_TYPES
 *   - med: true for a medication error (dose, contraindication, interaction, wrong drug)
 *   - fix: the corrected fragment
 *   - why: one-sentence reason
 */
import type { ErrorType } from './labels';

export const ANSWER_FORMAT_VERSION = 'answer-v1';

export interface WireFinding {
  quote: string;
  type: ErrorType;
  med: boolean;
  fix: string;
  why: string;
}

export interface WireAnswer {
  has_error: boolean;
  errors: WireFinding[];
}
