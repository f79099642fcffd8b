/**
 * Passages files prepared by IT: JSON Lines or CSV with the columns
 * id, title, text, source, url, page. Each row is one passage and keeps the
 * file's id. Rows sharing a title (else source, url) form one document whose
 * text is the rows joined by blank lines, so offsets stay real. A bad row is
 * reported by number and field and skipped; the rest are kept.
 */
import { readDelimited, readJsonl, type RawRow } from '../dataset/row-readers';
import type { Passage } from './types';

export interface PassageRow {
  id: string;
  title: string;
  text: string;
  source: string | null;
  url: string | null;
  page: number | null;
}

export interface RowIssue {
  row: number;
  field: string;
  message: string;
}

export interface PassagesFileDocument {
  /** Key of the document inside the file (its title, source or url). */
  key: string;
  title: string;
  source: string | null;
  url: string | null;
  text: string;
  /** Passages with the file's ids; docId is the key (callers may rewrite it). */
  passages: Passage[];
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

// Common spellings of the text and title columns in public retrieval sets.
const TEXT_KEYS = ['text', 'contents', 'content', 'passage', 'body', '段落', '正文', '内容'];
const TITLE_KEYS = ['title', 'doc_title', '标题'];
const first = (v: Record<string, unknown>, keys: readonly string[]): unknown => keys.map((k) => v[k]).find((x) => x !== undefined && x !== null && x !== '');

function rowToPassage(raw: RawRow, issues: RowIssue[]): PassageRow | null {
  if ('error' in raw) {
    issues.push({ row: raw.row, field: '', message: raw.error.message });
    return null;
  }
  const v = raw.values;
  // `_id` is the BEIR / MTEB spelling of the id column.
  const id = str(v.id ?? v._id);
  if (id === null) {
    issues.push({ row: raw.row, field: 'id', message: `row ${raw.row}: "id" is missing or empty; give every passage a unique id.` });
    return null;
  }
  const text = str(first(v, TEXT_KEYS));
  if (text === null) {
    issues.push({ row: raw.row, field: 'text', message: `row ${raw.row} (id ${id}): "text" is missing or empty.` });
    return null;
  }
  let page: number | null = null;
  const rawPage = str(v.page);
  if (rawPage !== null) {
    const n = Number(rawPage);
    if (Number.isInteger(n) && n > 0) page = n;
    else issues.push({ row: raw.row, field: 'page', message: `row ${raw.row} (id ${id}): "page" must be a positive whole number; page left empty.` });
  }
  return { id, title: str(first(v, TITLE_KEYS)) ?? '', text, source: str(v.source), url: str(v.url), page };
}

/** Rows of a passages file; duplicate ids after the first are reported and skipped. */
export async function parsePassagesFile(text: string, format: 'jsonl' | 'csv'): Promise<{ rows: PassageRow[]; issues: RowIssue[] }> {
  const issues: RowIssue[] = [];
  const notes: string[] = [];
  const rows: PassageRow[] = [];
  const seen = new Set<string>();
  const batches = format === 'jsonl' ? readJsonl(once(text)) : readDelimited(once(text), ',', notes);
  let checkedColumns = false;
  for await (const batch of batches) {
    if (!checkedColumns && format === 'csv' && batch.columns.length > 0) {
      checkedColumns = true;
      for (const [c, keys] of [['id', ['id', '_id']], ['text', TEXT_KEYS]] as const) {
        if (!keys.some((k) => batch.columns.includes(k))) issues.push({ row: 0, field: c, message: `the header has no "${c}" column (expected id,title,text,source,url,page).` });
      }
    }
    for (const raw of batch.rows) {
      const p = rowToPassage(raw, issues);
      if (!p) continue;
      if (seen.has(p.id)) {
        issues.push({ row: raw.row, field: 'id', message: `row ${raw.row}: id ${p.id} appears twice; the later row is skipped.` });
        continue;
      }
      seen.add(p.id);
      rows.push(p);
    }
  }
  return { rows, issues };
}

/** Groups rows into documents (by title, else source, else url, else one untitled document). */
export function groupPassageRows(rows: readonly PassageRow[], untitled = ''): PassagesFileDocument[] {
  const docs = new Map<string, PassagesFileDocument>();
  for (const r of rows) {
    const key = r.title || r.source || r.url || untitled;
    let doc = docs.get(key);
    if (!doc) {
      doc = { key, title: r.title || untitled, source: r.source, url: r.url, text: '', passages: [] };
      docs.set(key, doc);
    }
    if (doc.text.length > 0) doc.text += '\n\n';
    const start = doc.text.length;
    doc.text += r.text;
    doc.passages.push({ id: r.id, docId: key, page: r.page, start, end: doc.text.length, text: r.text });
  }
  return [...docs.values()];
}
