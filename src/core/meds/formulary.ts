/**
 * Formulary (处方集) rows from tabular records: header detection in Chinese
 * or English (overridable by a mapping), one typed row per good record, and
 * every bad record listed with its row number, field and what to do.
 */
import type { BadFormularyRow, Dose, Formulary, FormularyField, FormularyRow } from './types';
import { normalizeForMatching, parseDoseCell, parseNumber } from './units';

export const FORMULARY_FIELDS: readonly FormularyField[] = [
  'name',
  'aliases',
  'population',
  'route',
  'max_single',
  'max_daily',
  'max_single_per_kg',
  'max_daily_per_kg',
  'max_times_per_day',
  'min_interval_h',
  'contraindicated_populations',
  'source',
];

/** Chinese column titles used in the README and the demo file. */
export const FIELD_LABELS_ZH: Record<FormularyField, string> = {
  name: '通用名',
  aliases: '别名',
  population: '人群',
  route: '途径',
  max_single: '单次最大剂量',
  max_daily: '每日最大剂量',
  max_single_per_kg: '每千克单次最大剂量',
  max_daily_per_kg: '每千克每日最大剂量',
  max_times_per_day: '每日最多次数',
  min_interval_h: '最短间隔小时',
  contraindicated_populations: '禁忌人群',
  source: '来源',
};

const HEADER_SYNONYMS: Record<FormularyField, string[]> = {
  name: ['通用名', '药品通用名', '药品名称', '药名', '名称', 'name', 'generic_name', 'genericname', 'drug', 'drug_name'],
  aliases: ['别名', '商品名', '其他名称', 'aliases', 'alias', 'brand', 'brand_names', 'other_names'],
  population: ['人群', '适用人群', '用药人群', 'population', 'group'],
  route: ['途径', '给药途径', '用药途径', 'route'],
  max_single: ['单次最大剂量', '单次最大量', '单次极量', '一次最大剂量', 'max_single', 'max_single_dose', 'maxsingle'],
  max_daily: ['每日最大剂量', '日最大剂量', '每日最大量', '每日极量', 'max_daily', 'max_daily_dose', 'maxdaily'],
  max_single_per_kg: ['每千克单次最大剂量', '单次最大剂量每千克', '每公斤单次最大剂量', 'max_single_per_kg', 'max_single_mg_per_kg'],
  max_daily_per_kg: ['每千克每日最大剂量', '每日最大剂量每千克', '每公斤每日最大剂量', 'max_daily_per_kg', 'max_daily_mg_per_kg'],
  max_times_per_day: ['每日最多次数', '每日最大次数', '每日次数上限', 'max_times_per_day', 'max_times', 'max_doses_per_day'],
  min_interval_h: ['最短间隔小时', '最短间隔', '最短间隔(小时)', '最小间隔小时', 'min_interval_h', 'min_interval', 'min_interval_hours'],
  contraindicated_populations: ['禁忌人群', '禁用人群', '禁忌', 'contraindicated_populations', 'contraindicated', 'contraindications'],
  source: ['来源', '出处', '依据', 'source', 'reference'],
};

const headerKey = (s: string): string =>
  normalizeForMatching(s)
    .trim()
    .toLowerCase()
    .replace(/[\s\-（）()]+/g, (m) => (/[（）()]/.test(m) ? '' : '_'))
    .replace(/^_+|_+$/g, '');

const HEADER_UNIT_RE = /\s*[（(]\s*(mg|g|μg|µg|ug|mcg|ml|IU|U|单位|万单位|毫克|克|微克|毫升|小时|h|次)\s*(\/\s*kg)?\s*[)）]\s*$|_(mg|g|ug|mcg|ml|iu)(_per_kg)?$/i;

function stripHeaderUnit(column: string): string {
  return column.replace(HEADER_UNIT_RE, (m, _a, _b, _c, perKg: string | undefined) => (m.startsWith('_') && perKg ? '_per_kg' : ''));
}

/** The unit a header names for bare numbers below it ("单次最大剂量（mg）" → mg). */
export function headerUnit(column: string | undefined): string | undefined {
  if (column === undefined) return undefined;
  const m = HEADER_UNIT_RE.exec(normalizeForMatching(column));
  const unit = m?.[1] ?? m?.[3];
  if (unit === undefined || /小时|^h$|次/i.test(unit)) return undefined;
  return unit;
}

