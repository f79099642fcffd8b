/**
 * Turns a verifier's raw output into a ParsedAnswer without ever throwing.
 *
 * Handles what real models emit: <think>…</think> blocks (closed, empty or
 * cut off), code fences, chat before or after the answer, the lenient-JSON
 * cases (see lenient-json.ts), key aliases (English and Chinese), error types
 * given by Chinese or English name, a verdict given in words, and an answer
 * cut by the token limit (kept as `partial`, with every complete finding).
 * Every repair is reported; an answer with no usable content is `unreadable`
 * and keeps the raw text.
 */
import { ERROR_TYPES, ERROR_TYPE_INFO, type ErrorType } from './labels';
import { parseLenientJson, type JsonRepair, type JsonValue, type LenientParse } from './lenient-json';

export interface RawFinding {
  quote: string;
  type: ErrorType;
  medication: boolean;
  correction: string;
  reason: string;
  /** Numbers of the evidence passages the finding cites (answer-v2, grounded prompt); absent in answer-v1. */
  evidence?: number[];
}

export type RepairKind =
  | JsonRepair
  | 'think_block'
  | 'unclosed_think'
  | 'code_fence'
  | 'surrounding_text'
  | 'field_aliases'
  | 'unknown_type'
  | 'verdict_words'
  | 'verdict_inferred'
  | 'verdict_conflict'
  | 'dropped_incomplete'
  | 'no_json'
  | 'empty';

export interface ParsedAnswer {
  kind: 'ok' | 'partial' | 'unreadable';
  /** null when the answer gives no verdict at all. */
  hasError: boolean | null;
  findings: RawFinding[];
  repairs: RepairKind[];
  raw: string;
  thinking?: string;
}

const QUOTE_KEYS = ['quote', 'span', 'text', 'fragment', 'error_text', 'original', 'erroneous_text', '原文', '错误片段', '错误内容', '片段'];
const TYPE_KEYS = ['type', 'error_type', 'category', '类型', '错误类型'];
const MED_KEYS = ['med', 'medication', 'is_medication', 'drug', '用药', '用药错误'];
const FIX_KEYS = ['fix', 'correction', 'corrected', 'suggestion', 'revised', '修正', '更正', '改正', '正确说法', '建议'];
const WHY_KEYS = ['why', 'reason', 'explanation', 'rationale', '理由', '原因', '解释'];
const VERDICT_KEYS = ['has_error', 'hasError', 'has_errors', 'contains_error', 'verdict', '是否有错', '是否存在错误', '结论'];
const EVIDENCE_KEYS = ['ev', 'evidence', 'cite', 'cites', 'citations', 'sources', '依据', '引用'];
const ERRORS_KEYS = ['errors', 'error_list', 'findings', 'issues', 'mistakes', '错误', '错误列表'];

/** Chinese names, English names and common paraphrases → error type. */
const TYPE_ALIASES: readonly [RegExp, ErrorType][] = [
  [/^(other[_\s-]*non[_\s-]*medical|其他非医学)/i, 'other_nonmedical'],
  [/^(other[_\s-]*medical|其他医学)/i, 'other_medical'],
  [/concept|概念/i, 'conceptual'],
  [/termin|术语|名称|用词/i, 'terminological'],
  [/tempor|time|时间|时序|时效/i, 'temporal'],
  [/citation|sourc|引用|来源|出处/i, 'citation'],
  [/bias|偏见|歧视/i, 'bias'],
  [/general|一般事实|常识/i, 'general_fact'],
  [/剂量|用药|药物|禁忌|相互作用|dose|drug|medication/i, 'conceptual'],
  [/非医学/i, 'other_nonmedical'],
  [/医学|medical/i, 'other_medical'],
];

function toErrorType(value: JsonValue | undefined, repairs: Set<RepairKind>): ErrorType {
  if (typeof value === 'string') {
    const v = value.trim();
    if ((ERROR_TYPES as readonly string[]).includes(v)) return v as ErrorType;
    const lower = v.toLowerCase();
    for (const t of ERROR_TYPES) {
      const info = ERROR_TYPE_INFO[t];
      if (lower === info.en.toLowerCase() || v === info.zh) return t;
    }
    for (const [re, t] of TYPE_ALIASES) {
      if (re.test(v)) return t;
    }
  }
  repairs.add('unknown_type');
  return 'other_medical';
}

