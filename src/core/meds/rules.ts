/**
 * The medication rules: each regimen read from the text is compared with
 * the formulary rows that apply to it (population, route), and each
 * population statement with the drug's contraindicated populations. One
 * finding per offending expression; overlapping findings are merged,
 * keeping every reason.
 */
import { readText, type DrugName, type Quantity, type Regimen, type Times } from './grammar';
import { cueFromContraindication, cueMatchesContraindication, dosingCategory } from './population';
import type { Dose, DoseDim, FormularyRow, MedFinding, MedRule } from './types';
import { MED_RULES } from './types';
import { formatDose, inUnit } from './units';

export function drugNames(rows: FormularyRow[]): DrugName[] {
  const out: DrugName[] = [];
  for (const r of rows) {
    out.push({ term: r.name, drug: r.name });
    for (const a of r.aliases) out.push({ term: a, drug: r.name });
  }
  return out;
}

/** Rows that apply to a regimen: route first, then population, as the issue's precedence says. */
export function selectRows(rows: FormularyRow[], category: '成人' | '儿童' | undefined, route: string | undefined): FormularyRow[] {
  let c = rows;
  if (route !== undefined) c = c.filter((r) => r.route === '' || r.route.split('、').includes(route));
  else {
    const anyRoute = c.filter((r) => r.route === '');
    if (anyRoute.length > 0) c = anyRoute;
  }
  if (c.length === 0) return [];
  if (category !== undefined) {
    const exact = c.filter((r) => r.population === category);
    return exact.length > 0 ? exact : c.filter((r) => r.population === '');
  }
  const adult = c.filter((r) => r.population === '成人');
  if (adult.length > 0) return adult;
  const any = c.filter((r) => r.population === '');
  return any.length > 0 ? any : c;
}

type LimitKey = 'maxSingle' | 'maxDaily' | 'maxSinglePerKg' | 'maxDailyPerKg';

/** The most permissive limit among the rows that apply (so an ambiguous text is never over-flagged). */
function pickDose(rows: FormularyRow[], key: LimitKey, dim: DoseDim): { dose: Dose; row: FormularyRow } | undefined {
  let best: { dose: Dose; row: FormularyRow } | undefined;
  for (const row of rows) {
    const d = row[key];
    if (d && d.dim === dim && (best === undefined || d.value > best.dose.value)) best = { dose: d, row };
  }
  return best;
}
function pickNumber(rows: FormularyRow[], key: 'maxTimesPerDay' | 'minIntervalH', most: 'max' | 'min'): { value: number; row: FormularyRow } | undefined {
  let best: { value: number; row: FormularyRow } | undefined;
  for (const row of rows) {
    const v = row[key];
    if (v !== undefined && (best === undefined || (most === 'max' ? v > best.value : v < best.value))) best = { value: v, row };
  }
  return best;
}

const LIMIT_NAME: Record<MedRule, string> = {
  max_single: '单次最大剂量',
  max_daily: '每日最大剂量',
  max_single_per_kg: '每千克单次最大剂量',
  max_daily_per_kg: '每千克每日最大剂量',
  max_times_per_day: '每日最多次数',
  min_interval: '最短给药间隔',
  contraindicated_population: '禁忌人群',
  unit_suspect: '剂量上限',
};

function citation(row: FormularyRow): string {
  const tags = [row.population || '不限人群', row.route || '不限途径'].join('，');
  return `依据：本院处方集第 ${row.row} 行（${row.name}，${tags}），来源：${row.source || '未注明'}。`;
}

const trim = (v: number): string => String(Number(v.toPrecision(6)));

const DOWN_UNIT: Record<string, string> = { g: 'mg', G: 'mg', 克: '毫克', mg: 'μg', Mg: 'μg', MG: 'μg', 毫克: '微克' };
const UP_UNIT: Record<string, string> = { μg: 'mg', ug: 'mg', mcg: 'mg', 微克: '毫克', mg: 'g', Mg: 'g', MG: 'g', 毫克: '克' };

interface Draft extends MedFinding {
  priority: number;
}

class Collector {
  readonly drafts: Draft[] = [];
  constructor(private readonly text: string) {}
  add(f: Omit<MedFinding, 'text' | 'source' | 'row'>, row: FormularyRow): void {
    this.drafts.push({ ...f, text: this.text.slice(f.start, f.end), source: row.source, row: row.row, priority: MED_PRIORITY.indexOf(f.rule) });
  }
}

