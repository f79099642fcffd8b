/**
 * MedFact's label sets with Chinese (first) and English names.
 * Codes are stable identifiers stored in results and exports.
 */

export interface LabelInfo {
  zh: string;
  en: string;
}

/** Each label set is declared once, as its table of names; its codes (in this order) come from the table. */
function codesOf<K extends string>(table: Readonly<Record<K, LabelInfo>>): readonly K[] {
  return Object.keys(table) as K[];
}

export const ERROR_TYPE_INFO = {
  conceptual: { zh: '概念性错误', en: 'Conceptual', group: 'medical' },
  terminological: { zh: '术语错误', en: 'Terminological', group: 'medical' },
  temporal: { zh: '时间性错误', en: 'Temporal', group: 'medical' },
  other_medical: { zh: '其他医学错误', en: 'Other medical', group: 'medical' },
  citation: { zh: '引用与来源错误', en: 'Citation & sourcing', group: 'non_medical' },
  bias: { zh: '偏见性内容', en: 'Biased content', group: 'non_medical' },
  general_fact: { zh: '一般事实错误', en: 'General factual', group: 'non_medical' },
  other_nonmedical: { zh: '其他非医学错误', en: 'Other non-medical', group: 'non_medical' },
} as const satisfies Record<string, LabelInfo & { group: 'medical' | 'non_medical' }>;
export type ErrorType = keyof typeof ERROR_TYPE_INFO;
export const ERROR_TYPES = codesOf(ERROR_TYPE_INFO);

export const SPECIALTY_INFO = {
  internal_medicine: { zh: '内科', en: 'Internal medicine' },
  tcm: { zh: '中医科', en: 'Traditional Chinese medicine' },
  surgery: { zh: '外科', en: 'Surgery' },
  anesthesiology: { zh: '麻醉科', en: 'Anesthesiology' },
  obgyn: { zh: '妇产科', en: 'Obstetrics & gynecology' },
  ophthalmology_ent: { zh: '眼耳鼻喉科', en: 'Ophthalmology & otorhinolaryngology' },
  oncology: { zh: '肿瘤科', en: 'Oncology' },
  pediatrics: { zh: '儿科', en: 'Pediatrics' },
  dentistry: { zh: '口腔科', en: 'Dentistry' },
  dermatology: { zh: '皮肤科', en: 'Dermatology' },
  public_health: { zh: '预防医学与公共卫生', en: 'Preventive medicine & public health' },
  psychiatry: { zh: '精神心理科', en: 'Psychiatry & mental health' },
  others: { zh: '其他', en: 'Others' },
} as const satisfies Record<string, LabelInfo>;
export type Specialty = keyof typeof SPECIALTY_INFO;
export const SPECIALTIES = codesOf(SPECIALTY_INFO);

export const STYLE_INFO = {
  encyclopedia: { zh: '百科', en: 'Encyclopedia' },
  news: { zh: '新闻', en: 'News' },
  qa: { zh: '问答', en: 'Q&A' },
  misinformation: { zh: '谣言', en: 'Misinformation' },
} as const satisfies Record<string, LabelInfo>;
export type WritingStyle = keyof typeof STYLE_INFO;
export const STYLES = codesOf(STYLE_INFO);

/** Difficulty 1..5: bins of 20 points of how many evaluated models got the item right (1 = 0–20%, hardest). */
export const DIFFICULTIES = [1, 2, 3, 4, 5] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export type LabelKind = 'error_type' | 'specialty' | 'style' | 'difficulty';

/**
 * A category code's display name in the locale (zh first, en second), or the
 * code itself for labels outside MedFact's sets (MEDEC's error types, a
 * user's own categories).
 */
export function labelName(kind: LabelKind, code: string, locale: 'zh-CN' | 'en'): string {
  const table: Readonly<Record<string, LabelInfo>> | null =
    kind === 'error_type' ? ERROR_TYPE_INFO : kind === 'specialty' ? SPECIALTY_INFO : kind === 'style' ? STYLE_INFO : null;
  const info = table && Object.prototype.hasOwnProperty.call(table, code) ? table[code] : undefined;
  if (info) return locale === 'en' ? info.en : info.zh;
  if (kind === 'difficulty') return locale === 'en' ? `Level ${code}` : `难度 ${code}`;
  return code;
}
