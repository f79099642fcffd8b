/**
 * Reference-library indexing as the References screen does it (issue 15,
 * "no stutter"): the app's LibraryService with the real extraction worker
 * and real IndexedDB, importing plain-text documents of textbook-chapter
 * size. Files are built outside the measured window.
 */
import { extractInWorker } from '../../src/client/extract-client';
import { LibraryService } from '../../src/domain/library/library-service';
import { LibraryRepo } from '../../src/storage/library-repo';
import { makeText, seededRandom } from '../synthetic';
import type { LibraryBenchResult } from './protocol';

type LongTaskWatch = () => { stop(): { longestMs: number; count: number; attribution: string[]; longestFrameMs: number } };

let files: File[] = [];

export function prepareLibrary(docs: number, chars: number): number {
  const rng = seededRandom(4242);
  files = Array.from({ length: docs }, (_, i) => new File([`第${i + 1}章\n\n${makeText(rng, chars)}`], `chapter-${i + 1}.txt`, { type: 'text/plain' }));
  return files.reduce((n, f) => n + f.size, 0);
}

export async function libraryProbe(watchLongTasks: LongTaskWatch): Promise<LibraryBenchResult> {
  if (files.length === 0) throw new Error('prepareLibrary first');
  const dbName = `medfact-bench-library-${Date.now()}`;
  const repo = new LibraryRepo(dbName);
  const service = new LibraryService({ repo, extract: extractInWorker });
  await service.ready();
  const watch = watchLongTasks();
  const t0 = performance.now();
  const outcomes = await service.importFiles(files);
  const ms = performance.now() - t0;
  // Then what a user does next, inside the same watched window: delete a chapter (the index compacts the segment
  // it is in) and open the library again, as after a reload (the stored segment with tombstones is compacted on load).
  const first = outcomes[0];
  if (first?.status === 'added') await service.deleteDocument(first.docId);
  const reopenedRepo = new LibraryRepo(dbName);
  const reopened = await new LibraryService({ repo: reopenedRepo, extract: extractInWorker }).ready();
  await new Promise((r) => setTimeout(r, 100));
  const seen = watch.stop();
  const failed = outcomes.filter((o) => o.status !== 'added');
  if (failed.length > 0) throw new Error(`library import: ${JSON.stringify(failed[0])}`);
  const passages = outcomes.reduce((n, o) => n + (o.status === 'added' ? o.passages : 0), 0);
  const left = passages - (first?.status === 'added' ? first.passages : 0);
  if (reopened.size !== left) throw new Error(`library reopened with ${reopened.size} passages, expected ${left}`);
  await reopenedRepo.close();
  await repo.close();
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(dbName);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  return { docs: outcomes.length, passages, ms, longestTaskMs: seen.longestMs, longTasks: seen.count, attribution: seen.attribution, longestFrameMs: seen.longestFrameMs };
}
