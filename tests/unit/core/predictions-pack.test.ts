/**
 * The packed form that carries a read predictions file between threads
 * (`medfact score` reads predictions in a worker thread): unpacking must give
 * back exactly what the reader produced, keys in the same order, line
 * numbers, issues and decoding included, also across string chunk borders.
 */
import { describe, expect, it } from 'vitest';
import { packedBuffers, packPredictions, unpackPredictions } from '../../../src/core/predictions-pack';
import { readPredictions } from '../../../src/core/predictions';
import { makeHostileScoringFiles } from '../../fixtures/hostile-scoring';

describe('packed predictions', () => {
  it('unpack(pack(read)) is the read result, byte for byte when written as JSON, whatever the chunk size', async () => {
    const { predictions } = makeHostileScoringFiles(300);
    const read = await readPredictions(new Blob([predictions]));
    expect(read.predictions.length).toBeGreaterThan(250);
    expect(read.issues.length).toBeGreaterThan(10);
    expect(read.predictions.some((p) => p.raw !== undefined)).toBe(true);
    expect(read.predictions.some((p) => p.spans.some((s) => s.type !== undefined && s.correction !== undefined))).toBe(true);
    for (const chunkChars of [undefined, 7, 1]) {
      const back = unpackPredictions(packPredictions(read, chunkChars));
      expect(back).toStrictEqual(read);
      expect(JSON.stringify(back)).toBe(JSON.stringify(read));
      expect(back.lines).toEqual(read.lines);
      expect(JSON.stringify(back.predictions.map((p) => p.spans))).toBe(JSON.stringify(read.predictions.map((p) => p.spans)));
    }
    // Values that JSON does not show apart: -0, a lone surrogate, a subnormal score.
    const back = unpackPredictions(packPredictions(read, 5));
    const byId = new Map(back.predictions.map((p) => [p.id, p]));
    expect(Object.is(byId.get('h-mismatch')?.spans[0]?.score, -0)).toBe(true);
    expect(byId.get('14')?.spans[0]?.text).toBe('\ud800孤');
    expect(byId.get('h-surrogate')?.score).toBe(1e-320);
    expect(byId.get('s13')?.raw).toEqual({ answer: '{"errors":[]}', tokens: [1, 2] });
  });

  it('moves its numbers in transferable buffers and keeps an empty file empty', async () => {
    const read = await readPredictions(new Blob(['\n\n']));
    const packed = packPredictions(read);
    expect(packedBuffers(packed).every((b) => b instanceof ArrayBuffer)).toBe(true);
    expect(unpackPredictions(packed)).toStrictEqual(read);
  });
});
