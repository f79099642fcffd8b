/**
 * The run form's reference-library option (issue 11): check every item
 * grounded, retrieving k passages per query from the app's library. The
 * library is snapshotted into the run config when the run starts, so its
 * content hash and k land in provenance and the run comparison shows what
 * retrieval changed.
 */
import { useEffect, useState } from 'react';
import type { RunLibrary } from '../../../core/run-record';
import { useT } from '../../../i18n';

export interface RunLibraryChoice {
  /** Null when the library is empty (the option is then not shown). */
  summary: { documents: number; passages: number; hash: string } | null;
  use: boolean;
  k: number;
  setUse: (on: boolean) => void;
  setK: (k: number) => void;
  /** The library to carry in the run config, or undefined when not used. */
  snapshot: () => Promise<RunLibrary | undefined>;
}

export function useRunLibrary(): RunLibraryChoice {
  const [summary, setSummary] = useState<RunLibraryChoice['summary']>(null);
  const [use, setUse] = useState(false);
  const [k, setK] = useState(3);
  useEffect(() => {
    let live = true;
    void import('../../../domain/library/library-snapshot')
      .then((m) => m.librarySummary())
      .then((s) => live && setSummary(s.documents > 0 ? s : null), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return {
    summary,
    use: use && summary !== null,
    k,
    setUse,
    setK,
    snapshot: async () => {
      if (!use || !summary) return undefined;
      return (await (await import('../../../domain/library/library-snapshot')).librarySnapshot(k)) ?? undefined;
    },
  };
}

export function RunLibraryField({ choice }: { choice: RunLibraryChoice }) {
  const t = useT('bench');
  const { summary } = choice;
  if (!summary) return null;
  return (
    <fieldset>
      <legend>{t('bench.library.legend')}</legend>
      <label className="field-inline">
        <input type="checkbox" data-testid="bench-use-library" checked={choice.use} onChange={(e) => choice.setUse(e.target.checked)} />
        {t('bench.library.use')}
      </label>
      {choice.use && (
        <label className="field">
          {t('bench.library.k')}
          <input type="number" data-testid="bench-library-k" min={1} max={20} step={1} value={choice.k} onChange={(e) => choice.setK(Math.max(1, Math.min(20, Math.round(Number(e.target.value)) || 1)))} />
        </label>
      )}
      <p className="muted">{t('bench.library.meta', { documents: summary.documents, passages: summary.passages, hash: summary.hash.slice(0, 12) })}</p>
    </fieldset>
  );
}

/** The provenance line of a run that checked against the library: what it retrieved from, and k. */
export function LibraryProvenance({ library }: { library: { hash: string; k: number; documents: number; passages: number } }) {
  const t = useT('bench');
  return (
    <>
      <dt>{t('bench.library.legend')}</dt>
      <dd data-testid="bench-prov-library" data-hash={library.hash} data-k={library.k}>
        {t('bench.library.prov', { documents: library.documents, passages: library.passages, k: library.k, hash: library.hash.slice(0, 16) })}
      </dd>
    </>
  );
}