const MED_PRIORITY: MedRule[] = ['unit_suspect', 'max_single', 'max_single_per_kg', 'max_daily', 'max_daily_per_kg', 'max_times_per_day', 'min_interval', 'contraindicated_population'];

function replaceNumber(text: string, q: { start: number; end: number; numStart: number; numEnd: number }, value: string): string {
  const s = text.slice(q.start, q.end);
  return s.slice(0, q.numStart - q.start) + value + s.slice(q.numEnd - q.start);
}

/** Checks one amount against a limit; unit_suspect when the same number in the next unit would fit. */
function checkAmount(
  out: Collector,
  text: string,
  drug: string,
  q: Quantity,
  value: number,
  dim: DoseDim,
  limit: { dose: Dose; row: FormularyRow },
  rule: MedRule,
  what: string,
  perKg: boolean,
  countStrength?: Quantity,
): boolean {
  const lim = limit.dose.value;
  const suffix = perKg ? '/kg' : '';
  const found = `${formatDose(value, dim)}${suffix}`;
  const flag = (flagged: MedRule, correction: string, reason: string): true => {
    out.add({ start: q.start, end: q.end, drug, rule: flagged, limit: limit.dose.text, found, correction, reason: `${reason}${citation(limit.row)}` }, limit.row);
    return true;
  };
  if (value > lim * 1.0001) {
    const down = DOWN_UNIT[q.unitRaw];
    if (countStrength === undefined && dim === 'mass' && down !== undefined && value / 1000 <= lim && value / 1000 >= lim / 20) {
      const fixed = text.slice(q.start, q.end).replace(q.unitRaw, down);
      return flag(
        'unit_suspect',
        fixed,
        `${drug}：${what} ${found} 是本院处方集${LIMIT_NAME[rule]} ${limit.dose.text} 的 ${trim(value / lim)} 倍，而同一数值换成 ${down} 即在范围内，疑为单位写错（应为 ${fixed}？）。`,
      );
    }
    let correction: string;
    if (countStrength !== undefined) {
      const maxCount = Math.floor((lim / countStrength.value) * 2) / 2;
      correction = replaceNumber(text, q, trim(maxCount));
    } else correction = q.dim === 'count' ? `不超过 ${limit.dose.text}` : replaceNumber(text, q, inUnit(lim, q.unitRaw));
    const via = countStrength !== undefined ? `（${text.slice(q.start, q.end)} × 每${q.unitRaw} ${formatDose(countStrength.value, countStrength.dim as DoseDim)}）` : '';
    return flag(rule, correction, `${drug}：${what} ${found}${via}，超过本院处方集${LIMIT_NAME[rule]} ${limit.dose.text}。`);
  }
  const up = UP_UNIT[q.unitRaw];
  if (countStrength === undefined && dim === 'mass' && up !== undefined && value < lim / 500 && value * 1000 <= lim && value * 1000 >= lim / 20) {
    const fixed = text.slice(q.start, q.end).replace(q.unitRaw, up);
    return flag(
      'unit_suspect',
      fixed,
      `${drug}：${what} ${found} 仅为本院处方集${LIMIT_NAME[rule]} ${limit.dose.text} 的 1/${trim(lim / value)}，同一数值换成 ${up} 才是常用剂量，疑为单位写错（应为 ${fixed}？）。`,
    );
  }
  return false;
}

function timesText(t: Times): string {
  return t.source === 'interval' ? `每 ${trim(t.hours ?? 0)} 小时一次（一日最多 ${trim(t.times)} 次）` : `一日 ${trim(t.times)} 次`;
}

