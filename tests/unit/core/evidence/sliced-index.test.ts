/**
 * Indexing and removal in steps (issue 15, no stutter while a library grows):
 * a merge of two large segments, or the compaction of one after a deletion,
 * was one piece of work that grew with the library (50–80 ms at 10–16k
 * passages). These tests check that the stepped versions build exactly the
 * same segments, that the steps are small, that the index answers searches
 * consistently between steps, and that a change made during a turn is not
 * lost.
 */
import { describe, expect, it } from 'vitest';
import { chunkDocument, LexicalIndex } from '../../../../src/core/evidence';
import { combineSegments, combineSteps, runSteps, Segment, SegmentBuilder, type SegmentData } from '../../../../src/core/evidence/index-segment';
import { WordTokenCache } from '../../../../src/core/evidence/tokenizer';
import { makeText, seededRandom } from '../../../../perf/synthetic';

const words = new WordTokenCache();

/** Passages of `docs` synthetic chapters of `chars` characters, chunked as the library chunks them. */
function chapters(docs: number, chars: number, seed = 5): { id: string; text: string }[][] {
  const rng = seededRandom(seed);
  return Array.from({ length: docs }, (_, d) =>
    chunkDocument(`doc${d}`, { title: `第${d + 1}章`, kind: 'text', text: `第${d + 1}章\n\n${makeText(rng, chars)}` } as Parameters<typeof chunkDocument>[1]).map((p) => ({ id: p.id, text: p.text })),
  );
}

function segmentOf(key: number, passages: readonly { id: string; text: string }[]): Segment {
  const b = new SegmentBuilder(words);
  for (const p of passages) b.add(p.id, p.text);
  return new Segment(key, b.finish());
}

/** A segment's data with the typed arrays as plain arrays (the postings' tf array may be wider after a merge). */
const plain = (d: SegmentData) => ({ ...d, lengths: [...d.lengths], gramKeys: [...d.gramKeys], offsets: [...d.offsets], docs: [...d.docs], tfs: [...d.tfs] });

/** Calls `onTurn` at every turn of the event loop (setImmediate, as the index's own turns in Node) until `work` settles; returns the number of turns. */
async function everyTurn(work: Promise<void>, onTurn: () => void): Promise<number> {
  let done = false;
  const settled = work.then(() => {
    done = true;
  });
  let turns = 0;
  while (!done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (done) break;
    turns++;
    onTurn();
  }
  await settled;
  return turns;
}

const QUERIES = ['血压 控制 目标', '二甲双胍 肾功能', '阿莫西林 过敏', '儿童 剂量 体重', '妊娠 用药 禁忌', 'ICU mg/kg'];