function pick(obj: { [key: string]: JsonValue }, keys: readonly string[], repairs: Set<RepairKind>): JsonValue | undefined {
  const first = keys[0];
  if (first !== undefined && first in obj) return obj[first];
  for (const k of keys) {
    if (k in obj) {
      repairs.add('field_aliases');
      return obj[k];
    }
  }
  return undefined;
}

function asText(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

const TRUE_WORDS = /^(true|yes|y|1|是|有|对|存在|有错|有错误|存在错误|错误|error|has[_ ]?error)$/i;
const FALSE_WORDS = /^(false|no|n|0|否|无|没有|不存在|无错|无错误|没有错误|正确|correct|no[_ ]?error)$/i;

function toBool(v: JsonValue | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const s = v.trim();
    if (FALSE_WORDS.test(s)) return false;
    if (TRUE_WORDS.test(s)) return true;
  }
  return null;
}

// Negative phrasings are tested first: "不存在错误" contains "存在错误".
const NEG_VERDICT = /(不存在|没有|并无|未发现|未见|无)(明显的?|任何)?(事实性?|医学)?(错误|问题|谬误)|(内容|表述|说法|文本)(基本)?(正确|准确)(无误)?|正确无误|\bno (factual )?errors?\b|\bdoes not contain (any )?(factual )?errors?\b|"has_error"\s*[:：]\s*false/i;
const POS_VERDICT = /(存在|含有|包含|有)(一处|一个|以下|如下|明显的?|多处)?(事实性?|医学)?(错误|谬误)|(表述|说法)(有误|错误)|\b(contains?|has) (an? |one |some )?(factual )?errors?\b|"has_error"\s*[:：]\s*true/i;

function matchRanges(re: RegExp, text: string): { start: number; end: number }[] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(g)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

/**
 * A verdict given in words, or null. Positive phrases inside a negative one
 * ("不存在错误" contains "存在错误") do not count; when both remain, the later
 * statement is taken as the conclusion.
 */
export function verdictFromWords(text: string): boolean | null {
  const neg = matchRanges(NEG_VERDICT, text);
  const pos = matchRanges(POS_VERDICT, text).filter((p) => !neg.some((n) => p.start < n.end && n.start < p.end));
  const lastNeg = neg[neg.length - 1];
  const lastPos = pos[pos.length - 1];
  if (lastNeg && !lastPos) return false;
  if (lastPos && !lastNeg) return true;
  if (lastPos && lastNeg) return lastPos.start > lastNeg.start;
  return null;
}

interface Stripped {
  body: string;
  thinking?: string;
  repairs: Set<RepairKind>;
}

/** Removes <think> blocks (closed or cut off) and code fences. */
function strip(raw: string): Stripped {
  const repairs = new Set<RepairKind>();
  let body = raw;
  const thoughts: string[] = [];
  const closed = /<think>([\s\S]*?)<\/think>/gi;
  if (closed.test(body)) {
    repairs.add('think_block');
    body = body.replace(closed, (_m, inner: string) => {
      thoughts.push(inner.trim());
      return '';
    });
  }
  // A lone </think> (the template opened the block in the prompt).
  const loneClose = body.search(/<\/think>/i);
  if (loneClose >= 0) {
    repairs.add('think_block');
    thoughts.push(body.slice(0, loneClose).trim());
    body = body.slice(loneClose + '</think>'.length);
  }
  const open = body.search(/<think>/i);
  if (open >= 0) {
    repairs.add('unclosed_think');
    thoughts.push(body.slice(open + '<think>'.length).trim());
    body = body.slice(0, open);
  }
  const fence = /```[ \t]*(?:json|JSON|javascript|js)?[ \t]*\r?\n?([\s\S]*?)(?:```|$)/;
  const m = fence.exec(body);
  if (m && m[1] !== undefined && /[{｛]/.test(m[1])) {
    repairs.add('code_fence');
    const before = body.slice(0, m.index);
    const after = body.slice(m.index + m[0].length);
    if (before.trim() || after.trim()) repairs.add('surrounding_text');
    body = m[1];
  }
  const thinking = thoughts.filter((t) => t.length > 0).join('\n\n');
  return thinking ? { body, thinking, repairs } : { body, repairs };
}