function evaluateRegimen(out: Collector, text: string, reg: Regimen, drugRows: FormularyRow[]): void {
  const category = dosingCategory(reg.population.map((p) => p.cue));
  const route = reg.route;
  const rows = selectRows(drugRows, category, route);
  if (rows.length === 0) return;
  const drug = reg.drug;

  // Unit counts are multiplied by the stated strength ("每片0.5g，一次2片" → 1 g).
  const strength = reg.strength ?? (reg.count ? reg.maybeStrength : undefined);
  let single: { q: Quantity; value: number; dim: DoseDim; via?: Quantity } | undefined;
  const singleQ = reg.single ?? (reg.count ? undefined : reg.maybeStrength);
  if (singleQ && singleQ.dim !== 'count') {
    if (singleQ.dim === 'volume' && strength?.perMl !== undefined && strength.dim !== 'volume') single = { q: singleQ, value: singleQ.value * (strength.value / strength.perMl), dim: strength.dim as DoseDim };
    else single = { q: singleQ, value: singleQ.value, dim: singleQ.dim };
  } else if (reg.count && strength && strength.dim !== 'count' && strength.perMl === undefined) {
    single = { q: reg.count, value: reg.count.value * strength.value, dim: strength.dim as DoseDim, via: strength };
  }

  let singleFlagged = false;
  if (single) {
    const lim = pickDose(rows, 'maxSingle', single.dim);
    if (lim) singleFlagged = checkAmount(out, text, drug, single.q, single.value, single.dim, lim, 'max_single', '单次剂量', false, single.via);
    // With a stated body weight, an absolute dose is also a dose per kilogram.
    if (!singleFlagged && reg.weightKg !== undefined && category === '儿童') {
      const limKg = pickDose(rows, 'maxSinglePerKg', single.dim);
      if (limKg && !lim) singleFlagged = checkAmount(out, text, drug, single.q, single.value / reg.weightKg, single.dim, limKg, 'max_single_per_kg', `按体重 ${trim(reg.weightKg)} kg 折算的单次剂量`, true, single.via);
    }
  }
  let singleKgFlagged = false;
  if (reg.singlePerKg && reg.singlePerKg.dim !== 'count') {
    const lim = pickDose(rows, 'maxSinglePerKg', reg.singlePerKg.dim);
    if (lim) singleKgFlagged = checkAmount(out, text, drug, reg.singlePerKg, reg.singlePerKg.value, reg.singlePerKg.dim, lim, 'max_single_per_kg', '每千克单次剂量', true);
  }
  let dailyStated = false;
  for (const q of [reg.daily, ...reg.caps.filter((c) => c.role === 'daily')]) {
    if (!q || q.dim === 'count') continue;
    dailyStated = true;
    const key = q.perKg ? 'maxDailyPerKg' : 'maxDaily';
    const lim = pickDose(rows, key, q.dim);
    if (lim) checkAmount(out, text, drug, q, q.value, q.dim, lim, q.perKg ? 'max_daily_per_kg' : 'max_daily', q.cap ? '文中所写每日上限' : '每日剂量', q.perKg);
  }
  if (reg.dailyPerKg && reg.dailyPerKg.dim !== 'count') {
    dailyStated = true;
    const lim = pickDose(rows, 'maxDailyPerKg', reg.dailyPerKg.dim);
    if (lim) checkAmount(out, text, drug, reg.dailyPerKg, reg.dailyPerKg.value, reg.dailyPerKg.dim, lim, 'max_daily_per_kg', '每千克每日剂量', true);
  }
  for (const q of reg.caps.filter((c) => c.role === 'single')) {
    if (q.dim === 'count') continue;
    const lim = pickDose(rows, q.perKg ? 'maxSinglePerKg' : 'maxSingle', q.dim);
    if (lim) checkAmount(out, text, drug, q, q.value, q.dim, lim, q.perKg ? 'max_single_per_kg' : 'max_single', '文中所写单次上限', q.perKg);
  }

  // Times a day: an explicit cap sets it; else the frequency; else 24 ÷ the shortest interval.
  const maxTimes = pickNumber(rows, 'maxTimesPerDay', 'max');
  const minInterval = pickNumber(rows, 'minIntervalH', 'min');
  let timesFlagged = false;
  if (reg.interval && minInterval && (reg.interval.hours ?? Infinity) < minInterval.value) {
    timesFlagged = true;
    out.add(
      {
        start: reg.interval.start,
        end: reg.interval.end,
        drug,
        rule: 'min_interval',
        limit: `间隔 ≥ ${trim(minInterval.value)} 小时`,
        found: `间隔 ${trim(reg.interval.hours ?? 0)} 小时`,
        correction: replaceNumber(text, reg.interval, trim(minInterval.value)),
        reason: `${drug}：给药间隔 ${trim(reg.interval.hours ?? 0)} 小时，短于本院处方集最短间隔 ${trim(minInterval.value)} 小时${
          maxTimes && !reg.interval.minOnly && !reg.capTimes && !reg.frequency && reg.interval.times > maxTimes.value ? `（按此间隔每日可达 ${trim(reg.interval.times)} 次，也超过每日最多 ${trim(maxTimes.value)} 次）` : ''
        }。${citation(minInterval.row)}`,
      },
      minInterval.row,
    );
  }
  if (maxTimes) {
    for (const t of [reg.capTimes, reg.frequency]) {
      if (!t || t.times <= maxTimes.value) continue;
      timesFlagged = true;
      out.add(
        {
          start: t.start,
          end: t.end,
          drug,
          rule: 'max_times_per_day',
          limit: `每日最多 ${trim(maxTimes.value)} 次`,
          found: timesText(t),
          correction: t.numEnd - t.numStart === t.end - t.start ? `一日${trim(maxTimes.value)}次` : replaceNumber(text, t, trim(maxTimes.value)),
          reason: `${drug}：文中${t.source === 'cap' ? '所写每日上限' : '给药频次'}${timesText(t)}，超过本院处方集每日最多 ${trim(maxTimes.value)} 次。${citation(maxTimes.row)}`,
        },
        maxTimes.row,
      );
    }
  }

  // Daily total = single × times, when neither part was flagged on its own and no daily amount is stated.
  if (dailyStated || timesFlagged) return;
  // An interval alone ("每4～6小时一次") gives 24 ÷ its shortest value for the daily total (the issue's precedence);
  // it is checked itself only against the minimum interval, and a stated daily amount caps what it implies.
  const times: Times | undefined = reg.capTimes ?? reg.frequency ?? (reg.interval?.minOnly ? undefined : reg.interval);
  if (!times) return;
  let timesPerDay = times.times;
  const dailyCap = reg.caps.find((c) => c.role === 'daily' && !c.perKg);
  if (times.source === 'interval' && dailyCap && single && dailyCap.dim === single.dim && single.value > 0) timesPerDay = Math.min(timesPerDay, Math.floor(dailyCap.value / single.value + 1e-9));
  const pairs: { amount: { q: Quantity; value: number; dim: DoseDim; via?: Quantity } | undefined; flagged: boolean; key: LimitKey; rule: MedRule; perKg: boolean }[] = [
    { amount: single, flagged: singleFlagged, key: 'maxDaily', rule: 'max_daily', perKg: false },
    { amount: reg.singlePerKg && reg.singlePerKg.dim !== 'count' ? { q: reg.singlePerKg, value: reg.singlePerKg.value, dim: reg.singlePerKg.dim } : undefined, flagged: singleKgFlagged, key: 'maxDailyPerKg', rule: 'max_daily_per_kg', perKg: true },
  ];
  for (const p of pairs) {
    if (!p.amount || p.flagged) continue;
    const lim = pickDose(rows, p.key, p.amount.dim);
    if (!lim) continue;
    const total = p.amount.value * timesPerDay;
    if (total <= lim.dose.value * 1.0001) continue;
    const a = p.amount.q;
    // The offending expression is the pair "dose … frequency" when they sit close together, else the frequency.
    const close = Math.abs(times.start - a.end) <= 10 || Math.abs(a.start - times.end) <= 10;
    const start = close ? Math.min(a.start, times.start) : times.start;
    const end = close ? Math.max(a.end, times.end) : times.end;
    const suffix = p.perKg ? '/kg' : '';
    const maxPer = lim.dose.value / timesPerDay;
    out.add(
      {
        start,
        end,
        drug,
        rule: p.rule,
        limit: lim.dose.text,
        found: `${formatDose(total, p.amount.dim)}${suffix}（${formatDose(p.amount.value, p.amount.dim)}${suffix} × ${trim(timesPerDay)} 次）`,
        correction: `单次不超过 ${formatDose(maxPer, p.amount.dim)}${suffix}，或减少每日次数`,
        reason: `${drug}：每日总量 ${formatDose(p.amount.value, p.amount.dim)}${suffix} × ${trim(timesPerDay)} 次 = ${formatDose(total, p.amount.dim)}${suffix}，超过本院处方集${LIMIT_NAME[p.rule]} ${lim.dose.text}。${citation(lim.row)}`,
      },
      lim.row,
    );
  }
}

