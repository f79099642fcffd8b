/**
 * The Chinese dose grammar: drug mentions, dose amounts, unit counts with a
 * stated strength, frequencies, intervals, explicit caps, population cues
 * and routes, read from a text into regimens (one drug, one population, one
 * way of taking it). Spans are UTF-16 offsets into the original text.
 *
 * Hand-written on purpose: this is domain logic, and each pattern below is
 * a phrasing found in package inserts, patient Q&A and LLM answers.
 */
import type { DoseDim } from './types';
import { AGE_SRC, POP_WORD_SRC, cueFromAge, cueFromWord, type PopulationCue } from './population';
import { NUM, RANGE_SEP, UNIT_SRC, normalizeForMatching, parseNumber, unitInfo } from './units';

export interface Span {
  start: number;
  end: number;
}

export type QtyRole = 'single' | 'daily' | 'strength' | 'maybe_strength' | 'ignore';

export interface Quantity extends Span {
  /** Upper bound in the base unit (mg, mL, IU), or a unit count. */
  value: number;
  dim: DoseDim | 'count';
  unitRaw: string;
  /** Offsets of the upper-bound number, for corrections that keep the wording. */
  numStart: number;
  numEnd: number;
  role: QtyRole;
  perKg: boolean;
  cap: boolean;
  /** For strengths per volume ("每5ml含100mg"): the volume in mL. */
  perMl?: number;
}

export interface Times extends Span {
  times: number;
  numStart: number;
  numEnd: number;
  source: 'frequency' | 'cap' | 'interval';
  /** For intervals: the shortest interval in hours. */
  hours?: number;
  /** "两次用药间隔至少4小时": a statement about the interval only, not a dosing frequency. */
  minOnly?: boolean;
}

export interface Mention extends Span {
  /** Formulary name (the key of its rows). */
  drug: string;
  formRoute?: string;
}

export interface PopulationToken extends Span {
  cue: PopulationCue;
}

export interface Regimen {
  drug: string;
  mention?: Mention;
  population: PopulationToken[];
  route?: string;
  single?: Quantity;
  daily?: Quantity;
  singlePerKg?: Quantity;
  dailyPerKg?: Quantity;
  count?: Quantity;
  strength?: Quantity;
  maybeStrength?: Quantity;
  caps: Quantity[];
  frequency?: Times;
  capTimes?: Times;
  interval?: Times;
  weightKg?: number;
}

export interface PopulationStatement {
  token: PopulationToken;
  /** Sentence index, and whether the statement is a question the next sentence answers yes. */
  sentence?: number;
  fromQuestion?: boolean;
  drugs: { drug: string; mention?: Mention }[];
  /** Whether the statement is negated, hedged, a warning or a question. */
  negated: boolean;
}

export interface TextReading {
  regimens: Regimen[];
  populations: PopulationStatement[];
}

type Token =
  | ({ kind: 'mention' } & Mention)
  | ({ kind: 'pop' } & PopulationToken)
  | ({ kind: 'route'; route: string } & Span)
  | ({ kind: 'qty'; q: Quantity } & Span)
  | ({ kind: 'times'; t: Times } & Span)
  | ({ kind: 'weight'; kg: number } & Span)
  | ({ kind: 'other' } & Span);

// ---------- patterns ----------

const R = (src: string, flags = 'g'): RegExp => new RegExp(src, flags);
const RANGE = `(?:${RANGE_SEP}(${NUM}))?`;
const COUNT_UNITS = '片|粒|袋|包|支|丸|贴|枚|瓶|揿|喷|滴|胶囊';

