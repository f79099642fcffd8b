/**
 * The checker's evidence source over the app's library: for each chunk the
 * verifier sees, the top-k passages for the chunk and for each of its
 * sentences (deduplicated, fused by rank), capped so the prompt stays small.
 */
import type { EvidenceSource } from '../../core/check';
import { DEFAULT_EVIDENCE_K, denseRankerFor, retrievalInfo, retrieveForText, type CitedPassage } from '../../core/evidence';
import { getDenseLibrary } from './dense-library';
import { getLibrary } from './library-instance';

/** Most passages handed to the verifier per chunk. */
export const MAX_PASSAGES_PER_CHUNK = 8;

export async function libraryEvidenceSource(k = DEFAULT_EVIDENCE_K): Promise<EvidenceSource> {
  const library = getLibrary();
  const index = await library.lexicalIndex();
  // With an embedder loaded and vectors stored: hybrid (lexical and dense fused by rank); else lexical alone.
  const dense = await getDenseLibrary().retrieval();
  return {
    libraryHash: library.libraryHash,
    retrieval: retrievalInfo(dense),
    async retrieve(chunkText, signal) {
      signal?.throwIfAborted();
      // The chunk is already the verifier's unit: retrieve over it whole (one chunk, plus its sentences).
      const opts = { k, chunkChars: chunkText.length + 1 };
      const ranker = await denseRankerFor(dense, chunkText, opts, signal);
      const [group] = retrieveForText(index, chunkText, { ...opts, ...(ranker ? { dense: ranker } : {}) });
      const hits = (group?.hits ?? []).slice(0, MAX_PASSAGES_PER_CHUNK);
      const resolved = await library.resolve(hits.map((h) => ({ id: h.id, score: h.score })));
      return resolved.map(
        (h, i): CitedPassage => ({ id: h.passage.id, docId: h.passage.docId, title: h.title, page: h.passage.page, text: h.passage.text, rank: i + 1 }),
      );
    },
  };
}
