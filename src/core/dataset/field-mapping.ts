/**
 * Field mapping: which column holds which field. Detected from common
 * English and Chinese column names, returned to the UI to show and correct,
 * and remembered per column layout (layoutSignature).
 */
import { MedfactError } from '../../protocol/errors';
import { sha256Hex } from './byte-source';
import { labelPolarity, type LabelPolarity } from './normalize-labels';
import { DATASET_FIELDS, type DatasetField, type FieldMapping, type GoldUnit } from './types';

/** Lower-cased, without spaces, underscores, hyphens and dots: "Error Flag" → "errorflag". */
export function columnKey(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase().replace(/[\s_\-.·/()（）]+/g, '');
}

/** Column names per field, most specific first (compared by columnKey). */
export const FIELD_SYNONYMS: Readonly<Record<DatasetField, readonly string[]>> = {
  id: ['id', 'text id', 'textid', 'item id', 'uid', 'qid', 'sample id', 'idx', 'index', 'key', '编号', '序号', 'id号', '样本编号', '文本编号'],
  text: ['text', 'content', 'passage', 'document', 'input', 'source text', 'claim', 'medical text', '文本', '内容', '正文', '原文', '医学文本', '待核查文本'],
  label: [
    'label', 'has error', 'has_error', 'error flag', 'is error', 'iserror', 'contains error', 'error label', 'erroneous', 'veracity',
    'is correct', 'correct', 'correctness', 'is true', 'truth', 'factual', 'is factual', 'is wrong', 'is incorrect', 'hallucination', 'class', 'target', 'gold label',
    '标签', '是否有误', '是否有错', '是否错误', '是否存在错误', '有无错误', '是否含错', '是否正确', '正确与否', '真假', '真实性', '是否属实', '对错', '判断', '结论',
  ],
  errorSpan: [
    'error span', 'error text', 'error_text', 'span', 'wrong span', 'error', 'error sentence', 'erroneous span', 'error fragment', 'error segment',
    '错误片段', '错误内容', '错误文本', '错误位置', '错误句', '错误句子', '错误span',
  ],
  start: ['start', 'span start', 'error start', 'start offset', 'begin', 'char start', '起始位置', '开始位置', '起点', '错误起始'],
  end: ['end', 'span end', 'error end', 'end offset', 'char end', '结束位置', '终点', '错误结束'],
  correction: ['correction', 'corrected', 'corrected span', 'corrected text span', 'fix', 'corrected sentence', 'correct text', '修正', '更正', '纠正', '修改', '修正内容', '正确内容', '更正内容'],
  errorType: ['error type', 'errortype', 'type', 'error category', 'category', '错误类型', '错误类别', '类型'],
  specialty: ['specialty', 'speciality', 'department', 'dept', 'domain', 'subject', '科室', '专科', '科别', '学科', '领域'],
  style: ['style', 'writing style', 'genre', 'source type', 'text style', '文体', '写作风格', '风格', '体裁', '来源类型'],
  difficulty: ['difficulty', 'level', 'difficulty level', 'hardness', '难度', '难度等级', '难易度'],
  sentences: ['sentences', 'sentence list', '句子', '分句'],
  errorSentenceId: ['error sentence id', 'error sentence index', 'error sent id', '错误句编号', '错误句序号'],
};


/** MEDEC's column layout (MS and UW collections). */
export const MEDEC_PRESET: Readonly<FieldMapping> = {
  id: 'Text ID',
  text: 'Text',
  label: 'Error Flag',
  errorType: 'Error Type',
  errorSpan: 'Error Sentence',
  correction: 'Corrected Sentence',
  sentences: 'Sentences',
  errorSentenceId: 'Error Sentence ID',
};

export function looksLikeMedec(columns: readonly string[]): boolean {
  const keys = new Set(columns.map(columnKey));
  return ['textid', 'errorflag', 'errorsentenceid', 'errorsentence'].every((k) => keys.has(k));
}

export interface DetectedMapping {
  mapping: FieldMapping;
  preset: 'medec' | undefined;
  unit: GoldUnit;
  /** True when the label column says "is correct" rather than "has error". */
  labelMeansCorrect: boolean;
  /** What the label column's name asks (see labelPolarity). */
  labelPolarity: LabelPolarity;
}

/** Maps preset column names onto the real spelling of the columns present. */
function resolvePreset(preset: FieldMapping, columns: readonly string[]): FieldMapping {
  const byKey = new Map(columns.map((c) => [columnKey(c), c]));
  const out: FieldMapping = {};
  for (const field of DATASET_FIELDS) {
    const wanted = preset[field];
    const real = wanted === undefined ? undefined : byKey.get(columnKey(wanted));
    if (real !== undefined) out[field] = real;
  }
  return out;
}

/** Detects a mapping from column names; each column is used at most once. */
export function detectMapping(columns: readonly string[], preset?: 'medec' | 'auto' | 'none'): DetectedMapping {
  const useMedec = preset === 'medec' || ((preset === undefined || preset === 'auto') && looksLikeMedec(columns));
  if (useMedec) {
    return { mapping: resolvePreset(MEDEC_PRESET, columns), preset: 'medec', unit: 'sentence', labelMeansCorrect: false, labelPolarity: 'error' };
  }
  const byKey = new Map<string, string>();
  for (const c of columns) if (!byKey.has(columnKey(c))) byKey.set(columnKey(c), c);
  const used = new Set<string>();
  const mapping: FieldMapping = {};
  for (const field of DATASET_FIELDS) {
    for (const name of FIELD_SYNONYMS[field]) {
      const col = byKey.get(columnKey(name));
      if (col !== undefined && !used.has(col)) {
        mapping[field] = col;
        used.add(col);
        break;
      }
    }
  }
  const polarity = mapping.label === undefined ? 'neutral' : labelPolarity(mapping.label);
  return { mapping, preset: undefined, unit: 'span', labelMeansCorrect: polarity === 'correct', labelPolarity: polarity };
}

/**
 * Parses `field=column` overrides (CLI --map, UI edits). An empty column
 * unmaps the field.
 */
export function parseMappingOverrides(pairs: readonly string[]): Partial<Record<DatasetField, string | null>> {
  const out: Partial<Record<DatasetField, string | null>> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const field = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (eq < 0 || !(DATASET_FIELDS as readonly string[]).includes(field)) {
      throw new MedfactError('BAD_INPUT', `Bad mapping "${pair}": write field=column, with field one of ${DATASET_FIELDS.join(', ')}.`);
    }
    const column = pair.slice(eq + 1).trim();
    out[field as DatasetField] = column === '' ? null : column;
  }
  return out;
}

/** Hash of the sorted column names: the same layout gets the same signature. */
export async function layoutSignature(columns: readonly string[]): Promise<string> {
  const sorted = [...columns].map((c) => c.trim()).sort();
  return (await sha256Hex(JSON.stringify(sorted))).slice(0, 16);
}
