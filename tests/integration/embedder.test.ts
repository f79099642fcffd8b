/**
 * The embedder role through the REAL transformers.js feature-extraction
 * path, with fixture/tiny-embedder served by the local mirror: exact
 * vectors (the fixture's token vectors are known, so the pooled vector is
 * computed here by hand), passage self-retrieval over the project's
 * reference corpus, and hybrid retrieval (lexical + dense, fused by RRF)
 * next to lexical alone.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DenseIndex, normalizeVector, passageEvidenceSource, type LibraryPassageRow } from '../../src/core/evidence';
import { createEmbedder, type Embedder } from '../../workers/embedder-engine';
import { ensureFixtureModels } from '../fixtures/ensure-models';
import { startMirrorServer, type MirrorServer } from '../fixtures/mirror-server';
import { EMBEDDER_DIMS, embedderVocabulary, tokenVector } from '../fixtures/onnx/embedder-model';

const MODEL = 'fixture/tiny-embedder';
let mirror: MirrorServer;
let cacheDir: string;
let embedder: Embedder;
let rows: LibraryPassageRow[];

beforeAll(async () => {
  const root = await ensureFixtureModels();
  mirror = await startMirrorServer({ root });
  cacheDir = await mkdtemp(join(tmpdir(), 'medfact-embedder-'));
  embedder = createEmbedder({ cacheDir });
  const corpus = await readFile(join(import.meta.dirname, '..', 'fixtures', 'evidence', 'corpus.jsonl'), 'utf8');
  rows = corpus
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; title: string; text: string; page: number | null })
    .map((r) => ({ id: r.id, docId: r.title, title: r.title, page: r.page, text: r.text }));
});

afterAll(async () => {
  await embedder?.unload();
  await mirror?.close();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

/** What the fixture must output: normalise(mean of token vectors over [CLS], characters, [SEP]). */
function expectedVector(text: string): Float32Array {
  const vocab = embedderVocabulary();
  const ids = [vocab.indexOf('[CLS]'), ...[...text].map((ch) => vocab.indexOf(ch)), vocab.indexOf('[SEP]')];
  const sum = new Float64Array(EMBEDDER_DIMS);
  for (const id of ids) tokenVector(id).forEach((x, j) => (sum[j] = (sum[j] as number) + x));
  return normalizeVector(sum);
}

describe('embedder role (transformers.js feature extraction, fixture model)', () => {
  it('loads through the mirror and returns the exact mean-pooled, normalised vectors', async () => {
    const info = await embedder.load({ id: MODEL, hubHost: mirror.url, mirrorOnly: true, device: 'cpu', dtype: 'fp32' });
    expect(info.dims).toBe(EMBEDDER_DIMS);
    const texts = ['阿莫西林', '华法林目标INR'.toLowerCase().replace('inr', ''), '二甲双胍禁用'];
    const vectors = await embedder.embed(texts, 'passage');
    expect(vectors).toHaveLength(3);
    vectors.forEach((v, i) => {
      const want = expectedVector(texts[i]!);
      for (let j = 0; j < EMBEDDER_DIMS; j++) expect(v[j]).toBeCloseTo(want[j]!, 5);
    });
  });

  it('finds each corpus passage first from its own text, and hybrid retrieval keeps the lexical best hit', async () => {
    const vectors = await embedder.embed(rows.map((r) => `${r.title}\n${r.text}`), 'passage');
    const dense = new DenseIndex(MODEL, EMBEDDER_DIMS);
    dense.add(rows.map((r, i) => ({ id: r.id, vector: vectors[i]! })));
    const queries = await embedder.embed(rows.map((r) => `${r.title}\n${r.text}`), 'query');
    rows.forEach((r, i) => expect(dense.search(queries[i]!, 1)[0]?.id).toBe(r.id));

    const embedded: string[][] = [];
    const hybrid = passageEvidenceSource(rows, {
      k: 3,
      dense: {
        index: dense,
        embed: async (texts) => {
          embedded.push(texts);
          return embedder.embed(texts, 'query');
        },
      },
    });
    const lexical = passageEvidenceSource(rows, { k: 3 });
    const text = '阿莫西林成人每次口服5克。青霉素过敏者可以使用。';
    const [h, l] = [await hybrid.retrieve(text), await lexical.retrieve(text)];
    // The chunk and each sentence were embedded as queries.
    expect(embedded[0]).toEqual([text, '阿莫西林成人每次口服5克。', '青霉素过敏者可以使用。']);
    expect(l[0]?.id).toMatch(/^amox-/);
    expect(h.map((p) => p.id)).toContain(l[0]!.id);
    expect(h.slice(0, 3).some((p) => p.id.startsWith('amox-'))).toBe(true);
    // An empty dense index leaves lexical retrieval exactly as it is.
    const none = passageEvidenceSource(rows, { k: 3, dense: { index: new DenseIndex(MODEL, EMBEDDER_DIMS), embed: async () => [] } });
    expect(await none.retrieve(text)).toEqual(l);
  });
});
