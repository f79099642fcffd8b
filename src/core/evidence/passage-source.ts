/**
 * An evidence source over a plain list of passages (title and text each),
 * for places that carry the library with them instead of reading the app's
 * IndexedDB: a benchmark run (its config holds the library it used, so a
 * resume sees the same one) and the CLI. Same index, same retrieval and the
 * same per-chunk cap as the checker's source over the app's library.
 */
import type { EvidenceRetrieval, EvidenceSource } from '../check';
import { shortHash } from '../hash';
import { LexicalIndex, passageSearchText } from './lexical-index';
import { createYielder } from '../yield';
import type { DenseIndex } from './dense-index';
import { DEFAULT_EVIDENCE_K, retrievalQueries, retrieveForText, type Ranker, type RetrieveOptions } from './retrieve';
import type { CitedPassage, ScoredId } from './types';

/** Most passages handed to the verifier per chunk. */
export const MAX_PASSAGES_PER_CHUNK = 8;

/** One passage of a carried library: a cited passage without its rank. */
export type LibraryPassageRow = Omit<CitedPassage, 'rank'>;

export interface PassageSourceOptions {
  /** Passages per query (the chunk and each of its sentences); default 3. */
  k?: number;
  /** Recorded with results; default: libraryRowsHash(rows). */
  libraryHash?: string;
  /** Optional dense ranking (the embedder role): passage vectors, and the model that embeds the queries; fused by RRF. */
  dense?: DenseRetrieval;
}

export interface DenseRetrieval {
  index: DenseIndex;
  embed(texts: string[], signal?: AbortSignal): Promise<ArrayLike<number>[]>;
}

/** Hybrid when a dense index with vectors is given, else lexical: what a result records. */
export function retrievalInfo(dense: DenseRetrieval | undefined): EvidenceRetrieval {
  return dense && dense.index.size > 0 ? { mode: 'hybrid', embedder: dense.index.model, vectors: dense.index.size } : { mode: 'lexical' };
}

/**
 * The dense ranking for one chunk: embeds the chunk and its sentences (the
 * queries retrieveForText ranks) in one call, then ranks each by cosine
 * ahead of time, giving the event loop a turn between scans (a scan of a
 * large library takes milliseconds, and this runs on the page's thread).
 * Undefined without vectors, so retrieval stays exactly lexical.
 */
export async function denseRankerFor(dense: DenseRetrieval | undefined, chunkText: string, options: RetrieveOptions, signal?: AbortSignal): Promise<Ranker | undefined> {
  if (!dense || dense.index.size === 0) return undefined;
  const queries = retrievalQueries(chunkText, options);
  const vectors = await dense.embed(queries, signal);
  const k = options.k ?? DEFAULT_EVIDENCE_K;
  const ranked = new Map<string, ScoredId[]>();
  const turn = createYielder();
  for (const [i, query] of queries.entries()) {
    ranked.set(query, await dense.index.searchSliced(vectors[i] ?? [], k, turn, signal));
  }
  return { search: (query, n) => (ranked.get(query) ?? []).slice(0, n) };
}

/** A content hash of a carried library (ids, titles, pages, texts), order-independent. */
export function libraryRowsHash(rows: readonly LibraryPassageRow[]): string {
  if (rows.length === 0) return 'empty';
  const lines = rows.map((r) => JSON.stringify([r.id, r.docId, r.title, r.page, r.text])).sort();
  return `rows-${shortHash(lines.join('\n'))}`;
}

/** Builds the index once; `retrieve` is then the checker's per-chunk retrieval. */
export function passageEvidenceSource(rows: readonly LibraryPassageRow[], options: PassageSourceOptions = {}): EvidenceSource & { index: LexicalIndex } {
  const k = options.k ?? DEFAULT_EVIDENCE_K;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const index = new LexicalIndex();
  index.add(rows.map((r) => ({ id: r.id, text: passageSearchText(r.title, r.text) })));
  return {
    index,
    libraryHash: options.libraryHash ?? libraryRowsHash(rows),
    retrieval: retrievalInfo(options.dense),
    async retrieve(chunkText, signal) {
      signal?.throwIfAborted();
      const opts = { k, chunkChars: chunkText.length + 1 };
      const dense = await denseRankerFor(options.dense, chunkText, opts, signal);
      const [group] = retrieveForText(index, chunkText, { ...opts, ...(dense ? { dense } : {}) });
      const out: CitedPassage[] = [];
      for (const h of group?.hits ?? []) {
        const row = byId.get(h.id);
        if (row) out.push({ ...row, rank: out.length + 1 });
        if (out.length >= MAX_PASSAGES_PER_CHUNK) break;
      }
      return out;
    },
  };
}