const ANSWER_KEY_RE = new RegExp(`["'“]?(${[...VERDICT_KEYS, ...ERRORS_KEYS].join('|')})["'”]?\\s*[:：]`);

function isAnswerObject(v: JsonValue): v is { [key: string]: JsonValue } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  return [...VERDICT_KEYS, ...ERRORS_KEYS].some((k) => k in v);
}

/**
 * Finds the answer object: the last complete object carrying an answer key,
 * else the first incomplete one (a truncated answer), else null.
 */
function findAnswer(body: string): (LenientParse & { start: number }) | null {
  let complete: (LenientParse & { start: number }) | null = null;
  let partial: (LenientParse & { start: number }) | null = null;
  let from = 0;
  for (let tries = 0; tries < 16; tries++) {
    const rel = body.slice(from).search(/[{｛]/);
    if (rel < 0) break;
    const at = from + rel;
    // Only try objects whose first key looks like an answer key (cheap and avoids prose braces).
    if (!ANSWER_KEY_RE.test(body.slice(at, at + 80))) {
      from = at + 1;
      continue;
    }
    const p = { ...parseLenientJson(body, at), start: at };
    if (isAnswerObject(p.value)) {
      if (!p.truncated) complete = p;
      else partial ??= p;
    }
    from = Math.max(p.end, at + 1);
    if (p.truncated) break;
  }
  return complete ?? partial;
}

function toFinding(v: JsonValue, repairs: Set<RepairKind>, p: LenientParse): RawFinding | null {
  if (typeof v === 'string') {
    if (!v.trim()) return null;
    repairs.add('field_aliases');
    return { quote: v, type: toErrorType(undefined, repairs), medication: false, correction: '', reason: '' };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const quoteV = pick(v, QUOTE_KEYS, repairs);
  const cut = p.cutKeys.get(v);
  const quoteKey = QUOTE_KEYS.find((k) => k in v);
  // A quote cut by the token limit cannot be trusted: drop the finding.
  if (p.incomplete.has(v) && (quoteKey === undefined || cut?.has(quoteKey))) return null;
  const quote = asText(quoteV);
  const correction = asText(pick(v, FIX_KEYS, repairs));
  const reason = asText(pick(v, WHY_KEYS, repairs));
  if (!quote.trim() && !correction.trim() && !reason.trim()) return null;
  const typeV = pick(v, TYPE_KEYS, repairs);
  const typeKey = TYPE_KEYS.find((k) => k in v);
  const typeCut = typeKey !== undefined && cut?.has(typeKey);
  const type = typeCut || typeV === undefined ? 'other_medical' : toErrorType(typeV, repairs);
  if (typeV === undefined && !p.incomplete.has(v)) repairs.add('unknown_type');
  const medication = toBool(pick(v, MED_KEYS, repairs)) ?? false;
  const finding: RawFinding = { quote: quote.trim(), type, medication, correction: correction.trim(), reason: reason.trim() };
  const evidence = toEvidenceIds(EVIDENCE_KEYS.map((k) => (v as Record<string, JsonValue>)[k]).find((x) => x !== undefined));
  if (evidence) finding.evidence = evidence;
  return finding;
}

/** Cited passage numbers: [1, 3], 2, "1,3", "[2]" → positive integers, deduplicated; undefined when none. */
function toEvidenceIds(v: JsonValue | undefined): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  const parts: JsonValue[] = Array.isArray(v) ? v : [v];
  const out: number[] = [];
  for (const p of parts) {
    const nums = typeof p === 'number' ? [p] : typeof p === 'string' ? (p.match(/\d+/g) ?? []).map(Number) : [];
    for (const n of nums) if (Number.isInteger(n) && n > 0 && !out.includes(n)) out.push(n);
  }
  return out.length > 0 ? out : undefined;
}

function ordered(repairs: Set<RepairKind>): RepairKind[] {
  return [...repairs].sort();
}

/**
 * Parses a verifier answer. `truncated` says the engine stopped at the token
 * limit (finishReason 'length'); an answer cut inside its JSON is detected
 * without it too.
 */
export function parseVerifierAnswer(raw: string, opts?: { truncated?: boolean }): ParsedAnswer {
  const truncatedFlag = opts?.truncated === true;
  const source = typeof raw === 'string' ? raw : '';
  const { body, thinking, repairs } = strip(source);
  const withThinking = <T extends ParsedAnswer>(r: T): T => (thinking ? { ...r, thinking } : r);

  if (!body.trim()) {
    if (truncatedFlag || repairs.has('unclosed_think')) {
      repairs.add('truncated');
      return withThinking({ kind: 'partial', hasError: null, findings: [], repairs: ordered(repairs), raw: source });
    }
    repairs.add('empty');
    return withThinking({ kind: 'unreadable', hasError: null, findings: [], repairs: ordered(repairs), raw: source });
  }

  const parsed = findAnswer(body);
  if (!parsed || !isAnswerObject(parsed.value)) {
    repairs.add('no_json');
    const words = verdictFromWords(body);
    if (words !== null) {
      repairs.add('verdict_words');
      const kind = truncatedFlag ? 'partial' : 'ok';
      if (truncatedFlag) repairs.add('truncated');
      return withThinking({ kind, hasError: words, findings: [], repairs: ordered(repairs), raw: source });
    }
    if (truncatedFlag) repairs.add('truncated');
    return withThinking({ kind: truncatedFlag ? 'partial' : 'unreadable', hasError: null, findings: [], repairs: ordered(repairs), raw: source });
  }

  for (const r of parsed.repairs) repairs.add(r);
  const obj = parsed.value;
  if (!repairs.has('code_fence')) {
    const before = body.slice(0, parsed.start);
    const after = body.slice(parsed.end);
    if (before.trim() || after.trim()) repairs.add('surrounding_text');
  }

  // Findings.
  const errorsV = pick(obj, ERRORS_KEYS, repairs);
  const list: JsonValue[] = Array.isArray(errorsV) ? errorsV : errorsV && typeof errorsV === 'object' ? [errorsV] : [];
  const findings: RawFinding[] = [];
  for (const item of list) {
    const f = toFinding(item, repairs, parsed);
    if (f) findings.push(f);
    else if (item !== null && typeof item === 'object' && parsed.incomplete.has(item)) repairs.add('dropped_incomplete');
  }

  // Verdict.
  const verdictKey = VERDICT_KEYS.find((k) => k in obj);
  const verdictV = verdictKey !== undefined ? obj[verdictKey] : undefined;
  let hasError = verdictKey !== undefined && parsed.cutKeys.get(obj)?.has(verdictKey) ? null : toBool(verdictV);
  if (hasError !== null && typeof verdictV !== 'boolean') repairs.add('verdict_words');
  if (hasError === null) {
    const words = typeof verdictV === 'string' ? verdictFromWords(verdictV) : null;
    if (words !== null) {
      repairs.add('verdict_words');
      hasError = words;
    } else if (findings.length > 0) {
      repairs.add('verdict_inferred');
      hasError = true;
    } else if (Array.isArray(errorsV) && !parsed.incomplete.has(errorsV)) {
      // A complete, empty error list is a verdict.
      repairs.add('verdict_inferred');
      hasError = false;
    }
  } else if (hasError === false && findings.length > 0) {
    // The specific list wins over the flag: the findings are what the user can check.
    repairs.add('verdict_conflict');
    hasError = true;
  }

  // A complete JSON answer is 'ok' even when the engine hit the token limit after it.
  const truncated = parsed.truncated;
  if (truncated) repairs.add('truncated');
  return withThinking({ kind: truncated ? 'partial' : 'ok', hasError, findings, repairs: ordered(repairs), raw: source });
}