/** Detects which column holds which field; explicit mapping entries win. */
export function detectFormularyMapping(columns: string[], overrides: Partial<Record<FormularyField, string>> = {}): Partial<Record<FormularyField, string>> {
  const mapping: Partial<Record<FormularyField, string>> = {};
  const used = new Set<string>();
  for (const field of FORMULARY_FIELDS) {
    const o = overrides[field];
    if (o !== undefined && columns.includes(o)) {
      mapping[field] = o;
      used.add(o);
    }
  }
  for (const field of FORMULARY_FIELDS) {
    if (mapping[field] !== undefined) continue;
    const wanted = new Set(HEADER_SYNONYMS[field].map(headerKey));
    // "单次最大剂量（mg）", "max_single_mg": the unit in the header does not change the field.
    const col = columns.find((c) => !used.has(c) && (wanted.has(headerKey(c)) || wanted.has(headerKey(stripHeaderUnit(c)))));
    if (col !== undefined) {
      mapping[field] = col;
      used.add(col);
    }
  }
  return mapping;
}

export function splitList(cell: string): string[] {
  return cell
    .split(/[；;、,，|]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const ROUTES: [RegExp, string][] = [
  [/^(口服|po|p\.o\.|oral|吞服|含服|嚼服|舌下|舌下含服|sublingual)$/i, '口服'],
  [/^(静脉|静脉滴注|静滴|静注|静脉注射|静推|iv|i\.v\.|ivgtt|intravenous)$/i, '静脉'],
  [/^(肌注|肌内注射|肌肉注射|im|i\.m\.|intramuscular)$/i, '肌注'],
  [/^(皮下|皮下注射|ih|sc|s\.c\.|subcutaneous)$/i, '皮下'],
  [/^(外用|局部|topical)$/i, '外用'],
  [/^(直肠|塞肛|rectal)$/i, '直肠'],
];

/** One route, or several separated by 、/；("口服、静脉" → "口服、静脉" with each part normalised). */
export function normalizeRoute(raw: string): string {
  const s = normalizeForMatching(raw).trim();
  if (s === '' || /^(任意|全部|不限|any|all)$/i.test(s)) return '';
  const parts = s.split(/\s*(?:[、,，;；|]|或|及|和|\/(?!\s*(?:d|日)))\s*/).filter((p) => p !== '');
  const one = (p: string): string => {
    for (const [re, v] of ROUTES) if (re.test(p)) return v;
    return p;
  };
  return [...new Set(parts.map(one))].join('、');
}

export function normalizePopulation(raw: string): string {
  const s = normalizeForMatching(raw).trim();
  if (s === '' || /^(任意|全部|不限|所有|通用|any|all)$/i.test(s)) return '';
  if (/^(成人|成年人|adult|adults)$/i.test(s)) return '成人';
  if (/^(儿童|小儿|children|child|pediatric|paediatric|kids?)$/i.test(s)) return '儿童';
  // "成人及12岁以上儿童", "12岁以上" → adult dosing; "小儿", "婴幼儿", "6-12岁" → child dosing.
  if (/成人|成年|adult|老年/i.test(s)) return '成人';
  const over = /(\d+)\s*岁以上/.exec(s);
  if (over && Number(over[1]) >= 12) return '成人';
  if (/儿|婴|幼|child|pediatric|岁/i.test(s)) return '儿童';
  return s;
}

const SALT_PREFIX = /^(?:盐酸|硫酸|马来酸|苯磺酸|甲磺酸|磷酸|枸橼酸|酒石酸|重酒石酸|琥珀酸|富马酸|氢溴酸|醋酸|乳酸|门冬氨酸|甲硫酸|萘磺酸)/;
const SALT_SUFFIX = /(?:钠|钾|钙|镁|锌)$/;
const FORM_SUFFIX = /(?:缓释片|控释片|肠溶片|分散片|泡腾片|咀嚼片|片|缓释胶囊|肠溶胶囊|胶囊|颗粒|干混悬剂|混悬液|口服溶液|口服液|糖浆|滴剂|注射液|注射剂|栓)$/;

/** Names a text may use for a formulary name: without the salt ("盐酸二甲双胍" → 二甲双胍, "头孢曲松钠" → 头孢曲松) or the dosage form. */
export function autoAliases(name: string): string[] {
  const out = new Set<string>();
  let base = name.replace(/^注射用/, '').replace(FORM_SUFFIX, '');
  if (base !== name && base.length >= 2) out.add(base);
  const noPrefix = base.replace(SALT_PREFIX, '');
  if (noPrefix !== base && noPrefix.length >= 3) {
    out.add(noPrefix);
    base = noPrefix;
  }
  if (SALT_SUFFIX.test(base) && !/酸.$/.test(base)) {
    const noSuffix = base.replace(SALT_SUFFIX, '');
    if (noSuffix.length >= 3) out.add(noSuffix);
  }
  out.delete(name);
  return [...out];
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(cellText).join('；');
  return '';
}

/**
 * Typed rows from raw records. rowNumber(i) gives the number a person sees
 * for record i (header row counted for tables).
 */
export function parseFormularyRecords(
  records: Record<string, unknown>[],
  options: { columns?: string[]; mapping?: Partial<Record<FormularyField, string>>; rowNumber?: (index: number) => number } = {},
): Formulary {
  const columns = options.columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  const mapping = detectFormularyMapping(columns, options.mapping);
  const rowNumber = options.rowNumber ?? ((i: number) => i + 2);
  const rows: FormularyRow[] = [];
  const bad: BadFormularyRow[] = [];
  if (mapping.name === undefined) {
    bad.push({ row: 1, field: 'name', message: `找不到“通用名 / name”列（现有列：${columns.join('、') || '无'}）。请添加该列或在映射中指定。` });
    return { rows, bad, mapping, columns };
  }
  records.forEach((rec, i) => {
    const row = rowNumber(i);
    const get = (f: FormularyField): string => {
      const col = mapping[f];
      return col === undefined ? '' : cellText(rec[col]).trim();
    };
    if (FORMULARY_FIELDS.every((f) => get(f) === '')) return; // blank line
    const name = get('name');
    if (name === '') {
      bad.push({ row, field: 'name', message: `第 ${row} 行：缺少通用名。请填写药品通用名。` });
      return;
    }
    const errors: BadFormularyRow[] = [];
    const dose = (f: FormularyField, perKg: boolean): Dose | undefined => {
      let cell = get(f);
      if (cell === '') return undefined;
      const unit = headerUnit(mapping[f]);
      if (unit !== undefined && /^\s*[\d.]+\s*$/.test(normalizeForMatching(cell))) cell = `${cell} ${unit}`;
      const r = parseDoseCell(cell, perKg);
      if ('error' in r) {
        errors.push({ row, field: f, message: `第 ${row} 行（${name}）“${FIELD_LABELS_ZH[f]}”：${r.error}。` });
        return undefined;
      }
      return r.dose;
    };
    const count = (f: FormularyField, unitRe: RegExp): number | undefined => {
      const cell = normalizeForMatching(get(f))
        .replace(/^\s*(?:每日|每天|一日|一天|24\s*小时内?|≥|>=|不少于|不超过|≤|<=|最多|至少)\s*/, '')
        .replace(unitRe, '')
        .trim();
      if (cell === '') return undefined;
      const v = parseNumber(cell);
      if (!Number.isFinite(v) || v <= 0) {
        errors.push({ row, field: f, message: `第 ${row} 行（${name}）“${FIELD_LABELS_ZH[f]}”：无法读取的数字“${get(f)}”。请填写正数。` });
        return undefined;
      }
      return v;
    };
    const parsed: FormularyRow = {
      row,
      name,
      aliases: [...new Set([...splitList(get('aliases')), ...autoAliases(name)])].filter((a) => a !== name),
      population: normalizePopulation(get('population')),
      route: normalizeRoute(get('route')),
      contraindicated: splitList(get('contraindicated_populations')),
      source: get('source'),
    };
    const ms = dose('max_single', false);
    if (ms) parsed.maxSingle = ms;
    const md = dose('max_daily', false);
    if (md) parsed.maxDaily = md;
    const msk = dose('max_single_per_kg', true);
    if (msk) parsed.maxSinglePerKg = msk;
    const mdk = dose('max_daily_per_kg', true);
    if (mdk) parsed.maxDailyPerKg = mdk;
    const mt = count('max_times_per_day', /\s*次?\s*(?:\/\s*(?:日|天|d|day)|每日)?$/i);
    if (mt !== undefined) parsed.maxTimesPerDay = mt;
    const mi = count('min_interval_h', /(小时|h|hours?)$/i);
    if (mi !== undefined) parsed.minIntervalH = mi;
    if (errors.length > 0) {
      bad.push(...errors);
      return;
    }
    rows.push(parsed);
  });
  return { rows, bad, mapping, columns };
}
