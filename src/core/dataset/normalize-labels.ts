/**
 * Normalises label values written in many ways (zh/en, booleans, numbers) to
 * the project's codes. Unknown names are reported by the caller, not guessed.
 */
import { ERROR_TYPES, ERROR_TYPE_INFO, SPECIALTIES, SPECIALTY_INFO, STYLES, STYLE_INFO } from '../labels';

/** MEDEC's own error types, kept as their own codes. */
export const MEDEC_ERROR_TYPES = ['diagnosis', 'management', 'treatment', 'pharmacotherapy', 'causalOrganism'] as const;

function key(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().replace(/[\s_\-&/·.]+/g, '');
}

/**
 * Label values, by what they say. Words with a meaning of their own
 * (正确, 有误, incorrect, 真/假, ✓/×) say it whatever the column is called;
 * bare affirmations (1/0, ±1, true/false, yes/no, 是/否, 有/无) only answer
 * the column's question, so their polarity follows the column name
 * (labelPolarity): "是否正确: 是" is a correct text, "是否有误: 是" an error.
 */
const ERROR_WORDS = [
  '错误', '错', '有误', '有错', '有错误', '存在错误', '含错', '不正确', '不对', '错的', '假', '虚假', '不实', '不属实', '谣言',
  'incorrect', 'wrong', 'error', 'err', 'erroneous', 'haserror', 'witherror', 'containserror', 'falseclaim', 'refuted', 'refutes',
  'contradicted', 'inaccurate', 'untrue', 'notcorrect', 'invalid', 'x', '×', '✗', '✘', '❌',
];
const CORRECT_WORDS = [
  '正确', '对', '对的', '无误', '无错', '无错误', '没有错误', '不存在错误', '真', '真实', '属实', '正常',
  'correct', 'right', 'accurate', 'trueclaim', 'supported', 'supports', 'noerror', 'noterror', 'noerrors', 'valid', 'ok', '✓', '√', '✔', '✅',
];
const YES_WORDS = ['1', '+1', 'true', 't', 'yes', 'y', '是', '有', '是的'];
const NO_WORDS = ['0', '-1', 'false', 'f', 'no', 'n', '否', '无', '没有', '不是'];

/** Like key() but keeps + and - (so ±1 survive). */
function labelKey(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().replace(/[\s_&/·.]+|-(?!1$)/g, '');
}
const WORDS = new Map<string, LabelReading>([
  ...ERROR_WORDS.map((w): [string, LabelReading] => [labelKey(w), { kind: 'meaning', hasError: true }]),
  ...CORRECT_WORDS.map((w): [string, LabelReading] => [labelKey(w), { kind: 'meaning', hasError: false }]),
  ...YES_WORDS.map((w): [string, LabelReading] => [labelKey(w), { kind: 'yes', yes: true, numeric: /^[+-]?\d/.test(w) }]),
  ...NO_WORDS.map((w): [string, LabelReading] => [labelKey(w), { kind: 'yes', yes: false, numeric: /^[+-]?\d/.test(w) }]),
]);

export type LabelReading =
  /** A word that says which by itself. */
  | { kind: 'meaning'; hasError: boolean }
  /** An affirmation that answers the column's question; `numeric` for 1/0/±1. */
  | { kind: 'yes'; yes: boolean; numeric: boolean }
  | { kind: 'empty' }
  | { kind: 'unknown' };

// Readings are shared, read-only answers (as WORDS' are): no object per cell of a 100k-row file.
const EMPTY: LabelReading = { kind: 'empty' };
const UNKNOWN: LabelReading = { kind: 'unknown' };
const TRUE: LabelReading = { kind: 'yes', yes: true, numeric: false };
const FALSE: LabelReading = { kind: 'yes', yes: false, numeric: false };
const ONE: LabelReading = { kind: 'yes', yes: true, numeric: true };
const ZERO: LabelReading = { kind: 'yes', yes: false, numeric: true };

/** Reads one label cell without deciding its polarity. */
export function readLabel(value: unknown): LabelReading {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'boolean') return value ? TRUE : FALSE;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    if (n === 1) return ONE;
    if (n === 0 || n === -1) return ZERO;
    return UNKNOWN;
  }
  const s = String(value).trim();
  if (s === '' || /^(na|n\/a|null|none|nan)$/i.test(s)) return EMPTY;
  if (/^[+-]?[01](\.0+)?$/.test(s)) {
    const n = Number(s);
    return n === 1 ? ONE : ZERO;
  }
  if (/^-1(\.0+)?$/.test(s)) return ZERO;
  return WORDS.get(labelKey(s)) ?? UNKNOWN;
}

