/**
 * JSONL datasets and predictions are cut into lines chunk by chunk, joining
 * only the line that spans a chunk boundary (issue 15). Wherever the chunks
 * begin (inside a line, between \r and \n, inside a multi-byte character,
 * a line longer than many chunks), the result must be what the whole text
 * gives: the same items, rejections with their line numbers, predictions and
 * issues. Sources hand their chunks through BlobLike.chunks(), the path the
 * CLI's in-memory dataset takes.
 */
import { describe, expect, it } from 'vitest';
import type { BlobLike } from '../../../../src/core/dataset/byte-source';
import { importDataset } from '../../../../src/core/dataset/import-dataset';
import { parsePredictionsJsonl, readPredictions } from '../../../../src/core/predictions';
import { makeHostileScoringFiles } from '../../../fixtures/hostile-scoring';

/** A Blob-like source over `bytes` whose chunks() cuts them into pieces of the given sizes, in turn. */
function chunkedSource(bytes: Uint8Array, sizes: readonly number[]): BlobLike & { handed: number } {
  const source = {
    size: bytes.byteLength,
    handed: 0,
    *chunks(): Generator<Uint8Array> {
      let k = 0;
      for (let at = 0; at < bytes.byteLength; k++) {
        const end = Math.min(bytes.byteLength, at + (sizes[k % sizes.length] as number));
        source.handed++;
        yield bytes.subarray(at, end);
        at = end;
      }
    },
    stream: (): ReadableStream<Uint8Array> => {
      throw new Error('chunks() is there: stream() must not be used');
    },
    slice: (start?: number, end?: number) => ({ arrayBuffer: async () => bytes.slice(start ?? 0, end ?? bytes.byteLength).buffer }),
  };
  return source;
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A long line (more than many small chunks), CRLF endings and blank lines mixed into the hostile set. */
function hostileText(): { dataset: string; predictions: string } {
  const files = makeHostileScoringFiles(400);
  const long = JSON.stringify({ id: 'long', text: `${'很长的一行文本，'.repeat(3000)}错误。`, has_error: true, error_text: '错误' });
  const lines = files.dataset.split('\n');
  lines.splice(30, 0, long, '', '  ');
  const dataset = lines.map((l, i) => (i % 7 === 3 ? `${l}\r` : l)).join('\n');
  return { dataset, predictions: files.predictions.replace(/\n(?=.)/g, (m, at: number) => (at % 3 === 0 ? '\r\n' : m)) };
}

describe('JSONL lines cut chunk by chunk', () => {
  const { dataset, predictions } = hostileText();

  it('imports a dataset exactly as from one piece, whatever the chunk sizes', async () => {
    const whole = await importDataset(dataset, { fileName: 'd.jsonl' });
    expect(whole.rejected.length).toBeGreaterThan(5);
    expect(whole.items.some((it) => it.id === 'long')).toBe(true);
    for (const sizes of [[1, 2, 3, 5], [7], [64], [4093, 17], [65_536]]) {
      const source = chunkedSource(encode(dataset), sizes);
      const chunked = await importDataset(source, { fileName: 'd.jsonl' });
      expect(source.handed).toBeGreaterThan(1);
      expect(chunked).toEqual(whole);
    }
  });

  it('reads predictions exactly as from one piece, line numbers included', async () => {
    const whole = parsePredictionsJsonl(predictions);
    expect(whole.issues.length).toBeGreaterThan(5);
    for (const sizes of [[1, 2, 3, 5], [11], [4096, 3]]) {
      const chunked = await readPredictions(chunkedSource(encode(predictions), sizes));
      expect(chunked.predictions).toEqual(whole.predictions);
      expect(chunked.issues).toEqual(whole.issues);
      expect(chunked.lines).toEqual(whole.lines);
    }
  });

  it('keeps a last line without a line break, and a file that is one line', async () => {
    const text = `${JSON.stringify({ id: 'a', has_error: true, spans: [] })}\n${JSON.stringify({ id: 'b', has_error: false })}`;
    const chunked = await readPredictions(chunkedSource(encode(text), [3]));
    expect(chunked.predictions.map((p) => p.id)).toEqual(['a', 'b']);
    expect(chunked.lines).toEqual([1, 2]);
    const one = await importDataset(chunkedSource(encode(JSON.stringify({ id: 'x', text: '一行。', has_error: false })), [2]), { fileName: 'one.jsonl' });
    expect(one.items.map((it) => it.id)).toEqual(['x']);
  });
});
