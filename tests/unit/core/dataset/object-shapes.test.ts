/**
 * Items and predictions are made in one object literal for their usual shapes
 * (issue 15: fewer heap objects per row). Whichever way an object is made, it
 * must have the same keys in the same order as one built field by field, and
 * no key for a missing field: key order shows in every JSON export.
 */
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../../../src/core/dataset/import-dataset';
import { parsePredictionsJsonl } from '../../../../src/core/predictions';

const ITEM_ORDER = ['id', 'text', 'hasError', 'gold', 'unit', 'errorType', 'specialty', 'style', 'difficulty', 'correction', 'extra'];

/** The keys an item built field by field has: the fixed ones, then the optional ones that are set, in declaration order. */
function expectedKeys(item: object): string[] {
  const present = new Set(Object.entries(item).filter(([, v]) => v !== undefined).map(([k]) => k));
  return ITEM_ORDER.filter((k) => present.has(k));
}

describe('object shapes', () => {
  it('items have their fields in the declared order, and no key for a missing field', async () => {
    const rows = [
      // every field (the one-literal shape of an erroneous text)
      { id: 'a', text: '患者发热三天。', has_error: true, error_text: '发热', correction: '咳嗽', error_type: 'conceptual', specialty: 'tcm', style: 'news', difficulty: 2 },
      // a correct text with specialty, style and difficulty (the other one-literal shape)
      { id: 'b', text: '患者咳嗽。', has_error: false, error_text: null, correction: null, error_type: null, specialty: 'tcm', style: 'news', difficulty: 3 },
      // an error without a correction, and an unknown column kept in extra: built field by field
      { id: 'c', text: '血压升高。', has_error: true, error_text: '升高', correction: '', error_type: 'temporal', specialty: 'internal_medicine', style: 'news', difficulty: 1, note: '备注' },
      // no difficulty, no style
      { id: 'd', text: '心率正常。', has_error: false, specialty: 'tcm' },
      // a correction marker that means none, and a difficulty out of range (left empty with a warning)
      { id: 'e', text: '体温正常。', has_error: true, error_text: '正常', correction: 'NA', error_type: 'conceptual', specialty: 'tcm', style: 'news', difficulty: 9 },
    ];
    const r = await importDataset(rows.map((x) => JSON.stringify(x)).join('\n'), { fileName: 'shapes.jsonl' });
    expect(r.items.map((it) => it.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    for (const item of r.items) {
      expect(Object.keys(item)).toEqual(expectedKeys(item));
      expect(Object.values(item)).not.toContain(undefined);
    }
    expect(Object.keys(r.items[0] ?? {})).toEqual(['id', 'text', 'hasError', 'gold', 'unit', 'errorType', 'specialty', 'style', 'difficulty', 'correction']);
    expect(Object.keys(r.items[1] ?? {})).toEqual(['id', 'text', 'hasError', 'gold', 'unit', 'specialty', 'style', 'difficulty']);
    expect(r.items[2]?.extra).toEqual({ note: '备注' });
    expect(r.items[0]?.gold).toEqual([{ start: 2, end: 4, text: '发热', placed: true, approximate: false }]);
    expect(r.items[1]?.gold).toEqual([]);
    expect(Object.keys(r.items[4] ?? {})).toEqual(['id', 'text', 'hasError', 'gold', 'unit', 'errorType', 'specialty', 'style']);
    expect(r.warnings.map((w) => [w.id, w.reason])).toEqual([['e', 'bad_difficulty']]);
  });

  it('JSONL columns are every key in first-seen order, however the rows vary their keys', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 70; i++) deep = { d: deep };
    const lines = [
      { id: '1', text: '甲', label: 0 },
      { id: '2', text: '乙', label: 0 },
      // the same keys in another order
      { text: '丙', id: '3', label: 1 },
      // one key more, then one key fewer
      { id: '4', text: '丁', label: 0, note: '注' },
      { id: '5', text: '戊', label: 0 },
      // a flat value that is an array of scalars (not nested too deep), and a record nested too deep
      { id: '6', text: '己', label: 0, tags: ['a', 'b'] },
      { id: '7', text: '庚', label: 0, deep },
      { id: '8', text: '辛', label: 0, after: 1 },
    ];
    const r = await importDataset(lines.map((x) => JSON.stringify(x)).join('\n'), { fileName: 'keys.jsonl' });
    expect(r.columns).toEqual(['id', 'text', 'label', 'note', 'tags', 'after']);
    expect(r.items.map((it) => it.id)).toEqual(['1', '2', '3', '4', '5', '6', '8']);
    expect(r.rejected.map((x) => [x.row, x.reason])).toEqual([[7, 'malformed_row']]);
    expect(r.items[3]?.extra).toEqual({ note: '注' });
  });

  it('predictions and spans keep their key order with and without a score, type or correction', () => {
    const lines = [
      { id: 'a', has_error: true, spans: [{ start: 0, end: 2, text: '患者', score: 0.5 }], score: 0.9 },
      { id: 'b', has_error: true, spans: [{ start: 0, end: 2, text: '患者', type: 'numeric', correction: '病人', score: 0.25 }] },
      { id: 'c', has_error: true, spans: [{ text: '发热' }, { start: 1, end: 3, text: '者发', correction: '者咳' }], score: 0.1, raw: { model: 'm' } },
      { id: 'd', has_error: false, spans: [] },
    ];
    const r = parsePredictionsJsonl(lines.map((x) => JSON.stringify(x)).join('\n'));
    expect(r.issues).toEqual([]);
    const [a, b, c, d] = r.predictions;
    expect(Object.keys(a ?? {})).toEqual(['id', 'hasError', 'spans', 'score']);
    expect(Object.keys(a?.spans[0] ?? {})).toEqual(['start', 'end', 'text', 'score']);
    expect(a?.spans[0]).toEqual({ start: 0, end: 2, text: '患者', score: 0.5 });
    expect(Object.keys(b ?? {})).toEqual(['id', 'hasError', 'spans']);
    expect(Object.keys(b?.spans[0] ?? {})).toEqual(['start', 'end', 'text', 'type', 'correction', 'score']);
    expect(Object.keys(c ?? {})).toEqual(['id', 'hasError', 'spans', 'score', 'raw']);
    expect(c?.spans).toEqual([
      { start: -1, end: -1, text: '发热' },
      { start: 1, end: 3, text: '者发', correction: '者咳' },
    ]);
    expect(Object.keys(c?.spans[0] ?? {})).toEqual(['start', 'end', 'text']);
    expect(Object.keys(d ?? {})).toEqual(['id', 'hasError', 'spans']);
    expect(d?.spans).toEqual([]);
    expect(b?.spans).toHaveLength(1);
  });
});
