/**
 * Shapes of an imported dataset. Offsets are UTF-16 code-unit indices into
 * the original, unnormalised text, half-open [start, end).
 */

/** How a gold error is matched: a character span, or a whole sentence (MEDEC). */
export type GoldUnit = 'span' | 'sentence';

export interface GoldSpan {
  /** -1 when the span could not be placed in the text. */
  start: number;
  end: number;
  /** The gold text as given by the dataset (or the slice when given as offsets). */
  text: string;
  /** False when the gold text was not found in the item text; kept, flagged and counted. */
  placed: boolean;
  /** True when placed by normalised or fuzzy matching: text.slice(start, end) !== text. */
  approximate: boolean;
}

export interface DatasetItem {
  id: string;
  text: string;
  hasError: boolean;
  /** Empty for correct texts. */
  gold: GoldSpan[];
  /** A code from ERROR_TYPES, a MEDEC type code, or the raw name when unknown. */
  errorType?: string;
  /** A code from SPECIALTIES, or the raw name when unknown. */
  specialty?: string;
  /** A code from STYLES, or the raw name when unknown. */
  style?: string;
  /** 1..5 (see DIFFICULTIES). */
  difficulty?: number;
  correction?: string;
  unit: GoldUnit;
  /** Columns not mapped to a field, kept as strings. */
  extra?: Record<string, string>;
}

export type DatasetFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet';

/** Fields a column can be mapped to. */
export const DATASET_FIELDS = [
  'id',
  'text',
  'label',
  'errorSpan',
  'start',
  'end',
  'correction',
  'errorType',
  'specialty',
  'style',
  'difficulty',
  'sentences',
  'errorSentenceId',
] as const;
export type DatasetField = (typeof DATASET_FIELDS)[number];

/** field → column name. Missing fields are not mapped. */
export type FieldMapping = Partial<Record<DatasetField, string>>;

export type MappingOrigin = 'auto' | 'preset' | 'user';

export const REJECT_REASONS = [
  'missing_id',
  'missing_text',
  'empty_label',
  'unparseable_label',
  'ambiguous_label',
  'duplicate_id',
  'bad_offsets',
  'malformed_row',
  'not_an_object',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const WARNING_REASONS = [
  'gold_not_placed',
  'gold_approximate',
  'gold_ambiguous',
  'offsets_text_mismatch',
  'no_gold_span',
  'gold_on_correct_text',
  'unknown_error_type',
  'unknown_specialty',
  'unknown_style',
  'bad_difficulty',
  'extra_fields',
  'quotes_read_literally',
  'offsets_split_character',
] as const;
export type WarningReason = (typeof WARNING_REASONS)[number];

/** One rejected row: 1-based data-row number (header excluded) and why. */
export interface RejectedRow {
  row: number;
  /** 1-based physical line where the row starts, when known (CSV/TSV/JSONL). */
  line?: number;
  id?: string;
  reason: RejectReason;
  message: string;
}

/** A kept row with a problem worth showing (the item is imported). */
export interface RowWarning {
  row: number;
  id: string;
  reason: WarningReason;
  message: string;
}

export interface DatasetStats {
  total: number;
  withError: number;
  correct: number;
  byErrorType: Record<string, number>;
  bySpecialty: Record<string, number>;
  byStyle: Record<string, number>;
  byDifficulty: Record<string, number>;
  goldSpans: number;
  unplacedGold: number;
  approximateGold: number;
  erroneousWithoutGold: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  warningsByReason: Record<string, number>;
  textLength: { min: number; mean: number; max: number };
}

export type TextEncodingName = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be' | 'windows-1252' | 'binary';

export interface DecodingInfo {
  encoding: TextEncodingName;
  bom: boolean;
  /** True when bytes were invalid in the chosen encoding and replaced with U+FFFD. */
  lossy: boolean;
  /** Why this decoding was chosen, in words. */
  note: string;
}

export type ImportProgress =
  | { status: 'reading'; bytesRead: number; totalBytes: number | undefined; rows: number; fraction: number }
  | { status: 'hashing'; rows: number; fraction: number }
  | { status: 'done'; rows: number; fraction: 1 };

export interface ImportResult {
  items: DatasetItem[];
  format: DatasetFormat;
  decoding: DecodingInfo;
  columns: string[];
  mapping: FieldMapping;
  mappingOrigin: Partial<Record<DatasetField, MappingOrigin>>;
  /** Hash of the sorted column names, so a UI can remember mappings per layout. */
  layoutSignature: string;
  preset: 'medec' | undefined;
  unit: GoldUnit;
  /** When records came from a key of a JSON object wrapper. */
  jsonKey?: string;
  rejected: RejectedRow[];
  warnings: RowWarning[];
  /** Dataset-level notes (label inferred, ids generated, …). */
  notes: string[];
  stats: DatasetStats;
  /** SHA-256 (hex) of the canonical imported items; see hashItems. */
  contentHash: string;
  /** Data rows read from the file (header and blank lines excluded): always items + rejected. */
  rows: number;
  /** What bare yes/no label values were taken to answer. */
  labelPolarity?: 'error' | 'correct' | 'neutral';
  /** Set when label values could not be read for lack of a polarity: ask the user which value means "has an error". */
  labelQuestion?: LabelQuestion;
}

export interface LabelQuestion {
  column: string;
  /** The distinct values that could not be read (at most 20). */
  values: string[];
  /** Rows rejected for it. */
  rows: number;
}
