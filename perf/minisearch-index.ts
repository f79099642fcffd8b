/**
 * FOR COMPARISON ONLY (bench): the library index as first built on MiniSearch
 * (same tokenizer and BM25 sum), kept so `npm run bench -- --only retrieval`
 * shows why the app uses its own BM25 index (src/core/evidence/lexical-index.ts).
 */
import MiniSearch, { type AsPlainObject, type Options, type SearchOptions } from 'minisearch';
import { gramTokens, normalizeForSearch, TOKENIZER_VERSION, wordTokens } from '../src/core/evidence';
import type { ScoredId } from '../src/core/evidence';

/** Persisted indexes carry this; any other version is rebuilt from the passages. */
const INDEX_VERSION = `evidence-index-1/${TOKENIZER_VERSION}`;

interface IndexOptions {
  /** Weight of a word match relative to a bigram match. */
  wordBoost?: number;
  bm25?: { k: number; b: number; d: number };
}

const INDEX_DEFAULTS: Required<IndexOptions> = { wordBoost: 0.5, bm25: { k: 1.2, b: 0.75, d: 0 } };

interface IndexDoc {
  id: string;
  text: string;
}

function fieldTokens(text: string, field?: string): string[] {
  const n = normalizeForSearch(text);
  if (field === 'gram') return gramTokens(n);
  if (field === 'word') return wordTokens(n);
  return [...gramTokens(n), ...wordTokens(n)];
}

function miniOptions(o: Required<IndexOptions>): Options<IndexDoc> {
  return {
    idField: 'id',
    fields: ['gram', 'word'],
    storeFields: [],
    extractField: (doc, field) => (field === 'id' ? doc.id : doc.text),
    tokenize: (text, field) => fieldTokens(text, field),
    processTerm: (term) => term,
    autoVacuum: { minDirtCount: 200, minDirtFactor: 0.1, batchSize: 1000, batchWait: 10 },
    searchOptions: { boost: { gram: 1, word: o.wordBoost }, bm25: o.bm25, prefix: false, fuzzy: false, combineWith: 'OR' },
  };
}

interface Persisted {
  version: string;
  options: Required<IndexOptions>;
  index: AsPlainObject;
}

export class MiniSearchIndex {
  private readonly mini: MiniSearch<IndexDoc>;
  readonly options: Required<IndexOptions>;

  constructor(options: IndexOptions = {}, mini?: MiniSearch<IndexDoc>) {
    this.options = { ...INDEX_DEFAULTS, ...options };
    this.mini = mini ?? new MiniSearch<IndexDoc>(miniOptions(this.options));
  }

  get size(): number {
    return this.mini.documentCount;
  }

  has(id: string): boolean {
    return this.mini.has(id);
  }

  /** Adds passages; an id already present is replaced. */
  add(passages: readonly { id: string; text: string }[]): void {
    for (const p of passages) {
      if (this.mini.has(p.id)) this.mini.discard(p.id);
      this.mini.add({ id: p.id, text: p.text });
    }
  }

  /** Removes passages by id (unknown ids are ignored). */
  remove(ids: Iterable<string>): void {
    for (const id of ids) if (this.mini.has(id)) this.mini.discard(id);
  }

  /** The k best passages for a query, plain BM25 sum, best first (ties by id). */
  search(query: string, k: number): ScoredId[] {
    const terms = fieldTokens(query);
    if (terms.length === 0 || this.size === 0) return [];
    const opts: SearchOptions = { tokenize: () => terms, processTerm: (t) => t };
    const raw = this.mini.search(query, opts);
    const out: ScoredId[] = raw.map((r) => ({ id: String(r.id), score: r.score / Math.max(1, r.queryTerms.length) }));
    out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out.slice(0, Math.max(0, k));
  }

  /** JSON for IndexedDB or a file; load with LexicalIndex.load. */
  serialize(): string {
    const persisted: Persisted = { version: INDEX_VERSION, options: this.options, index: this.mini.toJSON() };
    return JSON.stringify(persisted);
  }

  /** The index from serialize(), or null when its version is not this build's (rebuild then). */
  static load(json: string): MiniSearchIndex | null {
    let parsed: Persisted;
    try {
      parsed = JSON.parse(json) as Persisted;
    } catch {
      return null;
    }
    if (parsed.version !== INDEX_VERSION || typeof parsed.index !== 'object' || parsed.index === null) return null;
    const options = { ...INDEX_DEFAULTS, ...parsed.options };
    const mini = MiniSearch.loadJS<IndexDoc>(parsed.index, miniOptions(options));
    return new MiniSearchIndex(options, mini);
  }
}
