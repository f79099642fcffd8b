/**
 * Evidence for a checked text: for each chunk the checker sends to the model,
 * the top-k passages for the whole chunk and for each of its sentences,
 * deduplicated and merged by reciprocal-rank fusion (chunk and sentence
 * scores are not comparable). With a dense ranker the lexical and dense
 * lists of each query are fused the same way first.
 */
import { splitIntoChunks, type TextChunk } from '../chunk';
import { reciprocalRankFusion } from './fusion';
import { sentenceSpans } from './passages';
import type { ScoredId } from './types';

export interface Ranker {
  search(query: string, k: number): ScoredId[];
}

export interface RetrieveOptions {
  /** Passages per query (chunk or sentence); default 3. */
  k?: number;
  /** Chunking of the checked text (the checker's own sizes). */
  chunkChars?: number;
  overlapChars?: number;
  /** Optional second ranking (dense vectors), fused with the lexical one. */
  dense?: Ranker;
}

export interface EvidenceHit {
  id: string;
  /** 1-based rank inside its chunk. */
  rank: number;
  /** Fused score (RRF). */
  score: number;
  /** Offsets in the checked text of the queries (chunk/sentences) that found it. */
  foundBy: { start: number; end: number }[];
}

export interface ChunkEvidence {
  chunk: TextChunk;
  hits: EvidenceHit[];
}

export const DEFAULT_EVIDENCE_K = 3;

function rank(lexical: Ranker, dense: Ranker | undefined, query: string, k: number): ScoredId[] {
  const a = lexical.search(query, k);
  if (!dense) return a;
  return reciprocalRankFusion([a, dense.search(query, k)]).slice(0, k);
}

function chunksOf(text: string, options: RetrieveOptions): TextChunk[] {
  return splitIntoChunks(text, options.chunkChars ?? 1500, options.overlapChars ?? 100);
}

function queriesOf(text: string, chunk: TextChunk): { start: number; end: number }[] {
  const queries = [{ start: chunk.start, end: chunk.end }];
  const sentences = sentenceSpans(text, chunk.start, chunk.end);
  if (sentences.length > 1) queries.push(...sentences);
  return queries;
}

/** Every query text retrieveForText will rank (each chunk, then its sentences): what a dense ranker must embed first. */
export function retrievalQueries(text: string, options: RetrieveOptions = {}): string[] {
  return [...new Set(chunksOf(text, options).flatMap((chunk) => queriesOf(text, chunk).map((q) => text.slice(q.start, q.end))))];
}

export function retrieveForText(lexical: Ranker, text: string, options: RetrieveOptions = {}): ChunkEvidence[] {
  const k = options.k ?? DEFAULT_EVIDENCE_K;
  const chunks = chunksOf(text, options);
  return chunks.map((chunk) => {
    const queries = queriesOf(text, chunk);
    const lists = queries.map((q) => rank(lexical, options.dense, text.slice(q.start, q.end), k));
    const foundBy = new Map<string, { start: number; end: number }[]>();
    lists.forEach((list, i) => {
      for (const h of list) {
        const f = foundBy.get(h.id) ?? [];
        f.push(queries[i] as { start: number; end: number });
        foundBy.set(h.id, f);
      }
    });
    const fused = reciprocalRankFusion(lists);
    return { chunk, hits: fused.map((h, i) => ({ id: h.id, rank: i + 1, score: h.score, foundBy: foundBy.get(h.id) ?? [] })) };
  });
}