/** What a label column's name asks: "has an error?", "is it correct?", or nothing definite ("label"). */
export type LabelPolarity = 'error' | 'correct' | 'neutral';

const CORRECT_COLUMNS = ['is correct', 'correct', 'correctness', 'is true', 'truth', 'true', 'veracity', 'factual', 'is factual', 'accurate', 'is accurate', 'accuracy label', 'supported', '是否正确', '正确与否', '正确', '真假', '真实性', '是否属实', '属实', '是否真实', '对错'];
const ERROR_COLUMNS = ['has error', 'error flag', 'is error', 'contains error', 'error label', 'erroneous', 'is wrong', 'wrong', 'incorrect', 'is incorrect', 'has mistake', 'hallucination', 'is hallucination', 'misinformation', 'is false', '是否有误', '是否有错', '是否错误', '是否存在错误', '有无错误', '是否含错', '错误标签', '有误'];

function columnKeyOf(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase().replace(/[\s_\-.·/()（）]+/g, '');
}
const CORRECT_COLUMN_KEYS = new Set(CORRECT_COLUMNS.map(columnKeyOf));
const ERROR_COLUMN_KEYS = new Set(ERROR_COLUMNS.map(columnKeyOf));

export function labelPolarity(column: string): LabelPolarity {
  const k = columnKeyOf(column);
  if (ERROR_COLUMN_KEYS.has(k)) return 'error';
  if (CORRECT_COLUMN_KEYS.has(k)) return 'correct';
  // Negated "correct" first: "incorrect", "不正确" ask about errors.
  if (/incorrect|notcorrect|不正确|错|误|wrong|error|mistake|hallucinat|false/.test(k)) return 'error';
  if (/correct|正确|真|属实|true|accura|factual|verac/.test(k)) return 'correct';
  return 'neutral';
}

/**
 * `true` = has an error, `false` = correct, `undefined` = empty, `null` =
 * not understood, for a column that asks "has an error?" (1, yes, 是 = error).
 */
export function parseErrorLabel(value: unknown): boolean | null | undefined {
  const r = readLabel(value);
  if (r.kind === 'empty') return undefined;
  if (r.kind === 'unknown') return null;
  return r.kind === 'meaning' ? r.hasError : r.yes;
}

/** Distinct raw values remembered per label set; a column of unique values stops filling it. */
const CACHE_LIMIT = 4096;

function buildIndex(entries: Iterable<[string, readonly string[]]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [code, names] of entries) {
    map.set(key(code), code);
    for (const n of names) map.set(key(n), code);
  }
  return map;
}

const ERROR_TYPE_INDEX = buildIndex([
  ...ERROR_TYPES.map((c): [string, string[]] => {
    const info = ERROR_TYPE_INFO[c];
    return [c, [info.zh, info.en, info.zh.replace(/错误$/, '')]];
  }),
  ['conceptual', ['concept', 'conceptual error', '概念错误', '概念']],
  ['terminological', ['terminology', 'term', 'terminological error', '术语', '术语性错误']],
  ['temporal', ['time', 'temporal error', '时间', '时间错误', '时效性错误']],
  ['other_medical', ['other medical error', 'medical other', '其他医学']],
  ['citation', ['citation', 'sourcing', 'citation and sourcing', 'citation error', '引用错误', '来源错误', '引用']],
  ['bias', ['biased', 'biased content', 'bias error', '偏见', '偏见内容', '偏见性']],
  ['general_fact', ['general', 'general fact', 'general factual error', 'factual', '一般事实', '常识错误']],
  ['other_nonmedical', ['other non medical', 'other nonmedical', 'other non-medical error', '其他非医学']],
  ...MEDEC_ERROR_TYPES.map((c): [string, string[]] => [c, [c.replace(/([A-Z])/g, ' $1')]]),
]);

