import { describe, expect, it } from 'vitest';
import { parsePredictionsJsonl, readPredictions, writePredictionsJsonl, type Prediction } from '../../../src/core/predictions';

describe('predictions JSONL', () => {
  it('round-trips through the writer and the reader', () => {
    const preds: Prediction[] = [
      { id: 'a', hasError: true, spans: [{ start: 1, end: 3, text: '细胞', type: 'conceptual', correction: 'β细胞', score: 0.8 }], score: 0.8, raw: '{"errors":[]}' },
      { id: 'b', hasError: false, spans: [] },
    ];
    const text = writePredictionsJsonl(preds);
    expect(text.split('\n')[0]).toContain('"has_error":true');
    expect(parsePredictionsJsonl(text)).toEqual({ predictions: preds, issues: [] });
  });

  it('is tolerant: bad lines are reported with line numbers, repairs are noted', async () => {
    const text = ['{"id":"a","has_error":1,"spans":[{"start":0,"end":2,"text":"ab"}]}', '', 'not json', '{"has_error":true}', '{"id":"c","spans":[{"text":"only text"}]}', '[1,2]'].join('\n');
    const r = parsePredictionsJsonl(text);
    expect(r.predictions.map((p) => [p.id, p.hasError])).toEqual([
      ['a', true],
      ['c', true],
    ]);
    expect(r.predictions[1]!.spans[0]).toEqual({ start: -1, end: -1, text: 'only text' });
    expect(r.issues.map((i) => i.line)).toEqual([3, 4, 5, 6]);
    const streamed = await readPredictions(new Blob([text]));
    expect(streamed.predictions).toEqual(r.predictions);
    expect(streamed.issues).toEqual(r.issues);
  });
});
