import { describe, expect, it } from 'vitest';
import { detectMapping, parseMappingOverrides } from '../../../src/core/dataset/field-mapping';
import { normalizeDifficulty, normalizeErrorType, normalizeSpecialty, normalizeStyle, parseErrorLabel } from '../../../src/core/dataset/normalize-labels';
import { ERROR_TYPES, ERROR_TYPE_INFO, SPECIALTIES, SPECIALTY_INFO, STYLES, STYLE_INFO } from '../../../src/core/labels';

describe('label normalisation', () => {
  it('reads erroneous/correct labels in Chinese and English', () => {
    for (const v of ['是', '有误', '错误', 'true', 'yes', '1', 1, true, 'Error', '1.0']) expect(parseErrorLabel(v)).toBe(true);
    for (const v of ['否', '正确', '无误', 'false', 'no', '0', 0, false, 'correct']) expect(parseErrorLabel(v)).toBe(false);
    expect(parseErrorLabel('')).toBeUndefined();
    expect(parseErrorLabel(null)).toBeUndefined();
    expect(parseErrorLabel('也许')).toBeNull();
    expect(parseErrorLabel(2)).toBeNull();
  });

  it('maps every zh/en name of the label sets to its code; MEDEC types stay themselves', () => {
    for (const t of ERROR_TYPES) {
      expect(normalizeErrorType(ERROR_TYPE_INFO[t].zh)).toEqual({ code: t, known: true });
      expect(normalizeErrorType(ERROR_TYPE_INFO[t].en)).toEqual({ code: t, known: true });
    }
    for (const s of SPECIALTIES) expect(normalizeSpecialty(SPECIALTY_INFO[s].zh)?.code).toBe(s);
    for (const s of STYLES) expect(normalizeStyle(STYLE_INFO[s].en)?.code).toBe(s);
    expect(normalizeErrorType('causalOrganism')).toEqual({ code: 'causalOrganism', known: true });
    expect(normalizeErrorType('NA')).toBeUndefined();
    expect(normalizeErrorType('奇怪类型')).toEqual({ code: '奇怪类型', known: false });
  });

  it('reads difficulty as levels, 20-point bins or shares', () => {
    expect(normalizeDifficulty(3)).toBe(3);
    expect(normalizeDifficulty('L5')).toBe(5);
    expect(normalizeDifficulty('0-20%')).toBe(1);
    expect(normalizeDifficulty('80–100%')).toBe(5);
    expect(normalizeDifficulty('0.45')).toBe(3);
    expect(normalizeDifficulty('')).toBeUndefined();
    expect(normalizeDifficulty('9')).toBeNull();
  });
});

describe('field mapping', () => {
  it('detects Chinese and English column names, each column used once', () => {
    expect(detectMapping(['编号', '内容', '标签', '错误片段', '更正', '错误类型', '科室', '写作风格', '难度']).mapping).toEqual({
      id: '编号',
      text: '内容',
      label: '标签',
      errorSpan: '错误片段',
      correction: '更正',
      errorType: '错误类型',
      specialty: '科室',
      style: '写作风格',
      difficulty: '难度',
    });
    const en = detectMapping(['ID', 'Content', 'Has Error', 'error_text', 'start', 'end', 'Department']);
    expect(en.mapping).toMatchObject({ id: 'ID', text: 'Content', label: 'Has Error', errorSpan: 'error_text', start: 'start', end: 'end', specialty: 'Department' });
    expect(en.preset).toBeUndefined();
  });

  it('recognises an "is correct" label column and MEDEC columns', () => {
    expect(detectMapping(['id', 'text', '是否正确']).labelMeansCorrect).toBe(true);
    const m = detectMapping(['Text ID', 'Text', 'Sentences', 'Error Flag', 'Error Type', 'Error Sentence ID', 'Error Sentence', 'Corrected Sentence', 'Corrected Text']);
    expect(m.preset).toBe('medec');
    expect(m.unit).toBe('sentence');
    expect(m.mapping).toMatchObject({ id: 'Text ID', label: 'Error Flag', errorSpan: 'Error Sentence', correction: 'Corrected Sentence' });
  });

  it('parses field=column overrides and rejects unknown fields', () => {
    expect(parseMappingOverrides(['text=正文', 'style='])).toEqual({ text: '正文', style: null });
    expect(() => parseMappingOverrides(['colour=x'])).toThrow(/field=column/);
  });
});
