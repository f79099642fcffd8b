import { describe, expect, it } from 'vitest';
import type { DatasetItem } from '../../../src/core/dataset/types';
import { computeMetrics } from '../../../src/core/metrics/compute-metrics';
import { MISSING_PREDICTION_RULE, MISSING_WARN_SHARE, prepareScoring } from '../../../src/core/metrics/coverage';
import { metricsToCsv } from '../../../src/core/metrics/report-writers';
import { parsePredictionsJsonl } from '../../../src/core/predictions';

const item = (id: string, text: string, hasError: boolean): DatasetItem => ({
  id,
  text,
  hasError,
  gold: hasError ? [{ start: 0, end: 2, text: text.slice(0, 2), placed: true, approximate: false }] : [],
  unit: 'span',
});

/** 40 items: even ids erroneous (gold = first two characters), odd ids correct. */
const items: DatasetItem[] = Array.from({ length: 40 }, (_, i) => item(`t${i}`, `阿司匹林可以预防血栓形成${i}`, i % 2 === 0));
const line = (o: unknown): string => JSON.stringify(o);

describe('predictions lines: malformed spans are errors for their line', () => {
  const cases: [string, unknown][] = [
    ['an object instead of an array', { start: 0, end: 2, text: '阿司' }],
    ['a string instead of an array', '阿司'],
    ['a span that is not an object', [3]],
    ['non-integer offsets', [{ start: 0.5, end: 2, text: '阿司' }]],
    ['offsets given as words', [{ start: 'zero', end: 2 }]],
    ['negative offsets', [{ start: -1, end: 2, text: '阿司' }]],
    ['reversed offsets', [{ start: 4, end: 2, text: '阿司' }]],
    ['an empty span', [{ start: 2, end: 2 }]],
    ['only one offset', [{ start: 2, text: '阿司' }]],
    ['neither offsets nor text', [{ type: 'conceptual' }]],
  ];
  for (const [what, spans] of cases) {
    it(`${what}: the line is skipped with its number, the other lines are read`, () => {
      const text = [line({ id: 't0', has_error: true, spans: [{ start: 0, end: 2, text: '阿司' }] }), line({ id: 't1', has_error: true, spans }), line({ id: 't2', has_error: false, spans: [] })].join('\n');
      const r = parsePredictionsJsonl(text);
      expect(r.predictions.map((p) => p.id)).toEqual(['t0', 't2']);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ line: 2, skipped: true });
      expect(r.issues[0]!.message).toMatch(/^id t1: /);
      expect(r.issues[0]!.message).toMatch(/line skipped/);
    });
  }

  it('text-only spans and explicit null offsets are still accepted', () => {
    const r = parsePredictionsJsonl(line({ id: 't0', has_error: true, spans: [{ start: null, end: null, text: '阿司' }, { text: '血栓' }] }));
    expect(r.issues).toEqual([]);
    expect(r.predictions[0]!.spans.map((s) => s.start)).toEqual([-1, -1]);
  });

  it('ids are trimmed on both sides, as dataset ids are, and each prediction keeps its line', () => {
    const r = parsePredictionsJsonl(['', line({ id: '  t0\t', has_error: false }), line({ id: 7, has_error: true, spans: [] })].join('\n'));
    expect(r.predictions.map((p) => p.id)).toEqual(['t0', '7']);
    expect(r.lines).toEqual([2, 3]);
  });
});

