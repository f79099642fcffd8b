/**
 * Medication-safety rules (issue 12): shared types. Doses are normalised to
 * one base unit per dimension (mass → mg, volume → mL, units → IU) so that a
 * formulary limit and a text dose compare as plain numbers.
 */
export type DoseDim = 'mass' | 'volume' | 'iu';

export interface Dose {
  /** In the base unit of its dimension: mg, mL or IU. */
  value: number;
  dim: DoseDim;
  /** As written in the formulary cell, for display ("1 g"). */
  text: string;
}

export type FormularyField =
  | 'name'
  | 'aliases'
  | 'population'
  | 'route'
  | 'max_single'
  | 'max_daily'
  | 'max_single_per_kg'
  | 'max_daily_per_kg'
  | 'max_times_per_day'
  | 'min_interval_h'
  | 'contraindicated_populations'
  | 'source';

export interface FormularyRow {
  /** Row number in the file as a person counts it: the header is row 1, the first data row is row 2 (JSON: item 1 is row 1). */
  row: number;
  name: string;
  aliases: string[];
  /** '成人', '儿童' or '' for any. */
  population: string;
  /** Normalised route ('口服', '静脉', '肌注', …) or '' for any. */
  route: string;
  maxSingle?: Dose;
  maxDaily?: Dose;
  maxSinglePerKg?: Dose;
  maxDailyPerKg?: Dose;
  maxTimesPerDay?: number;
  minIntervalH?: number;
  contraindicated: string[];
  source: string;
}

export interface BadFormularyRow {
  row: number;
  field?: FormularyField;
  /** Chinese message naming the row, field and what to do. */
  message: string;
}

export interface Formulary {
  rows: FormularyRow[];
  bad: BadFormularyRow[];
  /** Source column → field, as detected or mapped. */
  mapping: Partial<Record<FormularyField, string>>;
  columns: string[];
}

export type MedRule =
  | 'max_single'
  | 'max_daily'
  | 'max_single_per_kg'
  | 'max_daily_per_kg'
  | 'max_times_per_day'
  | 'min_interval'
  | 'contraindicated_population'
  | 'unit_suspect';

export const MED_RULES: readonly MedRule[] = [
  'max_single',
  'max_daily',
  'max_single_per_kg',
  'max_daily_per_kg',
  'max_times_per_day',
  'min_interval',
  'contraindicated_population',
  'unit_suspect',
];

export interface MedFinding {
  /** UTF-16 offsets into the original text, half-open. */
  start: number;
  end: number;
  text: string;
  drug: string;
  rule: MedRule;
  /** The formulary limit, as written ("1 g", "4 次/日", "间隔 ≥ 4 小时", "孕妇禁用"). */
  limit: string;
  /** What the text says, normalised for reading ("5 g"). */
  found: string;
  /** Suggested replacement for the span, or a short instruction. */
  correction: string;
  /** Chinese reason citing the formulary row and its source. */
  reason: string;
  source: string;
  /** Formulary row number the limit came from. */
  row: number;
}
