/**
 * Population cues (成人, 儿童, ages, 孕妇, 哺乳期) as age ranges plus flags,
 * so that a cue in the text and a formulary's contraindicated population
 * ("18岁以下", "孕妇") compare by overlap rather than by string.
 */
import { NUM, RANGE_SEP, parseNumber } from './units';

export interface PopulationCue {
  /** Age range in years, half-open [low, high). */
  low: number;
  high: number;
  pregnant?: boolean;
  lactating?: boolean;
  /** Free text for contraindications that are not populations (肝功能不全). */
  literal?: string;
  /** How the text wrote it. */
  label: string;
}

const INF = Number.POSITIVE_INFINITY;

const WORDS: [RegExp, Omit<PopulationCue, 'label'>][] = [
  [/^(?:孕妇|孕期|孕早期|孕中期|孕晚期|妊娠(?:期|早期|中期|晚期)?(?:妇女)?|怀孕|准妈妈|孕产妇)/, { low: 14, high: 50, pregnant: true }],
  [/^(?:哺乳期(?:妇女|女性|母亲)?|哺乳|母乳喂养|乳母)/, { low: 14, high: 50, lactating: true }],
  [/^(?:新生儿|早产儿)/, { low: 0, high: 0.08 }],
  [/^婴幼儿/, { low: 0, high: 3 }],
  [/^婴儿/, { low: 0, high: 1 }],
  [/^幼儿/, { low: 1, high: 3 }],
  [/^青少年/, { low: 12, high: 18 }],
  [/^宝宝/, { low: 0, high: 3 }],
  [/^(?:儿童|小儿|患儿|孩子|小孩|未成年人|学龄儿童)/, { low: 0, high: 14 }],
  [/^(?:老年人|老年患者|老人|老年|高龄老人)/, { low: 65, high: INF }],
  [/^(?:成人|成年人|大人|成年患者)/, { low: 18, high: INF }],
];

/** Regex source for the word cues (longest alternatives first inside each group). */
export const POP_WORD_SRC = String.raw`(?:孕妇|孕期|孕早期|孕中期|孕晚期|妊娠(?:期|早期|中期|晚期)?(?:妇女)?|怀孕|准妈妈|孕产妇|哺乳期(?:妇女|女性|母亲)?|哺乳|母乳喂养|乳母|新生儿|早产儿|婴幼儿|婴儿|幼儿|青少年|儿童|小儿|患儿|孩子|小孩|宝宝|未成年人|老年人|老年患者|老人|老年|成人|成年人|大人|成年患者)`;

/** Ages: "16岁以下", "6～12岁儿童", "65岁以上", "6个月以下婴儿". */
export const AGE_SRC = String.raw`(${NUM})(?:${RANGE_SEP}(${NUM}))?\s*(?:周)?(岁|个月龄?|月龄)(?:半)?\s*(以下|以上|及以上|及以下|以内|之前|或以上|或以下|以前)?(?:的)?\s*(儿童|小儿|患儿|孩子|青少年|婴幼儿|婴儿|幼儿|宝宝|人群|患者|老人|老年人)?`;

export function cueFromWord(word: string): PopulationCue | undefined {
  for (const [re, cue] of WORDS) if (re.test(word)) return { ...cue, label: word };
  return undefined;
}

export function cueFromAge(m: RegExpExecArray | string[]): PopulationCue | undefined {
  const a = parseNumber(m[1] ?? '');
  const b = m[2] === undefined ? undefined : parseNumber(m[2]);
  const months = (m[3] ?? '').includes('月');
  const scale = months ? 1 / 12 : 1;
  if (!Number.isFinite(a)) return undefined;
  const rel = m[4] ?? '';
  const noun = m[5] ?? '';
  // A month count only names a population when an infant word or 龄 follows: "3个月" alone is a duration.
  if (months && !/龄/.test(m[3] ?? '') && noun === '') return undefined;
  // A bare "N岁" with nothing around it is an age of a person; without 以下/以上 or a noun it is still a cue.
  let low: number;
  let high: number;
  if (/以下|以内|之前|以前/.test(rel)) {
    low = 0;
    high = (b ?? a) * scale;
  } else if (/以上/.test(rel)) {
    low = a * scale;
    high = INF;
  } else {
    low = a * scale;
    high = ((b ?? a) + 1) * scale;
  }
  return { low, high, label: m[0] ?? '' };
}

/** Dosing category for row selection: '成人' or '儿童'. */
export function dosingCategory(cues: PopulationCue[]): '成人' | '儿童' | undefined {
  if (cues.length === 0) return undefined;
  if (cues.some((c) => c.pregnant || c.lactating || c.low >= 12)) return '成人';
  return '儿童';
}

const AGE_RE = new RegExp(AGE_SRC);
const POP_WORD_RE = new RegExp(POP_WORD_SRC);
const contraCache = new Map<string, PopulationCue>();

/** A formulary's contraindicated-population entry as a cue ("18岁以下", "孕妇", "肝功能不全者"); cached, entries repeat. */
export function cueFromContraindication(entry: string): PopulationCue {
  let cue = contraCache.get(entry);
  if (cue === undefined) {
    cue = readContraindication(entry);
    if (contraCache.size > 5000) contraCache.clear();
    contraCache.set(entry, cue);
  }
  return cue;
}

function readContraindication(entry: string): PopulationCue {
  const age = AGE_RE.exec(entry);
  if (age) {
    const c = cueFromAge(age);
    if (c) return { ...c, label: entry };
  }
  if (/孕|妊娠/.test(entry)) return { low: 14, high: 50, pregnant: true, label: entry };
  if (/哺乳|母乳|乳母/.test(entry)) return { low: 14, high: 50, lactating: true, label: entry };
  const word = POP_WORD_RE.exec(entry);
  if (word && word.index === 0) {
    const c = cueFromWord(word[0]);
    if (c) return { ...c, label: entry, high: /儿童|小儿|未成年/.test(word[0]) ? 18 : c.high };
  }
  return { low: 0, high: 0, literal: entry, label: entry };
}

/** Whether a cue in the text falls under a contraindicated population. */
export function cueMatchesContraindication(textCue: PopulationCue, contra: PopulationCue): boolean {
  if (contra.literal !== undefined) return textCue.literal !== undefined && textCue.literal === contra.literal;
  if (contra.pregnant) return textCue.pregnant === true;
  if (contra.lactating) return textCue.lactating === true;
  if (textCue.pregnant || textCue.lactating || textCue.literal !== undefined) return false;
  const overlap = Math.min(textCue.high, contra.high) - Math.max(textCue.low, contra.low);
  if (overlap <= 0) return false;
  // A stated age is a person: any overlap counts. A word such as 儿童 spans many ages: it falls under a
  // contraindication only when the contraindicated ages cover a good part of it (儿童 vs 6个月以下 does not).
  if (/岁|月/.test(textCue.label)) return true;
  const span = Math.min(textCue.high, 100) - textCue.low;
  return span <= 0 || overlap / span >= 0.3;
}
