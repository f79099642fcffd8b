/**
 * Property tests: a dose within the formulary's limits is never flagged,
 * however it is phrased; the same phrasing with the dose scaled above the
 * limit always is, on exactly the dose expression.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkMedications, type FormularyRow } from '../../../../src/core/meds';

const UNITS = [
  { u: 'g', f: 1000 },
  { u: '克', f: 1000 },
  { u: 'mg', f: 1 },
  { u: '毫克', f: 1 },
  { u: ' mg', f: 1 },
  { u: 'μg', f: 0.001 },
  { u: '微克', f: 0.001 },
] as const;

const TEMPLATES: ((drug: string, dose: string, times: string) => string)[] = [
  (d, x, t) => `${d}：口服，成人一次${x}，${t}。`,
  (d, x, t) => `${d}每次${x}，${t}，饭后服用。`,
  (d, x, t) => `出院带药：${d} ${x} 口服 ${t}。`,
  (d, x, t) => `成人患者可服用${d}，单次剂量${x}，${t}，疗程7～10天。`,
  (d, x, t) => `【用法用量】\n${d}：成人常用量为每次${x}，${t}；65岁以上老人酌减。`,
  (d, x, t) => `问：${d}怎么吃？答：一般每次${x}，${t}，体温超过38.5℃再吃。`,
  (d, x, t) => `当然可以。${d}的推荐剂量是每次 ${x}，${t}。`,
];
const TIMES = [
  (n: number) => `一日${n}次`,
  (n: number) => `每日${['一', '两', '三', '四'][n - 1] ?? n}次`,
  (n: number) => `一天${n}次`,
  (n: number) => `${n}次/日`,
];

function formulary(limit: number, times: number): FormularyRow[] {
  return [
    {
      row: 2,
      name: '测试药',
      aliases: ['试验片'],
      population: '成人',
      route: '',
      maxSingle: { value: limit, dim: 'mass', text: `${limit} mg` },
      maxDaily: { value: limit * times, dim: 'mass', text: `${limit * times} mg` },
      maxTimesPerDay: times,
      contraindicated: [],
      source: '属性测试',
    },
  ];
}

const written = (mg: number, f: number): string => String(Number((mg / f).toPrecision(4)));

const arbCase = fc.record({
  limit: fc.constantFrom(10, 40, 100, 250, 400, 500, 1000, 2000),
  times: fc.integer({ min: 1, max: 4 }),
  unit: fc.constantFrom(...UNITS),
  template: fc.constantFrom(...TEMPLATES),
  timesPhrase: fc.constantFrom(...TIMES),
  drug: fc.constantFrom('测试药', '试验片'),
});

describe('dose properties', () => {
  it('a dose within the limits is never flagged, however it is phrased', () => {
    fc.assert(
      fc.property(arbCase, fc.double({ min: 0.05, max: 1, noNaN: true }), fc.integer({ min: 1, max: 4 }), (c, frac, t) => {
        const times = Math.min(t, c.times);
        const num = written(c.limit * frac, c.unit.f);
        fc.pre(Number(num) * c.unit.f <= c.limit && Number(num) > 0);
        // Very small doses in a larger unit would read as a unit error; keep to doses people write.
        fc.pre(Number(num) * c.unit.f >= c.limit / 100);
        const text = c.template(c.drug, `${num}${c.unit.u}`, c.timesPhrase(times));
        expect(checkMedications(text, formulary(c.limit, c.times))).toEqual([]);
      }),
      { numRuns: 400, seed: 12 },
    );
  });

  it('the same dose scaled above the limit is always flagged, on exactly the dose', () => {
    fc.assert(
      fc.property(arbCase, fc.double({ min: 1.3, max: 15, noNaN: true }), (c, k) => {
        const num = written(c.limit * k, c.unit.f);
        fc.pre(Number(num) * c.unit.f > c.limit * 1.01);
        const dose = `${num}${c.unit.u}`;
        const text = c.template(c.drug, dose, c.timesPhrase(1));
        const findings = checkMedications(text, formulary(c.limit, c.times));
        const at = text.indexOf(dose) + (dose.startsWith(' ') ? 1 : 0);
        expect(findings).toEqual([expect.objectContaining({ rule: 'max_single', start: at, end: text.indexOf(dose) + dose.length })]);
      }),
      { numRuns: 400, seed: 12 },
    );
  });

  it('more times a day than allowed is always flagged on the frequency', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 1, max: 4 }), (c, extra) => {
        const times = c.times + extra;
        const num = written(c.limit / 2, c.unit.f);
        const text = c.template(c.drug, `${num}${c.unit.u}`, c.timesPhrase(times));
        const phrase = c.timesPhrase(times);
        const findings = checkMedications(text, formulary(c.limit, c.times));
        expect(findings).toEqual([expect.objectContaining({ rule: 'max_times_per_day', start: text.indexOf(phrase), end: text.indexOf(phrase) + phrase.length })]);
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