const QTY_RE = R(String.raw`(?<![\d.])(${NUM})(?:\s*(${UNIT_SRC}))?(?:${RANGE_SEP}(${NUM}))?\s*(${UNIT_SRC})(?![a-zA-Z])`);
const COUNT_RE = R(String.raw`(?<![\d.])(${NUM})${RANGE}\s*(${COUNT_UNITS})(半)?`);
const FREQ_RES: RegExp[] = [
  R(String.raw`(?:每日|一日|每天|一天|1日|1天|日|天)\s*(?:内)?\s*(?:[^，。；;,\d零〇一二两三四五六七八九十百半次\s]{0,4}?)\s*(${NUM})${RANGE}\s*次`),
  R(String.raw`(?<![\d.])(${NUM})${RANGE}\s*次\s*(?:\/|每)\s*(?:日|天|d\b|day)`, 'gi'),
  R(String.raw`分\s*(${NUM})${RANGE}\s*次`),
];
/** Frequencies said without a count: "早晚各一次" (2), "三餐后各一次" (3), "每晚一次" / "睡前一次" (1). */
const WORD_FREQ_RES: [RegExp, number][] = [
  [/早晚各\s*(?:一|1)\s*次/g, 2],
  [/(?:三餐|每餐)(?:前|后|时|中)?(?:各)?\s*(?:服用|服)?\s*(?:一|1)\s*次/g, 3],
  [/(?:每晚|每天晚上|睡前|每早|每天早上|晨起)\s*(?:服用|服|口服)?\s*(?:一|1)\s*次/g, 1],
];
const LATIN_FREQ_RE = /(?<![a-z])(qd|q\.d\.|bid|b\.i\.d\.|tid|t\.i\.d\.|qid|q\.i\.d\.|qn|qod)(?![a-z])/gi;
const LATIN_TIMES: Record<string, number> = { qd: 1, bid: 2, tid: 3, qid: 4, qn: 1, qod: 0.5 };
const CAP_WORDS = '最多不超过|最多|不超过|不得超过|不宜超过|不应超过|不可超过|勿超过|不能超过|不要超过|切勿超过|不多于|至多|限';
const CAP_TIMES_RE = R(
  String.raw`(?:(?:24|二十四)\s*(?:小时|h)\s*内?|每日|一日|每天|一天|日|全天)\s*(?:内)?\s*(?:用药|服药|给药|使用|服用|用)?\s*(?:总)?(?:次数)?\s*(?:${CAP_WORDS})\s*(?:服用|使用|用药|给药|用)?\s*(${NUM})\s*次`,
);
const INTERVAL_RES: RegExp[] = [
  R(String.raw`每隔?\s*(${NUM})${RANGE}\s*(?:个)?\s*(?:小时|钟头|h)(?![a-z])(?:[^，。；;,\n]{0,6}?(?:一次|1次|一剂|1剂))?`, 'gi'),
  R(String.raw`(?:可)?间隔\s*(${NUM})${RANGE}\s*(?:个)?\s*(?:小时|h)[^，。；;,\n]{0,4}?(?:重复|再次?)[^，。；;,\n]{0,4}?(?:一次|1次|用药|服药|给药|服用)?`, 'gi'),
  R(String.raw`(?:两次|每次)?(?:用药|服药|给药)?(?:之)?间隔(?:时间)?\s*(?:应)?\s*(?:至少|不少于|不短于|不小于|≥|大于等于|应大于)\s*(?:为)?\s*(${NUM})${RANGE}\s*(?:个)?\s*(?:小时|h)`, 'gi'),
  R(String.raw`(?:两次|每次)(?:用药|服药|给药)?(?:之)?间(?:隔)?(?:时间)?\s*(?:应)?\s*(?:为)?\s*(${NUM})${RANGE}\s*(?:个)?\s*(?:小时|h)`, 'gi'),
  R(String.raw`(?<![a-z])q\s*(\d+)\s*h(?![a-z])`, 'gi'),
];
const ROUTE_RE = /舌下含服|口服(?!液)|吞服|嚼服|含服|静脉滴注|静脉注射|静脉输注|静滴|静注|静推|肌内注射|肌肉注射|肌注|皮下注射|外用|直肠给药|塞肛/g;
const WEIGHT_RE = R(String.raw`体重\s*(?:为|约|是|只有|有)?\s*(${NUM})\s*(?:kg|千克|公斤)`, 'gi');

const ROUTE_OF: [RegExp, string][] = [
  [/口服|吞服|嚼服|含服/, '口服'],
  [/静/, '静脉'],
  [/肌/, '肌注'],
  [/皮下/, '皮下'],
  [/外用/, '外用'],
  [/直肠|塞肛/, '直肠'],
];
const routeOf = (s: string): string | undefined => ROUTE_OF.find(([re]) => re.test(s))?.[1];

const FORM_RE = /^(?:缓释片|控释片|肠溶片|分散片|泡腾片|咀嚼片|含片|片剂|片|缓释胶囊|肠溶胶囊|软胶囊|胶囊剂|胶囊|颗粒剂|颗粒|干混悬剂|混悬滴剂|混悬液|口服溶液|口服液|糖浆|滴剂|散|丸|注射液|注射剂|粉针剂|针剂|针|栓剂|栓|软膏|乳膏|凝胶|贴剂)/;
function formRoute(form: string | undefined, injectionPrefix: boolean): string | undefined {
  if (injectionPrefix) return '静脉';
  if (form === undefined) return undefined;
  if (/注射|针/.test(form)) return '静脉';
  if (/栓/.test(form)) return '直肠';
  if (/软膏|乳膏|凝胶|贴/.test(form)) return '外用';
  return '口服';
}

