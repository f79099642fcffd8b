/**
 * The app's library as a benchmark run carries it (RunConfig.library): every
 * passage with its title, plus the library's content hash, so the run's
 * provenance names exactly what it retrieved from and a resume retrieves
 * from the same passages even if the library changes meanwhile.
 */
import { DEFAULT_EVIDENCE_K } from '../../core/evidence';
import type { RunLibrary } from '../../core/run-record';
import { getLibrary } from './library-instance';
import { libraryHashOf } from './library-service';

/** The whole library (null when it is empty). */
export async function librarySnapshot(k = DEFAULT_EVIDENCE_K): Promise<RunLibrary | null> {
  const library = getLibrary();
  const docs = await library.repo.listDocuments();
  if (docs.length === 0) return null;
  const titles = new Map(docs.map((d) => [d.id, d.title]));
  const passages = (await library.repo.allPassages()).map((p) => ({ id: p.id, docId: p.docId, title: p.title ?? titles.get(p.docId) ?? '', page: p.page, text: p.text }));
  // The hash from what is stored now (another tab may have imported since this one loaded the index).
  return { hash: await libraryHashOf(docs), k, documents: docs.length, passages };
}

/** Documents and passages in the library, for the run form's option. */
export async function librarySummary(): Promise<{ documents: number; passages: number; hash: string }> {
  const docs = await getLibrary().repo.listDocuments();
  return { documents: docs.length, passages: docs.reduce((n, d) => n + d.passageCount, 0), hash: await libraryHashOf(docs) };
}
