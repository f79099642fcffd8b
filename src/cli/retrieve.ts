/**
 * `medfact retrieve --library <passages.jsonl|.csv | document | folder> --queries <queries.jsonl> [--k 10] [--json]`
 * Ranks library passages for each query with the app's own retrieval core
 * (tokenizer, passages, BM25 index), so retrieval quality can be measured
 * outside the browser. A folder is read recursively (.txt .md .html .pdf
 * .docx, and passages .jsonl/.csv); a file that cannot be read is reported
 * and skipped, the rest is used, and the exit code is then 1.
 * Exit codes: 0 full success, 1 user error or some input skipped, 2 usage.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { chunkDocument, groupPassageRows, LexicalIndex, parsePassagesFile, passageSearchText, type Passage } from '../core/evidence';
import { MedfactError } from '../protocol/errors';
import { extractDocument, ExtractError, extensionOf, type PdfjsLike } from '../domain/extract';

export const RETRIEVE_USAGE = `Usage:
  medfact retrieve --library <passages.jsonl | passages.csv | folder of .txt/.md/.html/.pdf/.docx> --queries <queries.jsonl> [--k 10] [--json]

queries.jsonl: one {"id": …, "text": …} per line.
--json prints {"results":[{"id":<query id>,"hits":[{"id":<passage id>,"score":<number>}]}]}.
Passage ids: a passages file's own "id"; for documents <file path>:<n>.`;

export interface LibraryPassage extends Passage {
  title: string;
}

interface Loaded {
  passages: LibraryPassage[];
  problems: string[];
  files: number;
}

class RetrieveUsageError extends Error {}

function pdfjsAssets(): { cMapUrl: string; standardFontDataUrl: string } {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('pdfjs-dist/package.json'));
  return { cMapUrl: `${join(root, 'cmaps')}/`, standardFontDataUrl: `${join(root, 'standard_fonts')}/` };
}

// pdf.js's legacy build is the one that runs in Node; loaded only when a PDF is met.
const loadPdfjs = async (): Promise<PdfjsLike> => (await import('pdfjs-dist/legacy/build/pdf.mjs')) as unknown as PdfjsLike;

async function readPassagesFile(path: string, label: string, out: Loaded): Promise<void> {
  const ext = extensionOf(path);
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const { rows, issues } = await parsePassagesFile(text, ext === 'csv' ? 'csv' : 'jsonl');
  for (const i of issues) out.problems.push(`${label}: ${i.message}`);
  for (const doc of groupPassageRows(rows, label)) {
    for (const p of doc.passages) out.passages.push({ ...p, docId: `${label}#${doc.key}`, title: doc.title });
  }
  out.files++;
}

async function readDocumentFile(path: string, label: string, out: Loaded): Promise<void> {
  const data = new Uint8Array(await readFile(path));
  const doc = await extractDocument(label, data, { loadPdfjs, pdfAssets: pdfjsAssets() });
  for (const p of chunkDocument(label, doc)) out.passages.push({ ...p, title: doc.title });
  out.files++;
}

async function readOne(path: string, label: string, out: Loaded): Promise<void> {
  const ext = extensionOf(path);
  try {
    if (ext === 'jsonl' || ext === 'csv') await readPassagesFile(path, label, out);
    else await readDocumentFile(path, label, out);
  } catch (error) {
    if (error instanceof ExtractError) out.problems.push(error.message);
    else out.problems.push(`${label}: could not be read (${error instanceof Error ? error.message : String(error)}).`);
  }
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export async function loadLibrary(path: string, progress: (line: string) => void): Promise<Loaded> {
  const out: Loaded = { passages: [], problems: [], files: 0 };
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new MedfactError('NOT_FOUND', `Cannot open ${path}: no such file or folder.`);
  }
  if (s.isDirectory()) {
    const files = await walk(path);
    if (files.length === 0) throw new MedfactError('BAD_INPUT', `${path} contains no files.`);
    for (const [i, f] of files.entries()) {
      progress(`reading ${i + 1}/${files.length}: ${relative(path, f)}`);
      await readOne(f, relative(path, f), out);
    }
  } else {
    await readOne(path, path, out);
  }
  return out;
}

interface Query {
  id: string;
  text: string;
}

function parseQueries(text: string, problems: string[]): Query[] {
  const out: Query[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      problems.push(`queries line ${i + 1}: not valid JSON; skipped.`);
      return;
    }
    const o = (typeof v === 'object' && v !== null ? v : {}) as { id?: unknown; _id?: unknown; text?: unknown; query?: unknown; question?: unknown };
    // `_id` is the BEIR / MTEB spelling of the id.
    const rawId = o.id ?? o._id;
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;
    if (id === null || id === '') return void problems.push(`queries line ${i + 1}: "id" is missing; skipped.`);
    // "query" and "question" are accepted as spellings of "text".
    const text = [o.text, o.query, o.question].find((x): x is string => typeof x === 'string');
    if (text === undefined) return void problems.push(`queries line ${i + 1} (id ${id}): "text" is missing; skipped.`);
    out.push({ id, text });
  });
  return out;
}

function round(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

/** Runs the command; returns the exit code. */
export async function runRetrieve(argv: string[]): Promise<number> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { library: { type: 'string' }, queries: { type: 'string' }, k: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
    if (values.help) {
      console.log(RETRIEVE_USAGE);
      return 0;
    }
    if (!values.library) throw new RetrieveUsageError('retrieve needs --library.');
    if (!values.queries) throw new RetrieveUsageError('retrieve needs --queries <queries.jsonl>.');
    if (values.k !== undefined && !/^[1-9]\d*$/.test(values.k)) throw new RetrieveUsageError('--k must be a whole number of at least 1.');
  } catch (error) {
    console.error(`medfact: ${error instanceof Error ? error.message : String(error)}\n\n${RETRIEVE_USAGE}`);
    return 2;
  }
  const k = values.k === undefined ? 10 : Number(values.k);
  const tty = process.stderr.isTTY === true;
  const progress = (line: string): void => {
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
  };
  const t0 = performance.now();
  const library = await loadLibrary(values.library, progress);
  if (library.passages.length === 0) {
    if (tty) process.stderr.write('\r\x1b[K');
    for (const p of library.problems) console.error(p);
    throw new MedfactError('BAD_INPUT', `No passages could be read from ${values.library}.`);
  }
  const index = new LexicalIndex();
  const byId = new Map<string, LibraryPassage>();
  const dup: string[] = [];
  for (const p of library.passages) {
    if (byId.has(p.id)) dup.push(p.id);
    byId.set(p.id, p);
  }
  if (dup.length > 0) library.problems.push(`${dup.length} passage id(s) appear in more than one file (first: ${dup[0]}); the last one read is used.`);
  const batch: { id: string; text: string }[] = [];
  for (const p of byId.values()) batch.push({ id: p.id, text: passageSearchText(p.title, p.text) });
  progress(`indexing ${batch.length} passages…`);
  index.add(batch);
  const tIndexed = performance.now();

  let queriesText: string;
  try {
    queriesText = await readFile(values.queries, 'utf8');
  } catch {
    throw new MedfactError('NOT_FOUND', `Cannot open ${values.queries}: no such file or not readable.`);
  }
  const queries = parseQueries(queriesText.replace(/^\uFEFF/, ''), library.problems);
  if (queries.length === 0) throw new MedfactError('BAD_INPUT', `No readable queries in ${values.queries} (one {"id", "text"} per line).`);
  const results = queries.map((q, i) => {
    if (i % 200 === 0) progress(`query ${i + 1}/${queries.length}`);
    return { id: q.id, hits: index.search(q.text, k) };
  });
  const tDone = performance.now();
  if (tty) process.stderr.write('\r\x1b[K');

  if (values.json) {
    const out = { results: results.map((r) => ({ id: r.id, hits: r.hits.map((h) => ({ id: h.id, score: round(h.score) })) })) };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    const lines: string[] = [];
    for (const r of results) {
      lines.push(`${r.id}`);
      r.hits.forEach((h, i) => {
        const p = byId.get(h.id);
        const where = p ? `${p.title}${p.page !== null ? ` p.${p.page}` : ''}` : '';
        const snippet = p ? p.text.replace(/\s+/g, ' ').slice(0, 40) : '';
        lines.push(`  ${i + 1}. ${h.id}  ${round(h.score)}  ${where}  ${snippet}`);
      });
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  for (const p of library.problems.slice(0, 50)) console.error(p);
  if (library.problems.length > 50) console.error(`… and ${library.problems.length - 50} more problems.`);
  console.error(
    `Indexed ${byId.size} passages from ${library.files} file(s) in ${((tIndexed - t0) / 1000).toFixed(2)} s; answered ${queries.length} queries in ${((tDone - tIndexed) / 1000).toFixed(2)} s.`,
  );
  return library.problems.length > 0 ? 1 : 0;
}
