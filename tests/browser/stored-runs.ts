/**
 * Benchmark runs as stored in the app's IndexedDB, read straight from the
 * database in the page (no app code involved): each run's state, item order,
 * config and provenance, and the stored items with their findings.
 */
import type { Page } from 'playwright';

export interface StoredRun {
  itemIds: string[];
  name: string;
  state: string;
  config: { library?: { hash: string; k: number; passages: { id: string }[] } } | null;
  provenance: { library?: { hash: string; k: number; documents: number; passages: number } | null } | null;
  findings: Record<string, { quote: string; evidence?: string[] }[]>;
}

/** Every run and its stored findings, read straight from IndexedDB (no app code involved), oldest first. */
export async function storedRuns(p: Page): Promise<StoredRun[]> {
  return p.evaluate(
    () =>
      new Promise<StoredRun[]>((resolve, reject) => {
        const open = indexedDB.open('medfact-lens');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['runs', 'runItems'], 'readonly');
          const runs = tx.objectStore('runs').getAll();
          const items = tx.objectStore('runItems').getAll();
          tx.oncomplete = () => {
            db.close();
            type Run = { id: string; name: string; state: string; createdAt: number; itemIds: string[]; config: StoredRun['config']; provenance: StoredRun['provenance'] };
            type Item = { runId: string; itemId: string; findings: StoredRun['findings'][string] };
            const all = (runs.result as Run[]).sort((a, b) => a.createdAt - b.createdAt);
            resolve(
              all.map((r) => ({
                name: r.name,
                itemIds: r.itemIds,
                state: r.state,
                config: r.config,
                provenance: r.provenance,
                findings: Object.fromEntries(
                  (items.result as Item[]).filter((i) => i.runId === r.id).map((i) => [i.itemId, i.findings]),
                ),
              })),
            );
          };
        };
      }),
  );
}