// Roles from the words before an amount (within its clause).
// A strength's words end at a closing bracket, a colon or another number: "（每5ml含布洛芬100mg）：成人一次50ml" doses 50ml.
const STRENGTH_PRE = new RegExp(String.raw`(?:每\s*(?:片|粒|袋|支|丸|包|瓶|贴|枚|胶囊)|规格|含量|含有|含(?!服))\s*(?:为|是)?\s*[:：]?[^，。；;,）)：:\d]*$`);
const PER_ML_PRE = new RegExp(String.raw`每\s*(${NUM})\s*(?:ml|mL|毫升)\s*(?:中)?\s*(?:含)?[^，。；;,）)：:\d]*$`, 'i');
const CAP_PRE = /(?:不超过|不得超过|不宜超过|不应超过|不可超过|勿超过|不能超过|不要超过|切勿超过|不多于|不大于|最多|至多|最大[^，。；;,\d]{0,4}?量|最高[^，。；;,\d]{0,4}?量|极量|上限|≤|<=|控制在)[^，。；;,\d]{0,4}$/;
const THRESHOLD_PRE = /(?:超过|大于|高于|多于|超出|过量|≥|>|＞|大剂量|中毒量|致死量|达到|高达|(?<!可)达|累计)\s*(?:服用|使用|摄入|口服)?\s*$/;
const NEG_PRE = /切勿|不要|不可|不得|禁止|避免|严禁|千万别|不能|不应|不宜|勿/;
const OVERDOSE_CLAUSE = /中毒|致死|过量|误服|超量|肝损伤|肝衰竭|肝坏死/;
const CONSEQUENCE_AFTER = /^[^，。；;,]*?(?:导致|引起|可致|造成|诱发)/;
const PERKG_PRE = /(?:每\s*(?:千克|公斤|kg)|按(?:每)?\s*(?:千克|公斤|kg)?\s*体重)/i;
const DAILY_WORDS = /每日|一日|每天|一天|(?<!次)日(?!\d)|全日|全天|24\s*小时|二十四小时|24h/;
const DAILY_PRE = /(?:每日|一日|每天|一天|(?<![次首第])日|全日|全天|每24小时|24小时内?|二十四小时内?)[^，。；;,\d次]{0,10}$/;
const SINGLE_PRE = /(?:每次|一次|单次|每回|1次|首次|次)[^，。；;,\d]{0,8}$/;
const SINGLE_WORDS = /每次|一次|单次|次量|每回/;
const PERKG_TAIL = /^\s*(?:\/\s*[（(]?\s*(?:kg|千克|公斤)(?:体重)?\s*(?:(?:[·.•*×/]|每)\s*(d|日|天|day|24\s*h))?\s*[)）]?|[·.]\s*kg\s*(?:-1|⁻¹)(?:\s*[·.]\s*(d)\s*(?:-1|⁻¹))?|每(?:千克|公斤)(?:体重)?)/i;
const DAILY_TAIL = /^\s*\/\s*(?:d|日|天|day|24\s*h)(?![a-z])/i;
const SINGLE_TAIL = /^\s*\/\s*次/;
// "0.5g×24片" is a pack (a strength); "0.5g×3次/日" is a dose taken three times a day.
const STRENGTH_TAIL = /^\s*(?:\/\s*(?:片|粒|袋|支|丸|包|瓶|贴|枚)|[×x*]\s*\d+\s*(?:片|粒|袋|支|丸|包|瓶|贴|枚|s\b|盒))/i;
const EXCLUDE_TAIL = /^\s*(?:\/\s*(?:l\b|dl|ml|min|h\b|小时|升|m2|m²|m\^2|mmol)|以上|[·]\s*min)/i;
const CAP_TAIL = /^\s*(?:以下|以内)/;
const DIVIDED_AFTER = new RegExp(String.raw`^[^。；;]{0,10}?分\s*(?:${NUM})(?:${RANGE_SEP}(?:${NUM}))?\s*次`);
const PACK_PRE = /(?:每盒|每瓶|每板|共|装|盒|[×x*])\s*$/;

const CLAUSE_BREAK = /[，,；;。！？!?\n]/;
const SENTENCE_BREAK = /[。！？!?\n]/;

function clauseStart(text: string, pos: number): number {
  for (let i = pos - 1; i >= 0; i--) if (CLAUSE_BREAK.test(text[i] ?? '')) return i + 1;
  return 0;
}
function clauseEnd(text: string, pos: number): number {
  for (let i = pos; i < text.length; i++) if (CLAUSE_BREAK.test(text[i] ?? '')) return i;
  return text.length;
}

interface AmountRole {
  role: QtyRole;
  perKg: boolean;
  cap: boolean;
  perMl?: number;
}

