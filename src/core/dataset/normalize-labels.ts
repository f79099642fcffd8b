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

const TRUE_VALUES = ['1', 'true', 't', 'yes', 'y', '是', '有', '有误', '有错', '有错误', '错误', '错', '不正确', 'error', 'err', 'incorrect', 'wrong', 'false_claim', 'erroneous', 'haserror', 'witherror', 'invalid', 'x', '×', '✗'];
const FALSE_VALUES = ['0', 'false', 'f', 'no', 'n', '否', '无', '无误', '无错', '无错误', '正确', '对', '正常', 'correct', 'right', 'ok', 'noerror', 'valid', 'true_claim', '✓', '√'];
const TRUE_SET = new Set(TRUE_VALUES.map(key));
const FALSE_SET = new Set(FALSE_VALUES.map(key));

/**
 * `true` = has an error, `false` = correct, `undefined` = empty,
 * `null` = present but not understood.
 */
export function parseErrorLabel(value: unknown): boolean | null | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (Number(value) === 1) return true;
    if (Number(value) === 0) return false;
    return null;
  }
  const s = String(value).trim();
  if (s === '') return undefined;
  if (/^[01](\.0+)?$/.test(s)) return s.startsWith('1');
  const k = key(s);
  if (TRUE_SET.has(k)) return true;
  if (FALSE_SET.has(k)) return false;
  return null;
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