describe('stepped merges and compactions', () => {
  it('a merge, with or without removed passages, is the segment built from scratch over what is left, and comes in small steps', () => {
    const [a = [], b = [], c = []] = chapters(3, 40_000);
    const parts = [segmentOf(1, a), segmentOf(2, b), segmentOf(3, c)];
    const rng = seededRandom(9);
    const dead = parts.map((s) => new Set(Array.from({ length: s.size }, (_, i) => i).filter(() => rng() < 0.25)));
    const kept = [a, b, c].flatMap((list, p) => list.filter((_, slot) => !dead[p]?.has(slot)));
    const merged = combineSegments(parts.map((seg, p) => ({ seg, dead: dead[p] as Set<number> })));
    expect(plain(merged)).toEqual(plain(segmentOf(9, kept).data));
    expect(plain(combineSegments(parts.map((seg) => ({ seg }))))).toEqual(plain(segmentOf(9, [...a, ...b, ...c]).data));

    // Stepping gives the same data, in more than one step for a merge of this size (tens of thousands of postings).
    const steps = combineSteps(parts.map((seg) => ({ seg })));
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    expect(yields).toBeGreaterThan(2);
    expect(plain(r.value)).toEqual(plain(combineSegments(parts.map((seg) => ({ seg })))));
    expect(runSteps(combineSteps([]))).toEqual({ ids: [], lengths: new Uint32Array(0), gramKeys: new Uint32Array(0), strTerms: [], offsets: new Uint32Array([0]), docs: new Uint32Array(0), tfs: new Uint8Array(0) });
  });

  it('searches between the steps of an import see the index before or after it, never a part of it', async () => {
    // A second chapter as large as the first: its segment joins, then the two are merged (in steps).
    const docs = chapters(2, 30_000);
    const index = new LexicalIndex();
    index.add(docs[0] as { id: string; text: string }[]);
    const before = QUERIES.map((q) => index.search(q, 5));
    const whole = new LexicalIndex();
    for (const d of docs) whole.add(d);
    const after = QUERIES.map((q) => whole.search(q, 5));
    const seen = new Set<string>();
    const turns = await everyTurn(index.addInSlices(docs[1] as { id: string; text: string }[], 0), () => {
      const now = JSON.stringify(QUERIES.map((q) => index.search(q, 5)));
      // While the new chapter's passages are tokenised the index is the one before; once its segment is finished
      // it joins, and the merges that follow only reshape segments (the same hits and scores).
      seen.add(now === JSON.stringify(before) ? 'before' : now === JSON.stringify(after) ? 'after' : 'mixed');
    });
    expect(turns).toBeGreaterThan(10);
    expect([...seen].sort()).toEqual(['after', 'before']);
    expect(QUERIES.map((q) => index.search(q, 5))).toEqual(after);
  });

  it('a removal during a merge\'s turn is kept: the merge that read the old segment is made again', async () => {
    // One chapter indexed; a second as large joins as its own segment and the two are merged, in steps.
    const docs = chapters(2, 30_000);
    const [first = [], second = []] = docs;
    const fresh = (): LexicalIndex => {
      const index = new LexicalIndex();
      index.add(first);
      return index;
    };
    // A dry run finds the turn at which the new chapter's segment joins; the merge comes after.
    const dry = fresh();
    let joined = 0;
    let turn = 0;
    await everyTurn(dry.addInSlices(second, 0), () => {
      turn++;
      if (joined === 0 && dry.has(second[0]?.id ?? '')) joined = turn;
    });
    expect(joined).toBeGreaterThan(0);
    expect(dry.segmentCount).toBe(1);
    const index = fresh();
    turn = 0;
    let segmentsAtRemoval = 0;
    const gone = first.filter((_, i) => i % 2 === 0);
    await everyTurn(index.addInSlices(second, 0), () => {
      if (++turn !== joined) return;
      segmentsAtRemoval = index.segmentCount;
      // Half of the first chapter: the removal compacts the segment being merged into a new object.
      index.remove(gone.map((p) => p.id));
    });
    // The removal landed while the two segments were being merged.
    expect(segmentsAtRemoval).toBe(2);
    expect(index.segmentCount).toBe(1);
    const expected = new LexicalIndex();
    expected.add(first.filter((_, i) => i % 2 === 1));
    expected.add(second);
    expect(index.size).toBe(expected.size);
    expect(gone.some((p) => index.has(p.id))).toBe(false);
    expect(second.every((p) => index.has(p.id))).toBe(true);
    for (const q of QUERIES) expect(index.search(q, 8)).toEqual(expected.search(q, 8));
  });

  it('removeInSlices removes exactly what remove() removes, and stores the same changes', async () => {
    const docs = chapters(4, 20_000);
    const build = (): LexicalIndex => {
      const index = new LexicalIndex();
      for (const d of docs) index.add(d);
      index.takeChanges();
      return index;
    };
    const gone = [...(docs[1] as { id: string }[]).map((p) => p.id), ...(docs[3] as { id: string }[]).slice(0, 7).map((p) => p.id), 'no-such-passage'];
    const sync = build();
    sync.remove(gone);
    const sliced = build();
    const turns = await everyTurn(sliced.removeInSlices(gone, 0), () => undefined);
    expect(turns).toBeGreaterThan(0);
    expect(sliced.size).toBe(sync.size);
    for (const q of QUERIES) expect(sliced.search(q, 8)).toEqual(sync.search(q, 8));
    expect(sliced.takeChanges()).toEqual(sync.takeChanges());
  });

  it('loading a stored index whose segment has tombstones compacts it in steps, to the index fromStored() gives', async () => {
    const docs = chapters(4, 30_000);
    const index = new LexicalIndex();
    for (const d of docs) index.add(d);
    const first = index.takeChanges();
    // A deletion: the stored segment keeps its passages, with tombstones, until a merge rewrites it.
    index.remove((docs[2] as { id: string }[]).map((p) => p.id));
    const second = index.takeChanges();
    expect(second.manifest.tombstones.length).toBeGreaterThan(0);
    const byKey = new Map([...first.put, ...second.put].map((seg) => [seg.key, seg]));
    const stored = second.manifest.segments.map((seg) => byKey.get(seg.key));
    const whole = LexicalIndex.fromStored(second.manifest, stored);
    let loaded: LexicalIndex | null = null;
    const turns = await everyTurn(
      LexicalIndex.fromStoredInSlices(second.manifest, stored, 0).then((x) => {
        loaded = x;
      }),
      () => undefined,
    );
    expect(turns).toBeGreaterThan(1);
    expect(loaded).not.toBeNull();
    const sliced = loaded as unknown as LexicalIndex;
    expect(sliced.size).toBe(index.size);
    expect((docs[2] as { id: string }[]).some((p) => sliced.has(p.id))).toBe(false);
    for (const q of QUERIES) {
      expect(sliced.search(q, 8)).toEqual(whole?.search(q, 8));
      expect(sliced.search(q, 8)).toEqual(index.search(q, 8));
    }
    // A manifest that does not fit is refused the same way.
    expect(await LexicalIndex.fromStoredInSlices({ version: 'other' }, stored)).toBeNull();
  });
});
