import { openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/dataset/import-dataset';
import {
  looksLikeMediqaSubmission,
  mediqaMeasures,
  mediqaRowsFromPredictions,
  parseMediqaSubmission,
  parseSentenceList,
  placeSentences,
  predictionsFromMediqa,
  readMediqaReference,
  writeMediqaSubmission,
  type MediqaReference,
} from '../../../src/core/mediqa';
import { oracleAccuracy, oracleReference } from './official-oracle';

const fixture = join(import.meta.dirname, '../../fixtures/datasets/medec-mediqa.csv');

async function reference(): Promise<MediqaReference> {
  const blob = await openAsBlob(fixture);
  const imported = await importDataset(blob, { fileName: fixture });
  const ref = await readMediqaReference(blob, imported, { fileName: fixture });
  if (!ref) throw new Error('the fixture has sentence ids');
  return ref;
}

describe('MEDEC sentence lists', () => {
  it('joins a sentence broken over lines and places every sentence in the text', () => {
    const list = parseSentenceList('0 Laboratory studies show:\n1 Hemoglobin 12 g/dL\nPlatelet count 250,000/mm3.\n2 The patient is diagnosed.\n3 She is started on oral iron.');
    expect(list.map((s) => s.id)).toEqual(['0', '1', '2', '3']);
    expect(list[1]!.text).toBe('Hemoglobin 12 g/dL Platelet count 250,000/mm3.');
    const text = 'Laboratory studies show: Hemoglobin 12 g/dL Platelet count 250,000/mm3. The patient is diagnosed. She is started on oral iron.';
    const placed = placeSentences(text, list);
    expect(placed.map((s) => text.slice(s.start, s.end))).toEqual(['Laboratory studies show:', 'Hemoglobin 12 g/dL Platelet count 250,000/mm3.', 'The patient is diagnosed.', 'She is started on oral iron.']);
  });

  it('a line that starts with a number out of sequence continues the sentence before it', () => {
    const list = parseSentenceList('0 Give aspirin\n5 mg daily.\n1 Stop.');
    expect(list).toEqual([
      { id: '0', text: 'Give aspirin 5 mg daily.' },
      { id: '1', text: 'Stop.' },
    ]);
  });

  it('reads the reference of a MEDEC-layout file: flags and gold sentence ids', async () => {
    const ref = await reference();
    expect([...ref.values()].map((r) => [r.id, r.flag, r.sentenceId])).toEqual([
      ['m-0', '1', '2'],
      ['m-1', '0', '-1'],
      ['m-2', '1', '2'],
      ['m-3', '0', '-1'],
      ['m-4', '1', '2'],
      ['m-5', '0', '-1'],
    ]);
    const m2 = ref.get('m-2')!;
    const s2 = m2.sentences.find((s) => s.id === '2')!;
    expect(m2.text.slice(s2.start, s2.end)).toBe('The patient is diagnosed with iron deficiency anemia.');
  });
});

describe('MEDIQA-CORR submission format', () => {
  it('is detected from its first line, and JSONL is not', () => {
    expect(looksLikeMediqaSubmission('\nms-val-0 1 3 One week ago.\n')).toBe(true);
    expect(looksLikeMediqaSubmission('ms-val-4 0 -1 NA')).toBe(true);
    expect(looksLikeMediqaSubmission('{"id":"a","has_error":true}')).toBe(false);
    expect(looksLikeMediqaSubmission('id,text')).toBe(false);
  });

  it('is read as the official script reads it', () => {
    const text = [
      'm-0 1 2 "He is given intravenous ceftriaxone."',
      'm-1 0 3 something the script replaces by NA',
      'M-2 1 2 Upper-case ids are skipped by the official script',
      'm-3 1 x NA',
      'm-4 1 2',
      'm-5 2 -1 NA',
      '',
      'm-0\t1\t1 Later line for the same id',
      'm-3 0  -1 NA (two spaces: the official pattern allows one white-space character between fields)',
    ].join('\n');
    const r = parseMediqaSubmission(text);
    expect(r.lines.map((l) => [l.line, l.id, l.flag, l.sentenceId, l.correction])).toEqual([
      [1, 'm-0', '1', '2', 'He is given intravenous ceftriaxone.'],
      [2, 'm-1', '0', '3', 'NA'],
      [8, 'm-0', '1', '1', 'Later line for the same id'],
    ]);
    expect(r.issues.map((i) => i.line)).toEqual([3, 4, 5, 6, 9]);
    expect(r.issues.every((i) => i.skipped)).toBe(true);
    expect(r.issues[3]!.message).toMatch(/error flag "2" is neither 0 nor 1/);
  });

  it('written rows read back unchanged', () => {
    const rows = [
      { id: 'm-0', flag: '1', sentenceId: '2', correction: 'He is given\nintravenous ceftriaxone.' },
      { id: 'm-1', flag: '0', sentenceId: '-1', correction: 'NA' },
    ];
    const text = writeMediqaSubmission(rows);
    expect(text).toBe('m-0 1 2 He is given intravenous ceftriaxone.\nm-1 0 -1 NA\n');
    expect(parseMediqaSubmission(text).lines.map(({ line: _line, ...r }) => r)).toEqual([{ ...rows[0], correction: 'He is given intravenous ceftriaxone.' }, rows[1]]);
  });
});

describe('MEDIQA-CORR measures', () => {
  it('agree with the official definition, missing texts and skipped lines counted as wrong', async () => {
    const ref = await reference();
    const submission = [
      'm-0 1 2 He is given intravenous ceftriaxone.', // flag and sentence right
      'm-1 1 0 A 60-year-old woman has a cough.', // flag wrong, sentence wrong
      'm-2 1 1 wrong sentence', // flag right, sentence wrong
      'm-3 0 -1 NA', // both right
      'M-4 1 2 skipped: upper-case id', // missing
      // m-5 missing
    ].join('\n');
    const parsed = parseMediqaSubmission(submission);
    const measures = mediqaMeasures(ref, new Map(parsed.lines.map((l) => [l.id, l])));
    const oracle = oracleAccuracy(oracleReference(readFileSync(fixture, 'utf8')), submission);
    expect(measures).toMatchObject({ texts: 6, predicted: 4, missing: 2, flag_correct: 3, sentence_correct: 2 });
    expect(measures.error_flag_accuracy).toBe(oracle.flag);
    expect(measures.error_sentence_accuracy).toBe(oracle.sentence);
    expect(oracle).toEqual({ flag: 3 / 6, sentence: 2 / 6 });
  });

  it('our predictions become submission rows: the sentence of the main span, the corrected sentence when a correction is given', async () => {
    const ref = await reference();
    const m0 = ref.get('m-0')!.text;
    const at = m0.indexOf('oral amoxicillin');
    const rows = mediqaRowsFromPredictions(ref, [
      { id: 'm-0', hasError: true, spans: [{ start: at, end: at + 'oral amoxicillin'.length, text: 'oral amoxicillin', correction: 'intravenous ceftriaxone' }] },
      { id: 'm-1', hasError: false, spans: [] },
      { id: 'm-2', hasError: true, spans: [{ start: -1, end: -1, text: 'Platelet count 250,000/mm3', score: 0.9 }, { start: -1, end: -1, text: 'oral iron', score: 0.2 }] },
      { id: 'm-4', hasError: true, spans: [] },
    ]);
    expect([...rows.values()]).toEqual([
      { id: 'm-0', flag: '1', sentenceId: '2', correction: 'He is given intravenous ceftriaxone.' },
      { id: 'm-1', flag: '0', sentenceId: '-1', correction: 'NA' },
      { id: 'm-2', flag: '1', sentenceId: '1', correction: 'NA' },
      { id: 'm-4', flag: '1', sentenceId: '-1', correction: 'NA' },
    ]);
  });

  it('submission lines become predictions with one span over the named sentence', async () => {
    const ref = await reference();
    const { lines } = parseMediqaSubmission('m-2 1 2 The patient is diagnosed with anemia of chronic disease.\nm-0 1 9 NA\nm-1 0 -1 NA');
    const r = predictionsFromMediqa(ref, lines);
    expect(r.predictions[0]!.spans).toEqual([{ start: expect.any(Number) as number, end: expect.any(Number) as number, text: 'The patient is diagnosed with iron deficiency anemia.', correction: 'The patient is diagnosed with anemia of chronic disease.' }]);
    expect(r.predictions[1]).toMatchObject({ id: 'm-0', hasError: true, spans: [] });
    expect(r.issues).toEqual([{ line: 2, message: 'id m-0: sentence id 9 is not a sentence of this text; the flag is scored, no span' }]);
    expect(r.predictions[2]).toMatchObject({ id: 'm-1', hasError: false, spans: [] });
  });
});
