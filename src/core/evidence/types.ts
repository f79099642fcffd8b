/**
 * Shapes of the reference library shared by the app, workers and the CLI.
 * Offsets are UTF-16 indices into the document's extracted text, end exclusive.
 */

/** A document's extracted text; `pages` (PDF) gives each page's start offset. */
export interface DocumentText {
  text: string;
  /** Ascending page starts: page `page` covers [start, next start). Absent for unpaged formats. */
  pages?: { page: number; start: number }[];
}

export interface Passage {
  /** Unique in the library: `${docId}:${n}`, or the passages file's own id. */
  id: string;
  docId: string;
  /** 1-based page for PDFs (and passages files that give one); null otherwise. */
  page: number | null;
  start: number;
  end: number;
  text: string;
}

/** One ranked hit. */
export interface ScoredId {
  id: string;
  score: number;
}

/** A passage handed to the verifier, as stored with a check result (what the model saw). */
export interface CitedPassage {
  id: string;
  docId: string;
  title: string;
  page: number | null;
  text: string;
  /** 1-based rank among the passages retrieved for its chunk. */
  rank: number;
}