/** Decides what an amount is (single, daily, strength, a cap, or not a dose at all) from its neighbours. */
function amountRole(n: string, start: number, end: number, isCount: boolean): AmountRole {
  const cs = clauseStart(n, start);
  const pre = n.slice(cs, start);
  const tail = n.slice(end, end + 16);
  const clause = n.slice(cs, clauseEnd(n, end));
  const after = n.slice(end, clauseEnd(n, end));
  const base: AmountRole = { role: 'single', perKg: false, cap: false };
  if (EXCLUDE_TAIL.test(tail)) return { ...base, role: 'ignore' };
  // "每5ml含…", "每100ml中": a reference amount, not a dose.
  if (/每\s*$/.test(pre)) return { ...base, role: 'ignore' };
  if (isCount && PACK_PRE.test(pre)) return { ...base, role: 'ignore' };
  if (!isCount && /^\s*\/\s*(?:ml|毫升)/i.test(tail)) return { ...base, role: 'ignore' };
  const perKgTail = PERKG_TAIL.exec(tail);
  const perKg = perKgTail !== null || PERKG_PRE.test(pre);
  const perMl = PER_ML_PRE.exec(pre);
  if (perMl && !isCount) return { ...base, role: 'strength', perMl: parseNumber(perMl[1] ?? '') };
  if (!isCount && (STRENGTH_PRE.test(pre) || STRENGTH_TAIL.test(tail))) return { ...base, role: 'strength' };
  const dailyMark = DAILY_TAIL.test(tail) || (perKgTail !== null && perKgTail[1] !== undefined) || (perKgTail !== null && perKgTail[2] !== undefined);
  if (CAP_PRE.test(pre) || CAP_TAIL.test(tail)) {
    const daily = dailyMark || (DAILY_WORDS.test(pre) && !SINGLE_WORDS.test(pre.replace(/每日|一日|每天|一天/g, ''))) || !SINGLE_WORDS.test(pre);
    return { role: daily ? 'daily' : 'single', perKg, cap: true };
  }
  if (THRESHOLD_PRE.test(pre) || NEG_PRE.test(pre) || OVERDOSE_CLAUSE.test(clause) || CONSEQUENCE_AFTER.test(after)) return { ...base, role: 'ignore' };
  if (SINGLE_TAIL.test(tail)) return { role: 'single', perKg, cap: false };
  if (dailyMark) return { role: 'daily', perKg, cap: false };
  if (SINGLE_PRE.test(pre)) return { role: 'single', perKg, cap: false };
  if (DAILY_PRE.test(pre)) return { role: 'daily', perKg, cap: false };
  if (perKg && DAILY_WORDS.test(pre)) return { role: 'daily', perKg, cap: false };
  // "总量0.75～1.25mg" over a loading course, "疗程总量": neither a single nor a daily dose.
  if (/(?:总量|总剂量|共计|疗程量|共)[^，。；;,\d]{0,4}$/.test(pre)) return { ...base, role: 'ignore' };
  if (DIVIDED_AFTER.test(after.length > 0 ? n.slice(end, end + 16) : '')) return { role: 'daily', perKg, cap: false };
  if (DIVIDED_AFTER.test(n.slice(end, end + 16))) return { role: 'daily', perKg, cap: false };
  return { role: 'single', perKg, cap: false };
}

// ---------- tokenising ----------

export interface DrugName {
  /** The text to look for (a name or an alias). */
  term: string;
  /** The formulary name it stands for. */
  drug: string;
}

function findMentions(n: string, names: DrugName[]): Token[] {
  const lower = n.toLowerCase();
  const sorted = [...names].filter((d) => d.term.trim().length > 0).sort((a, b) => b.term.length - a.term.length);
  const taken = new Uint8Array(n.length);
  const out: Token[] = [];
  for (const { term, drug } of sorted) {
    const t = normalizeForMatching(term).toLowerCase();
    let from = 0;
    for (;;) {
      const i = lower.indexOf(t, from);
      if (i < 0) break;
      from = i + 1;
      let free = true;
      for (let k = i; k < i + t.length; k++) if (taken[k]) free = false;
      // An ASCII name must not sit inside a longer word.
      if (/^[a-z]/i.test(t) && /[a-z]/i.test(lower[i - 1] ?? '')) free = false;
      if (!free) continue;
      for (let k = i; k < i + t.length; k++) taken[k] = 1;
      const form = FORM_RE.exec(n.slice(i + t.length))?.[0];
      const injection = n.slice(Math.max(0, i - 3), i) === '注射用' || t.startsWith('注射用');
      const ownForm = /(?:片|胶囊|颗粒|口服液|糖浆|滴剂|混悬液|注射液|注射剂|针|栓|软膏|乳膏)$/.exec(t)?.[0];
      const fr = formRoute(form ?? ownForm, injection);
      out.push({ kind: 'mention', start: i, end: i + t.length, drug, ...(fr !== undefined ? { formRoute: fr } : {}) });
      // The dosage form belongs to the mention; nothing else may start inside it.
      if (form !== undefined) for (let k = i + t.length; k < i + t.length + form.length; k++) taken[k] = 1;
    }
  }
  return out;
}

