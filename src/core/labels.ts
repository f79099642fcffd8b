/**
 * MedFact's label sets with Chinese (first) and English names.
 * Codes are stable identifiers stored in results and exports.
 */

export const ERROR_TYPES = [
  'conceptual',
  'terminological',
  'temporal',
  'other_medical',
  'citation',
  'bias',
  'general_fact',
  'other_nonmedical',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export interface LabelInfo {
  zh: string;
  en: string;
}

export const ERROR_TYPE_INFO: Readonly<Record<ErrorType, LabelInfo & { group: 'medical' | 'non_medical' }>> = {
  conceptual: { zh: '概念性错误', en: 'Conceptual', group: 'medical' },
  terminological: { zh: '术语错误', en: 'Terminological', group: 'medical' },
  temporal: { zh: '时间性错误', en: 'Temporal', group: 'medical' },
  other_medical: { zh: '其他医学错误', en: 'Other medical', group: 'medical' },
  citation: { zh: '引用与来源错误', en: 'Citation & sourcing', group: 'non_medical' },
  bias: { zh: '偏见性内容', en: 'Biased content', group: 'non_medical' },
  general_fact: { zh: '一般事实错误', en: 'General factual', group: 'non_medical' },
  other_nonmedical: { zh: '其他非医学错误', en: 'Other non-medical', group: 'non_medical' },
};

export const SPECIALTIES = [
  'internal_medicine',
  'tcm',
  'surgery',
  'anesthesiology',
  'obgyn',
  'ophthalmology_ent',
  'oncology',
  'pediatrics',
  'dentistry',
  'dermatology',
  'public_health',
  'psychiatry',
  'others',
] as const;
export type Specialty = (typeof SPECIALTIES)[number];

export const SPECIALTY_INFO: Readonly<Record<Specialty, LabelInfo>> = {
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
};

export const STYLES = ['encyclopedia', 'news', 'qa', 'misinformation'] as const;
export type WritingStyle = (typeof STYLES)[number];
export const STYLE_INFO: Readonly<Record<WritingStyle, LabelInfo>> = {
  encyclopedia: { zh: '百科', en: 'Encyclopedia' },
  news: { zh: '新闻', en: 'News' },
  qa: { zh: '问答', en: 'Q&A' },
  misinformation: { zh: '谣言', en: 'Misinformation' },
};

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
