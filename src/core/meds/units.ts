/**
 * Numbers and units as Chinese drug texts write them. Normalisation keeps
 * every UTF-16 offset (one code unit in, one out), so spans found in the
 * normalised text are spans of the original.
 */
import type { Dose, DoseDim } from './types';

/** Full-width digits/letters/punctuation → ASCII, µ → μ; same length as the input. */
export function normalizeForMatching(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e && c !== 0xff0c && c !== 0xff1b && c !== 0xff1a && c !== 0xff08 && c !== 0xff09 && c !== 0xff5e && c !== 0xff1f && c !== 0xff01) {
      out += String.fromCharCode(c - 0xfee0);
    } else if (c === 0x00b5) out += 'μ';
    else if (c === 0x3000) out += ' ';
    else out += text[i];
  }
  return out;
}

const CN_DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** Regex source for one number: Arabic (decimal, simple fraction), Chinese numerals, 半. */
export const NUM = String.raw`(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?(?:/\d+(?![\d.]))?|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*(?:点[零〇一二三四五六七八九]+)?|半)`;
/** Range separators; the upper bound counts. */
export const RANGE_SEP = String.raw`\s*(?:~|～|-|－|—|–|至|到|或)\s*`;

/** Value of a number written in Arabic or Chinese numerals; NaN when unreadable. */
export function parseNumber(raw: string): number {
  const s = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(raw.trim()) ? raw.trim().replace(/,/g, '') : raw.trim();
  if (s === '半') return 0.5;
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s);
  const frac = /^(\d+)\/(\d+)$/.exec(s);
  if (frac) return Number(frac[2]) === 0 ? Number.NaN : Number(frac[1]) / Number(frac[2]);
  const [intPart = '', decPart] = s.split('点');
  let total = 0;
  let current = 0;
  for (const ch of intPart) {
    if (ch in CN_DIGIT) current = CN_DIGIT[ch] ?? 0;
    else if (ch in CN_UNIT) {
      total += (current === 0 ? 1 : current) * (CN_UNIT[ch] ?? 1);
      current = 0;
    } else return Number.NaN;
  }
  total += current;
  if (decPart !== undefined) {
    let d = '';
    for (const ch of decPart) {
      const v = CN_DIGIT[ch];
      if (v === undefined) return Number.NaN;
      d += String(v);
    }
    total += Number(`0.${d}`);
  }
  return total;
}

/** Unit alternatives, longest first; the map gives dimension and factor to the base unit. */
export const UNIT_SRC = String.raw`(?:万国际单位|万单位|万IU|万iu|万U|国际单位|mcg|μg|ug|毫克|微克|毫升|单位|mg|Mg|MG|mL|ml|ML|IU|iu|g|G|克|U)`;

/** Each unit's spellings (lower case) with its dimension, factor to the base unit, and base unit. */
const UNITS: readonly [spellings: readonly string[], info: Readonly<{ dim: DoseDim; factor: number; base: string }>][] = [
  [['g', '克'], { dim: 'mass', factor: 1000, base: 'g' }],
  [['mg', '毫克'], { dim: 'mass', factor: 1, base: 'mg' }],
  [['μg', 'ug', 'mcg', '微克'], { dim: 'mass', factor: 0.001, base: 'μg' }],
  [['ml', '毫升'], { dim: 'volume', factor: 1, base: 'mL' }],
  [['iu', 'u', '单位', '国际单位'], { dim: 'iu', factor: 1, base: 'IU' }],
  [['万单位', '万iu', '万u', '万国际单位'], { dim: 'iu', factor: 10000, base: '万单位' }],
];
const UNIT_BY_SPELLING = new Map(UNITS.flatMap(([spellings, info]) => spellings.map((u) => [u, info] as const)));

export function unitInfo(raw: string): { dim: DoseDim; factor: number; base: string } | undefined {
  const info = UNIT_BY_SPELLING.get(raw.trim().toLowerCase());
  return info ? { ...info } : undefined;
}

function trimNumber(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Readable dose from a base-unit value ("1 g", "250 mg", "125 μg", "80 万单位"). */
export function formatDose(value: number, dim: DoseDim): string {
  if (dim === 'mass') {
    if (value >= 1000) return `${trimNumber(value / 1000)} g`;
    if (value < 1) return `${trimNumber(value * 1000)} μg`;
    return `${trimNumber(value)} mg`;
  }
  if (dim === 'volume') return `${trimNumber(value)} mL`;
  if (value >= 10000 && value % 10000 === 0) return `${trimNumber(value / 10000)} 万单位`;
  return `${trimNumber(value)} IU`;
}

/** A value in the unit the text used (for corrections that keep the writer's unit). */
export function inUnit(value: number, unitRaw: string): string {
  const info = unitInfo(unitRaw);
  if (info === undefined) return trimNumber(value);
  return trimNumber(value / info.factor);
}

const CELL_RE = new RegExp(String.raw`^(${NUM})\s*(${UNIT_SRC})?\s*((?:/|每)\s*(?:kg|千克|公斤))?$`, 'i');

/**
 * Parses a formulary cell such as "1 g", "500mg", "15 mg/kg", "10万单位".
 * perKg: whether the column is per kilogram ("/kg" is then optional, and
 * elsewhere it is an error).
 */
export function parseDoseCell(cell: string, perKg: boolean): { dose: Dose } | { error: string } {
  // Decorations people put around a limit: "≤1 g", "1 g/次", "4 g/日", "1 g（2片）".
  const s = normalizeForMatching(cell)
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[（(][^）)]*[）)]\s*$/, '')
    .replace(/^(?:≤|<=|<|不超过|最大|最多|极量)\s*/, '')
    .replace(/\s*(?:\/\s*(?:次|日|天|d|day|dose)|每次|每日|per dose|per day)\s*$/i, '')
    .trim();
  const m = CELL_RE.exec(s);
  if (!m) {
    const num = new RegExp(`^${NUM}`).exec(s);
    const rest = num ? s.slice(num[0].length).trim() : s;
    if (num === null || new RegExp(`^[^\\d]*${UNIT_SRC}\\s*$`).test(rest) && !new RegExp(`^${UNIT_SRC}\\s*$`).test(rest)) return { error: `无法读取的数字“${s}”` };
    return { error: `无法识别的单位“${rest}”（可用 g、mg、μg、mL、IU、万单位${perKg ? '，可加 /kg' : ''}）` };
  }
  const value = parseNumber(m[1] ?? '');
  if (!Number.isFinite(value) || value <= 0) return { error: `无法读取的数字“${m[1] ?? ''}”` };
  if (m[2] === undefined) return { error: `缺少单位（可用 g、mg、μg、mL、IU、万单位）` };
  const info = unitInfo(m[2]);
  if (info === undefined) return { error: `无法识别的单位“${m[2]}”` };
  if (m[3] !== undefined && !perKg) return { error: `此列是总剂量，不应带 /kg（每千克剂量请填入每千克列）` };
  const base = value * info.factor;
  return { dose: { value: base, dim: info.dim, text: `${formatDose(base, info.dim)}${perKg ? '/kg' : ''}` } };
}