function quantityFrom(n: string, m: RegExpExecArray, isCount: boolean): Quantity | undefined {
  const start = m.index;
  const end = start + m[0].length;
  const loRaw = m[1] ?? '';
  const hiRaw = isCount ? m[2] : m[3];
  const unitRaw = isCount ? (m[3] ?? '') : (m[4] ?? '');
  let value = parseNumber(hiRaw ?? loRaw);
  if (!Number.isFinite(value)) return undefined;
  let dim: DoseDim | 'count' = 'count';
  if (isCount) {
    if (m[4] === '半') value += 0.5;
  } else {
    const info = unitInfo(unitRaw);
    if (info === undefined) return undefined;
    dim = info.dim;
    value *= info.factor;
    // "0.5g～1000mg": the lower bound's own unit does not change the upper bound.
  }
  const hiText = hiRaw ?? loRaw;
  const numStart = hiRaw === undefined ? start : start + m[0].lastIndexOf(hiText, m[0].length - unitRaw.length);
  const role = amountRole(n, start, end, isCount);
  // The span covers "/kg", "/d", "/次" too: they are part of what the text says.
  const tail = n.slice(end, end + 16);
  const tailLen = isCount ? 0 : (PERKG_TAIL.exec(tail)?.[0].length ?? DAILY_TAIL.exec(tail)?.[0].length ?? SINGLE_TAIL.exec(tail)?.[0].length ?? 0);
  return {
    start,
    end: end + tailLen,
    value,
    dim,
    unitRaw,
    numStart,
    numEnd: numStart + hiText.length,
    role: role.role,
    perKg: role.perKg,
    cap: role.cap,
    ...(role.perMl !== undefined ? { perMl: role.perMl } : {}),
  };
}