/** Merges overlapping findings: the higher-priority rule keeps the span, and every reason is kept. */
function merge(drafts: Draft[]): MedFinding[] {
  const sorted = [...drafts].sort((a, b) => a.priority - b.priority || a.start - b.start);
  const kept: Draft[] = [];
  for (const d of sorted) {
    const hit = kept.find((k) => d.start < k.end && k.start < d.end);
    if (hit) {
      if (!hit.reason.includes(d.reason)) hit.reason += `另：${d.reason}`;
      continue;
    }
    kept.push({ ...d });
  }
  return kept.sort((a, b) => a.start - b.start || a.end - b.end).map(({ priority: _p, ...f }) => f);
}

/** All medication findings for a text against the formulary's rows. */
export function checkMedications(text: string, rows: FormularyRow[]): MedFinding[] {
  if (rows.length === 0 || text.length === 0) return [];
  const byDrug = new Map<string, FormularyRow[]>();
  for (const r of rows) byDrug.set(r.name, [...(byDrug.get(r.name) ?? []), r]);
  const literal = [...new Set(rows.flatMap((r) => r.contraindicated.filter((e) => cueFromContraindication(e).literal !== undefined)))];
  const reading = readText(text, drugNames(rows), literal);
  const out = new Collector(text);
  for (const reg of reading.regimens) {
    const drugRows = byDrug.get(reg.drug);
    if (drugRows) evaluateRegimen(out, text, reg, drugRows);
  }
  // One contraindication finding per drug and sentence: the cue a dose follows, else the head noun of the first group.
  const seen = new Set<string>();
  const candidates = reading.populations.filter((st) => !st.negated);
  const breaks: number[] = [];
  for (let i = 0; i < text.length; i++) if ('。！？!?\n'.includes(text[i] ?? '')) breaks.push(i);
  const sentenceOf = (pos: number): number => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((breaks[mid] ?? 0) < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const hits: { st: (typeof candidates)[number]; drug: string; row: FormularyRow; entry: string; score: number }[] = [];
  for (const st of candidates) {
    for (const { drug } of st.drugs) {
      for (const row of byDrug.get(drug) ?? []) {
        const entry = row.contraindicated.find((e) => cueMatchesContraindication(st.token.cue, cueFromContraindication(e)));
        if (entry === undefined) continue;
        const dosed = reading.regimens.some((r) => r.drug === drug && r.population.includes(st.token) && (r.single || r.daily || r.count || r.singlePerKg || r.dailyPerKg));
        const nextIsCue = candidates.some((o) => o.token.start > st.token.end && /^[\s及和与、或以及的]*$/.test(text.slice(st.token.end, o.token.start)) && o.drugs.some((d) => d.drug === drug));
        const label = text.slice(st.token.start, st.token.end);
        const literal = entry.includes(label) || label.includes(entry);
        hits.push({ st, drug, row, entry, score: (literal ? 4 : 0) + (dosed ? 2 : 0) + (nextIsCue ? 0 : 1) });
        break;
      }
    }
  }
  const best = new Map<string, (typeof hits)[number]>();
  for (const h of hits) {
    const key = `${sentenceOf(h.st.token.start)}:${h.drug}`;
    const cur = best.get(key);
    if (!cur || h.score > cur.score) best.set(key, h);
  }
  for (const { st, drug, row, entry } of best.values()) {
    const key = `${st.token.start}:${drug}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const label = text.slice(st.token.start, st.token.end);
    // The offending expression is the people and the permission right after them ("孕妇可以服用"), kept short
    // (at most three times the people's words) so that it still points at the population.
    const verb = /^(?:也|都|均)?(?:可以|可|能够|能)?(?:放心)?(?:服用|使用|应用|用|吃|口服)/.exec(text.slice(st.token.end, st.token.end + 8))?.[0] ?? '';
    const end = verb !== '' && label.length + verb.length <= 3 * label.length ? st.token.end + verb.length : st.token.end;
    out.add(
      {
        start: st.token.start,
        end,
        drug,
        rule: 'contraindicated_population',
        limit: `${entry}禁用`,
        found: `对${label}推荐使用`,
        correction: `${label}禁用${drug}`,
        reason: `${drug}：本院处方集将“${entry}”列为禁忌人群，文中却对${label}推荐或给出用法。${citation(row)}`,
      },
      row,
    );
  }
  return merge(out.drafts);
}

export { MED_RULES };