describe('prepareScoring', () => {
  const all = items.map((it) => line({ id: it.id, has_error: it.hasError, spans: it.hasError ? [{ start: 0, end: 2 }] : [] }));

  it('refuses to score when no prediction id matches the dataset, and says what the ids look like', () => {
    const read = parsePredictionsJsonl(items.map((it) => line({ id: `x-${it.id}`, has_error: false })).join('\n'));
    const p = prepareScoring(items, read);
    expect(p.fatal).toMatch(/None of the 40 prediction ids matches an id in the dataset \(40 items\)/);
    expect(p.fatal).toMatch(/"t0"/);
    expect(p.fatal).toMatch(/"x-t0"/);
  });

  it('warns when more than 5% of the items have no prediction, not at 5% exactly', () => {
    const atLimit = prepareScoring(items, parsePredictionsJsonl(all.slice(2).join('\n')));
    expect(atLimit.coverage.missing).toBe(2);
    expect(atLimit.coverage.missing_share).toBe(MISSING_WARN_SHARE);
    expect(atLimit.coverage.warnings).toEqual([]);
    const over = prepareScoring(items, parsePredictionsJsonl(all.slice(3).join('\n')));
    expect(over.fatal).toBeNull();
    expect(over.coverage).toMatchObject({ matched: 37, missing: 3, missing_ids: ['t0', 't1', 't2'] });
    expect(over.coverage.warnings[0]).toMatch(/3 of 40 dataset items \(7\.5%\) have no prediction/);
    expect(over.coverage.missing_rule).toBe(MISSING_PREDICTION_RULE);
  });

  it('offsets past the end of the text are an error for that line; the item then counts as missing', () => {
    const lines = [...all];
    lines[4] = line({ id: 't4', has_error: true, spans: [{ start: 3, end: 99 }] });
    const p = prepareScoring(items, parsePredictionsJsonl(lines.join('\n')));
    expect(p.issues).toEqual([{ line: 5, skipped: true, message: expect.stringMatching(/^id t4: span 1 offsets \[3, 99\) go past the end of the text \(13 UTF-16 code units\)/) as unknown }]);
    expect(p.predictions.some((x) => x.id === 't4')).toBe(false);
    expect(p.coverage.rejected_lines).toBe(1);
    const m = computeMetrics(items, p.predictions, { resamples: 0 });
    expect(m.missing).toBe(1);
    expect(m.vc.fn).toBe(1);
  });

  it('lists duplicate ids with every line and the one used: the first for JSONL, the last for MEDIQA-CORR', () => {
    const lines = [...all, line({ id: 't1', has_error: true, spans: [] }), line({ id: ' t1 ', has_error: true, spans: [] })];
    const read = parsePredictionsJsonl(lines.join('\n'));
    const first = prepareScoring(items, read);
    expect(first.coverage.duplicates).toEqual([{ id: 't1', lines: [2, 41, 42], used_line: 2 }]);
    expect(first.predictions.find((x) => x.id === 't1')!.hasError).toBe(false);
    expect(first.coverage.warnings.join(' ')).toMatch(/"t1" \(lines 2, 41, 42; used 2\)/);
    const last = prepareScoring(items, read, { duplicateRule: 'last' });
    expect(last.coverage.duplicates[0]!.used_line).toBe(42);
    expect(last.predictions.find((x) => x.id === 't1')!.hasError).toBe(true);
    expect(last.coverage.duplicate_rule).toMatch(/last line is scored/);
  });

  it('the CSV summary carries the duplicates, the rules and the reading counts on its overall row', () => {
    const read = parsePredictionsJsonl([...all, line({ id: 't3', has_error: true })].join('\n'));
    const p = prepareScoring(items, read);
    const csv = metricsToCsv(computeMetrics(items, p.predictions, { resamples: 0 }), { coverage: p.coverage }).trim().split('\n');
    const header = csv[0]!.split(',');
    expect(header.slice(-8)).toEqual([
      'unknown_predictions',
      'duplicate_predictions',
      'duplicate_ids',
      'duplicate_rule',
      'rejected_prediction_lines',
      'missing_rule',
      'mediqa_error_flag_accuracy',
      'mediqa_error_sentence_accuracy',
    ]);
    expect(csv[1]).toContain(',0,1,t3 (lines 4 41; used 4),"For an id given more than once, the first line is scored');
    expect(csv[1]).toContain('"A dataset item without a prediction is scored as a prediction of ""no error""');
  });
});

describe('the older "errors" alias', () => {
  it('is read as spans when it is an array, and ignored otherwise (it may be a count)', () => {
    const r = parsePredictionsJsonl([line({ id: 't0', has_error: true, errors: [{ start: 0, end: 2, text: '阿司' }] }), line({ id: 't1', has_error: false, errors: 0 })].join('\n'));
    expect(r.issues).toEqual([]);
    expect(r.predictions.map((p) => p.spans.length)).toEqual([1, 0]);
  });
});
