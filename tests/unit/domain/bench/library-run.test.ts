/**
 * Benchmark runs against the reference library (issue 11): the run carries
 * its library, every item is checked with the grounded prompt and its
 * retrieved passages, findings keep their citations, provenance records the
 * library's hash and k, and the run comparison (McNemar, paired bootstrap)
 * against the same run without the library shows what retrieval changed.
 */
import { describe, expect, it } from 'vitest';
import { createScriptedEngine } from '../../../kit/scripted-engine';
import { libraryRowsHash, passageEvidenceSource, type LibraryPassageRow } from '../../../../src/core/evidence';
import { compareRuns } from '../../../../src/core/metrics/compare-runs';
import { newRunRecord } from '../../../../src/domain/bench/create-run';
import { executeRun, type EngineLoader } from '../../../../src/domain/bench/execute-run';
import { predictionsOf } from '../../../../src/domain/bench/run-results';
import type { RunConfig } from '../../../../src/core/run-record';
import type { GenerateParams } from '../../../../src/protocol/engine';
import { CONFIG, freshDb, ITEMS, scriptedAnswer, userText } from './bench-fixtures';

const env = { appVersion: '9.9.9', userAgent: 'TestAgent/1', gpuAdapter: 'none' };

const LIBRARY: LibraryPassageRow[] = [
  { id: 'salt:0', docId: 'salt', title: '高血压防治指南', page: 12, text: '高血压患者应限制食盐摄入，每日食盐不超过5克。' },
  { id: 'ins:0', docId: 'ins', title: '生理学', page: 88, text: '胰岛素由胰岛β细胞分泌，胰高血糖素由α细胞分泌。' },
  { id: 'hbv:0', docId: 'hbv', title: '传染病学', page: 30, text: '乙型肝炎病毒是DNA病毒，经血液、母婴和性接触传播。' },
  { id: 'amox:0', docId: 'amox', title: '阿莫西林胶囊说明书', page: 2, text: '阿莫西林成人一次0.5克，每6～8小时1次。' },
];

/**
 * FAKE verifier that reads its passages: without passages it answers like the fixtures' verifier (a false alarm on the salt
 * text, the α-cell error missed); with them it drops the flag the salt passage supports and finds the α-cell error, citing it.
 */
function groundedAnswer(params: GenerateParams): string {
  const user = userText(params);
  if (!user.includes('参考资料：')) return scriptedAnswer(params);
  const cite = (title: string): number[] => {
    const m = new RegExp(`\\[(\\d+)\\]《${title}》`).exec(user);
    return m ? [Number(m[1])] : [];
  };
  const text = user.slice(user.indexOf('待核查文本'));
  if (text.includes('α细胞') && cite('生理学').length) {
    return JSON.stringify({ has_error: true, errors: [{ quote: 'α细胞', type: 'terminological', med: false, fix: 'β细胞', why: '见资料', ev: cite('生理学') }] });
  }
  if (text.includes('食盐')) return '{"has_error":false,"errors":[]}';
  return scriptedAnswer({ ...params, messages: [{ role: 'user', content: text }] });
}

async function runWith(config: RunConfig) {
  const { runs, datasets } = freshDb();
  await datasets.save(
    { v: 1, id: 'ds1', name: 'fixture set', createdAt: 1, origin: 'demo', contentHash: 'hash1', unit: 'span', itemCount: ITEMS.length, stats: {} as never, mapping: {}, notes: [], rejected: [], rejectedCount: 0, warningCount: 0 },
    ITEMS,
  );
  const run = newRunRecord({ name: 'r', datasetId: 'ds1', datasetHash: 'hash1', selection: { seed: 1 }, itemIds: ITEMS.map((i) => i.id), config });
  await runs.create(run);
  const seen: GenerateParams[] = [];
  const loader: EngineLoader = async (spec) => {
    const engine = createScriptedEngine((p) => {
      seen.push(p);
      return groundedAnswer(p);
    });
    return { engine, loaded: await engine.load(spec) };
  };
  const outcome = await executeRun({ runId: run.id, runs, datasets: { name: async () => 'fixture set', items: datasets.items }, loadEngine: loader, env });
  expect(outcome.state).toBe('completed');
  return { saved: await runs.get(run.id), items: await runs.listItems(run.id), seen };
}

describe('benchmark runs with the reference library', () => {
  it('checks every item grounded, keeps citations, records the library in provenance, and the comparison shows what retrieval changed', async () => {
    const hash = libraryRowsHash(LIBRARY);
    const plain = await runWith(CONFIG);
    const grounded = await runWith({ ...CONFIG, library: { hash, k: 2, documents: 4, passages: LIBRARY } });

    expect(plain.saved?.provenance).toMatchObject({ library: null, answerFormat: 'answer-v1' });
    expect(grounded.saved?.provenance).toMatchObject({ library: { hash, k: 2, documents: 4, passages: 4 }, promptId: 'medfact-verifier/grounded', answerFormat: 'answer-v2' });
    expect(grounded.seen).toHaveLength(ITEMS.length);
    expect(grounded.seen.every((p) => userText(p).includes('参考资料：'))).toBe(true);
    expect(plain.seen.some((p) => userText(p).includes('参考资料：'))).toBe(false);

    const e3 = grounded.items.find((i) => i.itemId === 'e3');
    expect(e3?.findings).toEqual([expect.objectContaining({ quote: 'α细胞', evidence: ['ins:0'] })]);

    const texts = new Map(ITEMS.map((i) => [i.id, i.text]));
    const comparison = compareRuns(
      { items: ITEMS, predictions: predictionsOf(plain.items, texts) },
      { items: ITEMS, predictions: predictionsOf(grounded.items, texts) },
      { resamples: 200 },
    );
    // Retrieval fixed the false alarm on c1 and found e3; it broke nothing.
    expect(comparison.mcnemar).toMatchObject({ a_right_b_wrong: 0, a_wrong_b_right: 2 });
    expect(comparison.flipped.map((f) => f.id).sort()).toEqual(['c1', 'e3']);
    expect(comparison.diff.vc_f1).toBeGreaterThan(0);
    expect(comparison.diff.over_criticism).toBeLessThan(0);
  });

  it('retrieves from the carried passages with the checker’s ranking, best passage first', async () => {
    const source = passageEvidenceSource(LIBRARY, { k: 1 });
    expect(source.libraryHash).toBe(libraryRowsHash(LIBRARY));
    expect(libraryRowsHash([...LIBRARY].reverse())).toBe(source.libraryHash);
    expect(libraryRowsHash(LIBRARY.slice(1))).not.toBe(source.libraryHash);
    const hits = await source.retrieve('胰岛素由胰腺的α细胞分泌。');
    expect(hits[0]).toMatchObject({ id: 'ins:0', title: '生理学', page: 88, rank: 1 });
    expect(await passageEvidenceSource([], {}).retrieve('胰岛素')).toEqual([]);
  });
});