const SPECIALTY_INDEX = buildIndex([
  ...SPECIALTIES.map((c): [string, string[]] => [c, [SPECIALTY_INFO[c].zh, SPECIALTY_INFO[c].en]]),
  ['tcm', ['中医', 'traditional chinese medicine', 'chinese medicine']],
  ['obgyn', ['妇科', '产科', 'obstetrics and gynecology', 'gynecology', 'obstetrics']],
  ['ophthalmology_ent', ['眼科', '耳鼻喉科', '五官科', 'ophthalmology', 'ent', 'otorhinolaryngology']],
  ['public_health', ['预防医学', '公共卫生', 'preventive medicine', 'public health']],
  ['psychiatry', ['精神科', '心理科', 'mental health', 'psychiatry and mental health']],
  ['dentistry', ['口腔', '牙科', 'stomatology', 'dental']],
  ['internal_medicine', ['内科学', 'internal']],
  ['surgery', ['外科学', 'surgical']],
  ['anesthesiology', ['麻醉', 'anesthesia', 'anaesthesiology']],
  ['oncology', ['肿瘤', 'cancer']],
  ['pediatrics', ['小儿科', 'paediatrics']],
  ['dermatology', ['皮肤', '皮肤性病科']],
  ['others', ['other', '其它']],
]);

const STYLE_INDEX = buildIndex([
  ...STYLES.map((c): [string, string[]] => [c, [STYLE_INFO[c].zh, STYLE_INFO[c].en]]),
  ['encyclopedia', ['百科类', 'wiki', 'encyclopedic', '科普']],
  ['news', ['新闻类', 'news report', '报道']],
  ['qa', ['问答类', 'q&a', 'qa', 'question answering', 'question and answer', '问诊', '咨询']],
  ['misinformation', ['谣言类', 'rumor', 'rumour', 'fake news', '伪科学']],
]);

export interface Normalized {
  code: string;
  known: boolean;
}

/**
 * A label index with a memo of raw value → code: a dataset repeats a handful
 * of label spellings, and NFKC + lower-casing + a regex per cell was a large
 * share of the import time. `null` remembers "empty"; '' remembers "unknown".
 */
function makeNormalizer(index: Map<string, string>): (value: string) => Normalized | undefined {
  const memo = new Map<string, string | null>();
  const lookUp = (s: string): string | null => {
    if (s === '' || /^(na|n\/a|null|none|-|nan)$/i.test(s)) return null;
    return index.get(key(s)) ?? '';
  };
  return (value) => {
    const s = value.trim();
    let code = memo.get(s);
    if (code === undefined) {
      code = lookUp(s);
      if (memo.size < CACHE_LIMIT) memo.set(s, code);
    }
    if (code === null) return undefined;
    return code !== '' ? { code, known: true } : { code: s, known: false };
  };
}

const errorTypeOf = makeNormalizer(ERROR_TYPE_INDEX);
const specialtyOf = makeNormalizer(SPECIALTY_INDEX);
const styleOf = makeNormalizer(STYLE_INDEX);

export function normalizeErrorType(value: string): Normalized | undefined {
  return errorTypeOf(value);
}
export function normalizeSpecialty(value: string): Normalized | undefined {
  return specialtyOf(value);
}
export function normalizeStyle(value: string): Normalized | undefined {
  return styleOf(value);
}

/**
 * Difficulty as 1..5. Accepts 1–5, "L3"/"level 3", a bin like "40-60%", a
 * share of models right in 0..1 (or a percentage): binned by 20 points.
 * Returns null for a value that cannot be read.
 */
export function normalizeDifficulty(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return undefined;
  // The common case (JSON/Parquet integers 1–5) without string round trips.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5) return value;
  const s = String(value).trim();
  if (s === '' || /^(na|n\/a|null|none|nan|-)$/i.test(s)) return undefined;
  const bin = /^(\d{1,3})\s*%?\s*[-–~～至]\s*(\d{1,3})\s*%$/.exec(s);
  if (bin) return binOfPercent(Number(bin[1]));
  const level = /^(?:l|level|难度|级别)?\s*([1-5])\s*(?:级)?$/i.exec(s);
  if (level) return Number(level[1]);
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (pct) return binOfPercent(Number(pct[1]));
  const n = Number(s);
  if (Number.isInteger(n) && n >= 1 && n <= 5) return n;
  if (Number.isFinite(n) && n >= 0 && n < 1) return binOfPercent(n * 100);
  return null;
}

function binOfPercent(p: number): number | null {
  if (!Number.isFinite(p) || p < 0 || p > 100) return null;
  return Math.min(5, Math.floor(p / 20) + 1);
}
