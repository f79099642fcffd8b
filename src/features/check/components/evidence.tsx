/**
 * Evidence in the checker: the library switch (check-use-library), the
 * passages a finding cites (evidence-item, with data-doc-id,
 * data-passage-id, data-page, data-rank; title, page, matching words
 * marked, a link to the document at that passage), the "no evidence found"
 * badge, and the panel of every retrieved passage (check-evidence).
 */
import { useEffect, useId } from 'react';
import type { EvidenceRetrieval } from '../check-contract';
import type { CitedPassage } from '../../../core/evidence';
import { libraryEnabled, useLibraryPrefs } from '../../../domain/library/library-prefs';
import { MarkedText } from '../../../ui/marked-text';
import './evidence.css';
import { useT } from '../../../i18n';

function passageHref(p: CitedPassage): string {
  return `#/library?doc=${encodeURIComponent(p.docId)}&passage=${encodeURIComponent(p.id)}`;
}

export function LibrarySwitch({ disabled }: { disabled: boolean }) {
  const t = useT();
  const prefs = useLibraryPrefs();
  const id = useId();
  useEffect(() => {
    void useLibraryPrefs.getState().refresh();
  }, []);
  const on = libraryEnabled(prefs);
  return (
    <div className="field check-use-library">
      <input
        id={id}
        type="checkbox"
        role="switch"
        data-testid="check-use-library"
        checked={on}
        aria-checked={on}
        disabled={disabled}
        onChange={(e) => prefs.setUseLibrary(e.currentTarget.checked)}
      />{' '}
      <label htmlFor={id}>
        {t('library.evidence.use')}
        {prefs.documents !== null && <span className="hint">{t('library.evidence.docs', { count: prefs.documents })}</span>}
      </label>
    </div>
  );
}

function EvidenceItems({ passages, query }: { passages: readonly CitedPassage[]; query: string }) {
  const t = useT();
  return (
    <ol className="evidence-list">
      {passages.map((p) => (
        <li key={p.id} data-testid="evidence-item" data-doc-id={p.docId} data-passage-id={p.id} data-page={p.page ?? ''} data-rank={p.rank}>
          <a href={passageHref(p)} className="evidence-title">
            {p.title}
          </a>
          {p.page !== null && <span className="hint"> · {t('library.doc.page', { page: p.page })}</span>}
          <p className="evidence-text" lang="zh-CN">
            <MarkedText text={p.text} query={query} />
          </p>
        </li>
      ))}
    </ol>
  );
}

/** A finding's cited passages, or the "no evidence found" badge. */
export function FindingEvidence({ passages, query }: { passages: readonly CitedPassage[]; query: string }) {
  const t = useT();
  if (passages.length === 0) {
    return (
      <p className="badge badge-no-evidence" data-testid="evidence-none" title={t('library.evidence.none.hint')}>
        {t('library.evidence.none')}
      </p>
    );
  }
  return (
    <section className="finding-evidence" aria-label={t('library.evidence.cited')}>
      <h5>{t('library.evidence.cited')}</h5>
      <EvidenceItems passages={passages} query={query} />
    </section>
  );
}

/** How the passages were found (`check-retrieval`, data-mode lexical/hybrid, data-embedder); records before the embedder role say nothing. */
function RetrievalLine({ retrieval }: { retrieval: EvidenceRetrieval }) {
  const t = useT();
  return (
    <p className="hint" data-testid="check-retrieval" data-mode={retrieval.mode} data-embedder={retrieval.embedder ?? ''} data-vectors={retrieval.vectors ?? 0}>
      {retrieval.mode === 'hybrid'
        ? t('library.evidence.retrieval.hybrid', { model: retrieval.embedder ?? '', vectors: retrieval.vectors ?? 0 })
        : t('library.evidence.retrieval.lexical')}
    </p>
  );
}

/** Every passage the verifier saw for this check. */
export function EvidencePanel({ passages, text, retrieval }: { passages: readonly CitedPassage[]; text: string; retrieval?: EvidenceRetrieval | undefined }) {
  const t = useT();
  return (
    <details className="check-evidence" data-testid="check-evidence" data-count={passages.length}>
      <summary>{t('library.evidence.panel', { count: passages.length })}</summary>
      {retrieval && <RetrievalLine retrieval={retrieval} />}
      {passages.length === 0 ? <p>{t('library.evidence.panel.empty')}</p> : <EvidenceItems passages={passages} query={text} />}
    </details>
  );
}
