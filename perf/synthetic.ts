/**
 * Seeded synthetic Chinese medical text for the suite (written for it, not
 * MedFact items): the same seed gives the same texts on every machine.
 */

/** mulberry32: small, fast, good enough for picking sentences. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SENTENCES: readonly string[] = [
  '阿莫西林是一种常用的青霉素类抗生素，主要用于敏感菌引起的呼吸道感染。',
  '成人口服常用剂量为每次0.5克，每8小时一次，疗程一般为7至10天。',
  '对青霉素过敏者禁用本品，用药前应详细询问过敏史。',
  '2型糖尿病患者应定期监测糖化血红蛋白，血糖未达标时一般每3个月检测一次。',
  '二甲双胍是没有禁忌证的2型糖尿病患者首选的口服降糖药。',
  '高血压患者每日食盐摄入量建议不超过5克，并应规律运动、戒烟限酒。',
  '乙型肝炎病毒属于嗜肝DNA病毒，主要经血液、母婴和性接触传播。',
  '对乙酰氨基酚是常用的解热镇痛药，成人每日最大剂量不超过4克。',
  '儿童发热时不建议使用阿司匹林退热，因其可能诱发瑞氏综合征。',
  '华法林与多种药物存在相互作用，用药期间需定期监测国际标准化比值（INR）。',
  '急性心肌梗死患者应尽早进行再灌注治疗，时间就是心肌。',
  '缺铁性贫血的典型表现为小细胞低色素性贫血，血清铁蛋白降低。',
  '甲状腺功能亢进症患者常出现心悸、怕热、多汗和体重下降。',
  '妊娠期妇女应避免使用四环素类抗生素，以免影响胎儿牙齿和骨骼发育。',
  '中医认为，风寒感冒宜辛温解表，常用方剂为荆防败毒散。',
  '青光眼是导致不可逆性失明的主要眼病之一，应定期测量眼压。',
  '龋齿的预防措施包括使用含氟牙膏、减少含糖食物摄入和定期口腔检查。',
  '带状疱疹由水痘-带状疱疹病毒再激活引起，老年人可接种疫苗预防。',
  '抑郁症的核心症状包括情绪低落、兴趣减退和精力下降，持续至少两周。',
  '手术前患者通常需要禁食6至8小时，以降低麻醉时误吸的风险。',
  '新生儿出生后应尽早开始母乳喂养，世界卫生组织建议纯母乳喂养至6个月。',
  '肺癌早期常无明显症状，低剂量螺旋CT有助于高危人群的早期筛查。',
  '流感疫苗应每年接种一次，因为流感病毒容易发生抗原变异。',
  '他汀类药物可降低低密度脂蛋白胆固醇，少数患者可出现肌痛或转氨酶升高。',
];

/** A text of about `length` UTF-16 units built from whole sentences. */
export function makeText(rng: () => number, length: number): string {
  let text = '';
  while (text.length < length) {
    text += SENTENCES[Math.floor(rng() * SENTENCES.length)] as string;
  }
  return text.slice(0, length);
}

/** `count` non-overlapping fragments of 3–8 units, spread over the text, as [start, end). */
export function pickFragments(rng: () => number, text: string, count: number): { start: number; end: number }[] {
  const slot = Math.floor(text.length / count);
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < count; i++) {
    const len = 3 + Math.floor(rng() * 6);
    const start = i * slot + Math.floor(rng() * Math.max(1, slot - len));
    out.push({ start, end: Math.min(text.length, start + len) });
  }
  return out;
}