function timesFrom(m: RegExpExecArray, source: Times['source']): Times | undefined {
  const lo = parseNumber(m[1] ?? '');
  const hi = m[2] === undefined ? lo : parseNumber(m[2]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  const start = m.index;
  const end = start + m[0].length;
  const numText = m[2] ?? m[1] ?? '';
  const rel = m[0].lastIndexOf(numText);
  const numStart = start + (rel < 0 ? 0 : rel);
  if (source === 'interval') {
    const hours = Math.min(lo, hi);
    if (hours <= 0) return undefined;
    const lowText = m[1] ?? '';
    const relLow = m[0].indexOf(lowText);
    return { start, end, times: 24 / hours, hours, source, numStart: start + relLow, numEnd: start + relLow + lowText.length };
  }
  return { start, end, times: Math.max(lo, hi), source, numStart, numEnd: numStart + numText.length };
}

function collect(re: RegExp, n: string, make: (m: RegExpExecArray) => unknown): void {
  re.lastIndex = 0;
  for (let m = re.exec(n); m !== null; m = re.exec(n)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    make(m);
  }
}

/** All tokens, non-overlapping: mentions first, then longer constructs over shorter ones. */
/**
 * Names of drugs that are not in the formulary ("维生素C", "头孢克洛", "阿昔洛韦片"): a dose after one must not
 * be charged to the formulary drug mentioned before it.
 */
const OTHER_DRUG_RE = /维生素\s*[A-Za-z]\d*|[\u4e00-\u9fa5]{1,6}(?:霉素|西林|沙星|他汀|洛尔|地平|普利|沙坦|替丁|拉唑|米松|尼松|洛芬|昔康|唑仑|西泮|那敏|洛韦|康唑|硝唑|胰岛素|肝素|头孢[\u4e00-\u9fa5]{1,3})|[\u4e00-\u9fa5]{2,8}?(?:片|胶囊|颗粒|注射液|口服液|糖浆|滴剂|混悬液|软膏)/g;
const NOT_A_DRUG_NAME = /[一二两三四五六七八九十半每次日天]|药|止痛|退烧|退热|感冒|消炎|维持|剂量|服用|口服/;

function tokenize(n: string, names: DrugName[], literalCues: string[] = []): Token[] {
  // A contraindication that names a drug ("青霉素过敏者") is a population cue, not a mention of that drug.
  const literalTokens: Token[] = [];
  for (const term of literalCues) {
    const stem = term.replace(/(?:的患者|患者|者|人群)$/, '');
    if (stem.length < 3) continue;
    for (let i = n.indexOf(stem); i >= 0; i = n.indexOf(stem, i + 1)) {
      if (literalTokens.some((t) => t.start < i + stem.length && i < t.end)) continue;
      literalTokens.push({ kind: 'pop', start: i, end: i + stem.length, cue: { low: 0, high: 0, literal: term, label: stem } });
    }
  }
  const mentions = findMentions(n, names).filter((m) => !literalTokens.some((t) => t.start <= m.start && m.end <= t.end));
  const candidates: { tok: Token; prio: number }[] = [];
  const add = (prio: number) => (t: Token | undefined) => {
    if (t) candidates.push({ tok: t, prio });
    return undefined;
  };
  collect(CAP_TIMES_RE, n, (m) => { const t = timesFrom(m, 'cap'); return t && add(1)({ kind: 'times', start: t.start, end: t.end, t }); });
  INTERVAL_RES.forEach((re, k) =>
    collect(re, n, (m) => {
      const t = timesFrom(m, 'interval');
      if (t && (k === 2 || k === 3)) t.minOnly = true;
      return t && add(2)({ kind: 'times', start: t.start, end: t.end, t });
    }),
  );
  for (const re of FREQ_RES) collect(re, n, (m) => { const t = timesFrom(m, 'frequency'); return t && add(3)({ kind: 'times', start: t.start, end: t.end, t }); });
  for (const [re, times] of WORD_FREQ_RES)
    collect(re, n, (m) => add(3)({ kind: 'times', start: m.index, end: m.index + m[0].length, t: { start: m.index, end: m.index + m[0].length, times, source: 'frequency', numStart: m.index, numEnd: m.index + m[0].length } }));
  collect(LATIN_FREQ_RE, n, (m) => {
    const key = (m[1] ?? '').toLowerCase().replace(/\./g, '');
    const times = LATIN_TIMES[key];
    if (times === undefined) return undefined;
    return add(3)({ kind: 'times', start: m.index, end: m.index + m[0].length, t: { start: m.index, end: m.index + m[0].length, times, source: 'frequency', numStart: m.index, numEnd: m.index + m[0].length } });
  });
  collect(WEIGHT_RE, n, (m) => add(4)({ kind: 'weight', start: m.index, end: m.index + m[0].length, kg: parseNumber(m[1] ?? '') }));
  collect(QTY_RE, n, (m) => { const q = quantityFrom(n, m, false); return q && add(5)({ kind: 'qty', start: q.start, end: q.end, q }); });
  collect(COUNT_RE, n, (m) => { const q = quantityFrom(n, m, true); return q && add(6)({ kind: 'qty', start: q.start, end: q.end, q }); });
  collect(R(AGE_SRC), n, (m) => { const cue = cueFromAge(m); return cue && add(7)({ kind: 'pop', start: m.index, end: m.index + m[0].length, cue }); });
  collect(R(POP_WORD_SRC), n, (m) => { const cue = cueFromWord(m[0]); return cue && add(8)({ kind: 'pop', start: m.index, end: m.index + m[0].length, cue }); });
  collect(ROUTE_RE, n, (m) => { const r = routeOf(m[0]); return r && add(9)({ kind: 'route', start: m.index, end: m.index + m[0].length, route: r }); });
  collect(OTHER_DRUG_RE, n, (m) => (NOT_A_DRUG_NAME.test(m[0]) ? undefined : add(10)({ kind: 'other', start: m.index, end: m.index + m[0].length })));

  const taken = new Uint8Array(n.length + 1);
  for (const t of [...mentions, ...literalTokens]) for (let k = t.start; k < t.end; k++) taken[k] = 1;
  // Dosage-form words after a mention were reserved by findMentions; mark them too.
  for (const t of mentions) {
    const form = FORM_RE.exec(n.slice(t.end))?.[0];
    if (form) for (let k = t.end; k < t.end + form.length; k++) taken[k] = 1;
  }
  candidates.sort((a, b) => a.prio - b.prio || b.tok.end - b.tok.start - (a.tok.end - a.tok.start) || a.tok.start - b.tok.start);
  const out: Token[] = [...mentions, ...literalTokens];
  for (const { tok } of candidates) {
    let free = true;
    for (let k = tok.start; k < tok.end; k++) if (taken[k]) { free = false; break; }
    if (!free) continue;
    for (let k = tok.start; k < tok.end; k++) taken[k] = 1;
    out.push(tok);
  }
  return out.sort((a, b) => a.start - b.start);
}

// ---------- regimens ----------

const NEGATION = /禁|忌|除[^，。；;,]{0,10}?外|不宜|不建议|避免|慎用|禁止|不得|不能|不可|不应|不要|勿|严禁|不推荐|不适用|不适合|不主张|停止哺乳|暂停哺乳|停止授乳|停药|尚未确立|尚不明确|未确立|未建立|权衡|医生指导|医师指导|遵医嘱|咨询医|风险|危险|导致|引起|致畸|畸形|不安全|有害|副作用|不良反应|影响胎儿|出血|除外|以外|除了|禁忌|谨慎|注意/;
const POP_WORD_G = new RegExp(POP_WORD_SRC, 'g');
const DOUBLE_NEGATION = /(?:不需要?|无需|不必|不用)(?:停止|暂停|停药|中断)?(?:哺乳|用药|服药)?/g;
const NEG_HEADING = /(?:【\s*(?:禁忌|慎用|注意事项|不良反应)[^】]*】|(?:禁忌症?|禁用|慎用|注意事项)\s*[:：]?)\s*$/;

function sentenceRanges(n: string): Span[] {
  const out: Span[] = [];
  let s = 0;
  for (let i = 0; i < n.length; i++) {
    if (SENTENCE_BREAK.test(n[i] ?? '')) {
      out.push({ start: s, end: i + 1 });
      s = i + 1;
    }
  }
  if (s < n.length) out.push({ start: s, end: n.length });
  return out;
}

function hasDose(r: Regimen): boolean {
  return r.single !== undefined || r.daily !== undefined || r.singlePerKg !== undefined || r.dailyPerKg !== undefined || r.count !== undefined || r.caps.length > 0 || r.frequency !== undefined || r.capTimes !== undefined || r.interval !== undefined;
}

/** Reads regimens and population statements out of a text. */
export function readText(text: string, names: DrugName[], literalCues: string[] = []): TextReading {
  const n = normalizeForMatching(text);
  const tokens = tokenize(n, names, literalCues);
  const regimens: Regimen[] = [];
  const populations: PopulationStatement[] = [];
  let drug: string | undefined;
  let mention: Mention | undefined;
  let population: PopulationToken[] = [];
  let route: string | undefined;
  let strength: Quantity | undefined;
  let weightKg: number | undefined;
  let negSection = false;
  let carried: Regimen | undefined;

  let sentIndex = -1;
  let tokenAt = 0;
  for (const sent of sentenceRanges(n)) {
    sentIndex++;
    // Tokens are sorted by start: walk them once instead of filtering per sentence.
    const firstTok = tokenAt;
    while (tokenAt < tokens.length && (tokens[tokenAt]?.start ?? Infinity) < sent.end) tokenAt++;
    const toks = tokens.slice(firstTok, tokenAt);
    const sentText = n.slice(sent.start, sent.end);
    // A question is not a statement, unless the next words answer it yes ("…可以吃布洛芬吗？可以，…").
    const asked = /[？?]\s*$/.test(sentText) || /吗\s*[？?。]?\s*$/.test(sentText);
    const question = asked && !/^\s*(?:答\s*[:：]?\s*)?(?:可以|能|是的|没问题|当然)/.test(n.slice(sent.end, sent.end + 12));
    const hasMention = toks.some((t) => t.kind === 'mention');
    if (hasMention) {
      population = [];
      route = undefined;
    }
    if (/^\s*【/.test(sentText)) negSection = false;
    // A list written one item a line ("- 每次200mg\n- 每6小时一次") is one regimen: a single line
    // break without a new drug continues the current one; a sentence end or a blank line does not.
    const continues = sent.start > 0 && n[sent.start - 1] === '\n' && n[sent.start - 2] !== '\n' && !hasMention && !/[。！？!?]\s*$/.test(n.slice(Math.max(0, sent.start - 3), sent.start - 1));
    let cur: Regimen | undefined = continues ? carried : undefined;
    const fresh = (): Regimen => {
      const r: Regimen = { drug: drug ?? '', population, caps: [], ...(mention ? { mention } : {}), ...(route !== undefined ? { route } : {}), ...(strength ? { strength } : {}), ...(weightKg !== undefined ? { weightKg } : {}) };
      regimens.push(r);
      return r;
    };
    const sentPops: PopulationToken[] = [];
    let lastPopEnd = -1;
    const used = new Set<Token>();
    const applyMention = (t: Token & { kind: 'mention' }): void => {
      used.add(t);
      if (t.drug !== drug) strength = undefined;
      drug = t.drug;
      mention = t;
      route = t.formRoute;
      cur = undefined;
    };
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i] as Token;
      if (used.has(t)) continue;
      if (t.kind === 'mention') {
        applyMention(t);
        continue;
      }
      if (t.kind === 'other') {
        drug = undefined;
        mention = undefined;
        strength = undefined;
        cur = undefined;
        continue;
      }
      if (t.kind === 'pop') {
        // "10岁及以上的2型糖尿病儿童", "我家孩子8岁": a word cue with an age in the same clause is narrowed by that age.
        if (!/岁|月/.test(t.cue.label)) {
          const sameClause = (p: PopulationToken) => /岁|月/.test(p.cue.label) && clauseStart(n, p.start) === clauseStart(n, t.start);
          const before = [...sentPops].reverse().find(sameClause);
          const after = toks.slice(i + 1).find((p): p is Token & { kind: 'pop' } => p.kind === 'pop' && sameClause(p) && p.start - t.end <= 4);
          const age = before ?? after;
          if (age && !t.cue.pregnant && !t.cue.lactating) t.cue = { ...t.cue, low: Math.max(t.cue.low, age.cue.low), high: Math.max(Math.max(t.cue.low, age.cue.low), Math.min(t.cue.high, age.cue.high)) };
        }
        const adjacent = lastPopEnd >= 0 && /^[\s及和与、或以及，,]*$/.test(n.slice(lastPopEnd, t.start));
        population = adjacent ? [...population, t] : [t];
        lastPopEnd = t.end;
        sentPops.push(t);
        if (cur && hasDose(cur)) cur = undefined;
        if (cur) cur.population = population;
        continue;
      }
      if (t.kind === 'route') {
        route = t.route;
        if (cur) cur.route = route;
        continue;
      }
      if (t.kind === 'weight') {
        if (Number.isFinite(t.kg) && t.kg > 0) weightKg = t.kg;
        if (cur) cur.weightKg = weightKg;
        continue;
      }
      // A dose written just before its drug ("每次0.5g的对乙酰氨基酚") belongs to that drug.
      const next = toks[i + 1];
      if (next && next.kind === 'mention' && /^[\s的]{0,2}$/.test(n.slice(t.end, next.start))) applyMention(next);
      if (drug === undefined || question) continue;
      cur ??= fresh();
      if (t.kind === 'times') {
        // "不用每天吃两次", "切勿每2小时服用一次": a frequency that is advised against is not a regimen.
        if (t.t.source !== 'cap' && /不用|不必|无需|不需要?|切勿|不要|不可|不能|不得|避免|禁止|勿|超过|多于/.test(n.slice(clauseStart(n, t.start), t.start))) continue;
        const slot = t.t.source === 'cap' ? 'capTimes' : t.t.source === 'interval' ? 'interval' : 'frequency';
        if (cur[slot] !== undefined) cur = fresh();
        cur[slot] = t.t;
        continue;
      }
      const q = t.q;
      if (q.role === 'ignore') continue;
      if (q.role === 'strength') {
        strength = q;
        cur.strength = q;
        continue;
      }
      if (q.cap) {
        cur.caps.push(q);
        continue;
      }
      const adjacentToForm = mention !== undefined && mention.formRoute !== undefined && q.dim !== 'count' && /^[^，。；;,\d]{0,6}?[\s（(：:]*$/.test(n.slice(mention.end, q.start)) && q.start - mention.end <= 8;
      if (adjacentToForm && q.role === 'single' && !SINGLE_PRE.test(n.slice(clauseStart(n, q.start), q.start))) {
        cur.maybeStrength = q;
        continue;
      }
      if (q.dim === 'count' && q.role === 'daily') continue; // "每日6片" without strength: nothing to compare
      const slot: 'count' | 'dailyPerKg' | 'singlePerKg' | 'daily' | 'single' =
        q.dim === 'count' ? 'count' : q.perKg ? (q.role === 'daily' ? 'dailyPerKg' : 'singlePerKg') : q.role === 'daily' ? 'daily' : 'single';
      if (cur[slot] !== undefined) cur = fresh();
      cur[slot] = q;
    }
    // Population statements: one per drug and sentence. The cue chosen is the one a dose follows
    // in its clause, else the head noun of the first group of cues ("妊娠晚期的孕妇" → 孕妇).
    if (sentPops.length > 0) {
      const sentMentions = toks.filter((t): t is Token & { kind: 'mention' } => t.kind === 'mention');
      const drugs = sentMentions.length > 0 ? sentMentions.map((m) => ({ drug: m.drug, mention: m as Mention })) : drug !== undefined ? [{ drug, ...(mention ? { mention } : {}) }] : [];
      const seenDrug = new Set<string>();
      for (const d of drugs) {
        if (seenDrug.has(d.drug)) continue;
        seenDrug.add(d.drug);
        for (const p of sentPops) {
          const cs = clauseStart(n, p.start);
          const ce = clauseEnd(n, p.end);
          const clause = n.slice(cs, ce);
          const scopes = [clause];
          if (d.mention && d.mention.start >= sent.start) scopes.push(n.slice(clauseStart(n, d.mention.start), clauseEnd(n, d.mention.end)));
          // A clause that is only a list of people ("孕妇、哺乳期妇女，") takes its verb from the next clause.
          const rest = clause.replace(POP_WORD_G, '').replace(/[\s及和与、或以及的:：]/g, '');
          if (rest.length <= 2 && ce < sent.end) scopes.push(n.slice(ce + 1, clauseEnd(n, ce + 1)));
          const negated = question || negSection || scopes.some((sc) => NEGATION.test(sc.replace(DOUBLE_NEGATION, '')));
          populations.push({ token: p, drugs: [d], negated, sentence: sentIndex, fromQuestion: asked && !question });
        }
      }
    }
    carried = cur;
    if (NEG_HEADING.test(sentText.replace(/[。\n]+$/, ''))) negSection = true;
    else if (/^\s*$/.test(sentText)) negSection = false;
  }
  // An answered question ("孩子能吃阿司匹林吗？可以，8岁儿童每次半片") is flagged where the answer names the people;
  // the question's own words count only when the answer does not name anyone.
  for (const q of populations) {
    if (!q.fromQuestion || q.negated) continue;
    const answered = populations.some((a) => a.sentence === (q.sentence ?? -2) + 1 && !a.negated && a.drugs.some((d) => q.drugs.some((e) => e.drug === d.drug)));
    if (answered) q.negated = true;
  }
  return { regimens: regimens.filter(hasDose), populations };
}
