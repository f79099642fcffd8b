/**
 * The dose grammar and rules over real-world phrasings (package inserts,
 * patient Q&A, discharge orders, LLM answers), each asserting exactly which
 * expression is flagged and by which rule, and tricky correct texts that a
 * naive parser would flag.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkMedications, type FormularyRow, type MedRule } from '../../../../src/core/meds';
import { fixtureFormulary } from './eval-helpers';

let rows: FormularyRow[];
beforeAll(async () => {
  rows = await fixtureFormulary();
});

const flagged = (text: string): [string, MedRule][] => checkMedications(text, rows).map((f) => [f.text, f.rule]);

describe('doses and units', () => {
  it.each<[string, [string, MedRule][]]>([
    ['对乙酰氨基酚片：口服，成人一次5g，一日3次。', [['5g', 'max_single']]],
    ['对乙酰氨基酚片：口服，成人一次0.5g，一日3次。', []],
    ['扑热息痛一次服用两克，每日四次。', [['两克', 'max_single']]],
    ['扑热息痛一次服用一千毫克，每日四次。', []],
    ['布洛芬每次0.2～0.4g，每日3次。', []],
    ['布洛芬每次0.2～4g，每日3次。', [['0.2～4g', 'max_single']]],
    ['布洛芬每次200-400毫克。', []],
    ['布洛芬每次 200 至 800 mg。', [['200 至 800 mg', 'max_single']]],
    ['布洛芬500mg/次，一日2次。', [['500mg/次', 'max_single']]],
    ['氯雷他定１０ｍｇ，一日一次。', []],
    ['氯雷他定１００ｍｇ，一日一次。', [['１００ｍｇ', 'max_single']]],
    ['地高辛每日0.25克。', [['0.25克', 'unit_suspect']]],
    ['地高辛每次0.25μg，每日一次。', [['0.25μg', 'unit_suspect']]],
    ['地高辛每次0.25mg，每日一次。', []],
    ['地高辛每次250微克，每日一次。', []],
    ['对乙酰氨基酚 1,000 mg，一日3次。', []],
    ['对乙酰氨基酚 5,000 mg，一日3次。', [['5,000 mg', 'max_single']]],
    ['阿莫西林0.5g×3次/日，口服。', []],
    ['阿莫西林0.5g×6次/日，口服。', [['6次/日', 'max_times_per_day']]],
    ['对乙酰氨基酚每次500g。', [['500g', 'unit_suspect']]],
    ['青霉素钠肌注，一次80万单位，一日2次。', []],
    ['青霉素钠肌注，一次800万单位，一日2次。', [['800万单位', 'max_single']]],
    ['青霉素钠静脉滴注，一次300万单位，每4小时一次。', []],
    ['青霉素钠静脉滴注，一次400万单位，每4小时一次。', [['400万单位，每4小时一次', 'max_daily']]],
  ])('%s', (text, expected) => {
    expect(flagged(text)).toEqual(expected);
  });

  it('gives limit, found, correction, and a Chinese reason citing the row and its source', () => {
    const text = '对乙酰氨基酚片：口服，成人一次5g，一日3次。';
    const [f] = checkMedications(text, rows);
    expect(f).toMatchObject({ drug: '对乙酰氨基酚', rule: 'max_single', limit: '1 g', found: '5 g', correction: '1g', row: 2 });
    expect(text.slice(f?.start, f?.end)).toBe('5g');
    expect(f?.reason).toContain('单次最大剂量 1 g');
    expect(f?.reason).toContain('第 2 行');
    expect(f?.reason).toContain('来源：测试处方集');
    expect(f?.source).toContain('测试处方集');
  });
});

describe('unit counts with a stated strength', () => {
  it.each<[string, [string, MedRule][]]>([
    ['蒙脱石散每袋3g，一次2袋，一日3次。', [['2袋', 'max_single']]],
    ['蒙脱石散每袋3g，一次1袋，一日3次。', []],
    ['必理通：成人每次三片（每片0.5克），一日三次。', [['三片', 'max_single']]],
    ['必理通：成人每次两片（每片0.5克），一日三次。', []],
    ['阿莫西林胶囊0.25g，一次4粒，一日3次。', []],
    ['阿莫西林胶囊0.25g，一次8粒，一日3次。', [['8粒', 'max_single']]],
    ['地高辛一次半片（0.125mg），每日一次。', []],
    ['甲硝唑每次服一片半，每片0.2g，每天四次。', []],
    ['规格：对乙酰氨基酚片0.5g×24片。用法：口服，成人一次1片，一日3～4次。', []],
    ['本品为复方制剂，每片含对乙酰氨基酚325mg。', []],
    ['对乙酰氨基酚片，规格：0.5g；成人一次2片，一日3次。', []],
    ['对乙酰氨基酚片，规格：0.5g；成人一次4片，一日3次。', [['4片', 'max_single']]],
    ['布洛芬混悬液（每5ml含布洛芬100mg）：成人一次10ml，一日3次。', []],
    ['布洛芬混悬液（每5ml含布洛芬100mg）：成人一次50ml，一日3次。', [['50ml', 'max_single']]],
  ])('%s', (text, expected) => {
    expect(flagged(text)).toEqual(expected);
  });

  it('suggests the largest count that fits', () => {
    const [f] = checkMedications('蒙脱石散每袋3g，一次2袋，一日3次。', rows);
    expect(f).toMatchObject({ found: '6 g', correction: '1袋' });
  });
});

describe('frequencies, intervals and explicit caps', () => {
  it.each<[string, [string, MedRule][]]>([
    ['奥美拉唑每次20mg，每日4次。', [['每日4次', 'max_times_per_day']]],
    ['奥美拉唑每次20mg，一天两次。', []],
    ['奥美拉唑 20mg bid。', []],
    ['奥美拉唑 20mg qid。', [['qid', 'max_times_per_day']]],
    ['二甲双胍0.5g，3次/日。', []],
    ['二甲双胍0.5g，5次/日。', [['5次/日', 'max_times_per_day']]],
    ['对乙酰氨基酚每次0.5g，每4～6小时一次，24小时内不超过4次。', []],
    ['对乙酰氨基酚每次0.5g，每4～6小时一次，24小时内不超过6次。', [['24小时内不超过6次', 'max_times_per_day']]],
    ['对乙酰氨基酚每次0.5g，每2小时一次，24小时内不超过4次。', [['每2小时一次', 'min_interval']]],
    // An interval alone implies 24 ÷ 4 = 6 doses a day for the daily total (6 g > 4 g); it is not itself a frequency finding.
    ['对乙酰氨基酚每次1g，每4小时一次。', [['1g，每4小时一次', 'max_daily']]],
    ['对乙酰氨基酚每次0.5g，每4～6小时一次。', []],
    ['甲硝唑每次0.4g，每8小时一次。', []],
    ['头孢曲松 1g ivgtt q12h。', []],
    ['头孢曲松 1g ivgtt q4h。', [['q4h', 'min_interval']]],
    ['对乙酰氨基酚每日总量不超过4克。', []],
    ['对乙酰氨基酚每日总量不超过8克。', [['8克', 'max_daily']]],
    ['对乙酰氨基酚单次最大剂量为2g。', [['2g', 'max_single']]],
    ['阿莫西林每次1g，每日4次。', []],
    ['阿莫西林每次1g，每日5次。', [['每日5次', 'max_times_per_day']]],
    ['二甲双胍每次1g，一日3次。', [['1g，一日3次', 'max_daily']]],
    ['二甲双胍：每日总量可达5g，分3次随餐服用。', [['5g', 'max_daily']]],
    ['阿莫西林2g/d，分2次口服。', []],
    ['阿莫西林20g/d，分2次口服。', [['20g/d', 'max_daily']]],
    ['甲硝唑：每日剂量为20g，分4次服。', [['20g', 'max_daily']]],
    ['络活喜每天吃一片就可以了，不用每天吃两次。', []],
  ])('%s', (text, expected) => {
    expect(flagged(text)).toEqual(expected);
  });
});

describe('per kilogram and populations', () => {
  it.each<[string, [string, MedRule][]]>([
    ['儿童对乙酰氨基酚每次10～15mg/kg，每4～6小时一次，24小时不超过4次。', []],
    ['儿童对乙酰氨基酚每次150mg/kg，24小时不超过4次。', [['150mg/kg', 'max_single_per_kg']]],
    ['小儿布洛芬：按体重每千克体重每次5～10mg，每6～8小时一次。', []],
    ['小儿布洛芬：按体重每次50mg/kg。', [['50mg/kg', 'max_single_per_kg']]],
    ['阿莫西林用于儿童：每日20～40mg/kg，分3次口服。', []],
    ['阿莫西林用于儿童：每日300mg/kg，分3次口服。', [['300mg/kg', 'max_daily_per_kg']]],
    ['阿莫西林用于儿童：一日100mg/(kg·d)，分3次。', [['100mg/(kg·d)', 'max_daily_per_kg']]],
    ['儿童体重20kg，布洛芬每次200mg，每6小时一次，每日不超过4次。', []],
    ['儿童体重20kg，布洛芬每次600mg，每6小时一次，每日不超过4次。', [['600mg', 'max_single_per_kg']]],
    ['成人布洛芬每次0.4g；儿童每次10mg/kg。', []],
  ])('%s', (text, expected) => {
    expect(flagged(text)).toEqual(expected);
  });
});

describe('contraindicated populations and negation', () => {
  it.each<[string, [string, MedRule][]]>([
    ['孕妇可以服用布洛芬。', [['孕妇可以服用', 'contraindicated_population']]],
    ['孕妇禁用布洛芬。', []],
    ['布洛芬：孕妇及哺乳期妇女禁用。', []],
    ['孕妇忌用布洛芬。', []],
    ['孕妇不宜服用布洛芬。', []],
    ['不建议孕妇服用布洛芬。', []],
    ['孕妇应避免使用布洛芬。', []],
    ['孕妇慎用布洛芬。', []],
    ['问：孕妇能吃布洛芬吗？', []],
    ['阿司匹林可用于10岁儿童发热。', [['10岁儿童', 'contraindicated_population']]],
    ['阿司匹林用于成人发热。', []],
    ['阿司匹林不宜用于16岁以下儿童。', []],
    ['二甲双胍适用于10岁及以上的2型糖尿病儿童。', []],
    ['二甲双胍可用于6岁儿童。', [['6岁儿童', 'contraindicated_population']]],
    ['左氧氟沙星可用于15岁青少年的肺炎治疗。', [['15岁青少年', 'contraindicated_population']]],
    ['头孢曲松钠可用于新生儿脑膜炎。', [['新生儿', 'contraindicated_population']]],
    ['头孢曲松禁用于新生儿高胆红素血症患儿。', []],
    ['哺乳期妇女服用甲硝唑是安全的，不需要停止哺乳。', [['哺乳期妇女服用', 'contraindicated_population']]],
    ['甲硝唑：哺乳期妇女慎用，用药期间应暂停哺乳。', []],
    ['【禁忌】\n孕妇；哺乳期妇女。\n布洛芬', []],
    ['对乙酰氨基酚对孕妇相对安全。', []],
  ])('%s', (text, expected) => {
    expect(flagged(text)).toEqual(expected);
  });
});

describe('not doses: ages, temperatures, durations, dates, lab values, overdose warnings', () => {
  it.each([
    '体温超过38.5℃时可服用对乙酰氨基酚，疗程一般不超过3天，65岁以上老人应减量。',
    '对乙酰氨基酚过量（一次超过10g）可引起严重肝损伤，切勿超量服用。',
    '有网友问：一次吃10片对乙酰氨基酚会怎样？医生回答：这属于严重过量，会导致肝衰竭。',
    '患者血肌酐120μmol/L，血红蛋白90g/L，空腹血糖7.2mmol/L，继续口服二甲双胍0.5g，每日2次。',
    '2023年5月起，阿司匹林肠溶片规格调整为100mg。',
    '布洛芬的半衰期约2小时，服药后1～2小时达到血药浓度峰值。',
    '服用二甲双胍期间，若eGFR<30ml/min/1.73m²应停药；乳酸>5mmol/L提示乳酸酸中毒。',
    '头孢曲松钠：成人一次1～2g，一日一次，静脉滴注，疗程7～14天。',
    '地高辛过量可致心律失常，血药浓度超过2ng/ml时应警惕中毒。',
    '若漏服一次二甲双胍，不要在下次服药时服用双倍剂量。',
    '维生素C每次100mg，每日3次。',
    '',
  ])('%s', (text) => {
    expect(flagged(text)).toEqual([]);
  });
});

describe('mentions and routes', () => {
  it('matches aliases and the longest name first', () => {
    expect(flagged('泰诺林一次5g。')).toEqual([['5g', 'max_single']]);
    expect(flagged('思密达每次6g，每日3次。')).toEqual([['6g', 'max_single']]);
  });

  it('uses the row whose route matches the dosage form or the stated route', () => {
    // 800万单位 is over the intramuscular row (80万) but within the intravenous one (500万 is over too).
    expect(flagged('青霉素静脉滴注，一次400万单位，一日4次。')).toEqual([]);
    expect(flagged('青霉素肌内注射，一次400万单位，一日2次。')).toEqual([['400万单位', 'max_single']]);
  });

  it('attributes a dose written before its drug to that drug', () => {
    expect(flagged('每次服用5g对乙酰氨基酚可以快速退热。')).toEqual([['5g', 'max_single']]);
  });

  it('keeps drugs apart within one sentence', () => {
    expect(flagged('对乙酰氨基酚和布洛芬都可以退热：对乙酰氨基酚每次0.5g，布洛芬每次2g。')).toEqual([['2g', 'max_single']]);
  });

  it('gives exact UTF-16 spans even after characters outside the BMP', () => {
    const text = '😀😀提醒：对乙酰氨基酚每次5g。';
    const [f] = checkMedications(text, rows);
    expect(text.slice(f?.start, f?.end)).toBe('5g');
    expect(f?.start).toBe(text.indexOf('5g'));
  });

  it('reports a too-short interval once, naming the times a day it implies too', () => {
    const fs = checkMedications('对乙酰氨基酚每次1g，每1小时一次。', rows);
    expect(fs).toHaveLength(1);
    expect(fs[0]?.rule).toBe('min_interval');
    expect(fs[0]?.reason).toContain('最短间隔');
    expect(fs[0]?.reason).toContain('每日最多 4 次');
  });
});

describe('generalising to other formularies and phrasings', () => {
  const row = (over: Partial<FormularyRow>): FormularyRow => ({ row: 2, name: 'x', aliases: [], population: '成人', route: '', contraindicated: [], source: '说明书', ...over });

  it('finds a drug written without its salt or dosage form', async () => {
    const { importFormulary } = await import('../../../../src/core/meds');
    const f = await importFormulary(new TextEncoder().encode('通用名,单次最大剂量,来源\n盐酸二甲双胍,1 g,说明书\n注射用头孢曲松钠,2 g,说明书\n'), { fileName: 'f.csv' });
    expect(checkMedications('二甲双胍每次5g。', f.rows).map((x) => [x.text, x.drug])).toEqual([['5g', '盐酸二甲双胍']]);
    expect(checkMedications('头孢曲松每次20g。', f.rows).map((x) => [x.text, x.drug])).toEqual([['20g', '注射用头孢曲松钠']]);
  });

  it('does not charge a dose of another drug to the formulary drug named before it', () => {
    const rs = [row({ name: '布洛芬', maxSingle: { value: 400, dim: 'mass', text: '400 mg' } })];
    expect(checkMedications('布洛芬是常用退热药。维生素C每次1g，每日1次。', rs)).toEqual([]);
    expect(checkMedications('布洛芬可以和阿奇霉素同服，阿奇霉素每次0.5g。', rs)).toEqual([]);
    expect(checkMedications('布洛芬是常用退热药。成人每次4g。', rs).map((x) => x.text)).toEqual(['4g']);
  });

  it('reads 早晚各一次 / 三餐后各一次 / 每晚一次 as frequencies', () => {
    const rs = [row({ name: '多潘立酮', maxSingle: { value: 10, dim: 'mass', text: '10 mg' }, maxDaily: { value: 20, dim: 'mass', text: '20 mg' }, maxTimesPerDay: 2 })];
    expect(checkMedications('多潘立酮每次10mg，早晚各一次。', rs)).toEqual([]);
    expect(checkMedications('多潘立酮每次10mg，三餐前各一次。', rs).map((x) => [x.text, x.rule])).toEqual([['三餐前各一次', 'max_times_per_day']]);
  });

  it('flags a contraindication that is a condition, not an age group, when it is recommended', () => {
    const rs = [row({ name: '布洛芬', contraindicated: ['活动性消化道溃疡患者'] })];
    expect(checkMedications('活动性消化道溃疡患者也可以服用布洛芬止痛。', rs).map((x) => [x.text, x.rule])).toEqual([['活动性消化道溃疡', 'contraindicated_population']]);
    expect(checkMedications('活动性消化道溃疡患者禁用布洛芬。', rs)).toEqual([]);
  });

  it('reads formulary cells written with decorations', async () => {
    const { importFormulary } = await import('../../../../src/core/meds');
    const f = await importFormulary(new TextEncoder().encode('通用名,人群,单次最大剂量,每日最大剂量,每日最多次数,最短间隔小时\n布洛芬,成人及12岁以上儿童,≤0.4 g/次,2.4 g/日,每日4次,4小时\n'), { fileName: 'f.csv' });
    expect(f.bad).toEqual([]);
    expect(f.rows[0]).toMatchObject({ population: '成人', maxTimesPerDay: 4, minIntervalH: 4, maxSingle: { value: 400 }, maxDaily: { value: 2400 } });
  });

  it('a row may list several routes', async () => {
    const { importFormulary } = await import('../../../../src/core/meds');
    const f = await importFormulary(new TextEncoder().encode('通用名,途径,单次最大剂量,来源\n阿奇霉素,口服、静脉,500 mg,说明书\n'), { fileName: 'f.csv' });
    expect(f.rows[0]?.route).toBe('口服、静脉');
    expect(checkMedications('阿奇霉素片每次5g。', f.rows).map((x) => x.text)).toEqual(['5g']);
    expect(checkMedications('阿奇霉素静脉滴注每次5g。', f.rows).map((x) => x.text)).toEqual(['5g']);
    expect(checkMedications('阿奇霉素肌注每次5g。', f.rows)).toEqual([]);
  });
});
