/**
 * 参考资料 / References: import reference documents (files, a folder, or
 * drag-and-drop), see what each import did, search passages, list and
 * delete documents, and read a document at a passage (#/library?doc=…&passage=…).
 * Hooks: library-import (file input), library-import-folder,
 * library-import-result (data-status), library-search, library-hit
 * (data-doc-id, data-passage-id, data-page), library-doc (data-doc-id,
 * data-passages), library-delete, library-doc-view, library-passage-focus.
 */
import { useCallback, useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { useLocaleStore, useT } from '../../i18n';
import { getLibrary } from '../../domain/library/library-instance';
import type { ImportOutcome, LibraryHit } from '../../domain/library/library-service';
import type { LibraryDocument, LibraryText } from '../../storage/library-repo';
import { filesFromDrop } from './dropped-files';
import { EmbedderPanel } from './embedder-panel';
import { MarkedText } from '../../ui/marked-text';
import './library.css';

const ACCEPT = '.txt,.md,.markdown,.html,.htm,.pdf,.docx,.jsonl,.csv';

function hashParams(): URLSearchParams {
  const q = location.hash.split('?')[1] ?? '';
  return new URLSearchParams(q);
}

function DocumentView({ docId, passageId }: { docId: string; passageId: string | null }) {
  const t = useT('library');
  const [state, setState] = useState<{ doc: LibraryDocument; text: LibraryText; focus: { start: number; end: number } | null } | null | 'missing'>(null);
  const focusRef = useRef<HTMLElement>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const lib = getLibrary();
      const [doc, text] = await Promise.all([lib.repo.getDocument(docId), lib.repo.getText(docId)]);
      const passage = passageId ? (await lib.repo.getPassages([passageId])).get(passageId) : undefined;
      if (!live) return;
      setState(doc && text ? { doc, text, focus: passage && passage.docId === docId ? { start: passage.start, end: passage.end } : null } : 'missing');
    })();
    return () => {
      live = false;
    };
  }, [docId, passageId]);
  useEffect(() => {
    focusRef.current?.scrollIntoView({ block: 'center' });
  }, [state]);
  if (state === null) return null;
  if (state === 'missing') return <p role="alert">{t('library.view.missing')}</p>;
  const { doc, text, focus } = state;
  const pageAt = (offset: number): number | null => {
    let page: number | null = null;
    for (const p of text.pages ?? []) if (p.start <= offset) page = p.page;
    return page;
  };
  const body = text.text;
  return (
    <article className="library-doc-view" data-testid="library-doc-view" data-doc-id={doc.id}>
      <p>
        <a href="#/library">{t('library.view.back')}</a>
      </p>
      <h2>{doc.title}</h2>
      <p className="muted">{doc.fileName}</p>
      <div className="library-doc-text" lang="zh-CN">
        {focus ? (
          <>
            {body.slice(0, focus.start)}
            <mark ref={focusRef} data-testid="library-passage-focus" data-page={pageAt(focus.start) ?? ''} tabIndex={-1}>
              {body.slice(focus.start, focus.end)}
            </mark>
            {body.slice(focus.end)}
          </>
        ) : (
          body
        )}
      </div>
    </article>
  );
}

/** `onSelectEmbedder`: the app shell's model session (choose the embedder role's model, or none). */
export function LibraryScreen({ onSelectEmbedder }: { onSelectEmbedder?: (choiceId: string | null) => void } = {}) {
  const t = useT('library');
  const locale = useLocaleStore((s) => s.locale);
  const [docs, setDocs] = useState<LibraryDocument[] | null>(null);
  const [outcomes, setOutcomes] = useState<ImportOutcome[]>([]);
  const [busy, setBusy] = useState<{ done: number; total: number } | null>(null);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<LibraryHit[] | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [view, setView] = useState(() => hashParams());
  const fileId = useId();
  const folderId = useId();
  const searchId = useId();

  useEffect(() => {
    const onHash = () => setView(hashParams());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const refresh = useCallback(async () => {
    try {
      setDocs(await getLibrary().repo.listDocuments());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!query.trim()) {
      setHits(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void getLibrary()
        .search(query, 10)
        .then((h) => live && setHits(h))
        .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, docs]);

  const importFiles = async (files: File[]) => {
    if (files.length === 0) return;
    setBusy({ done: 0, total: files.length });
    setOutcomes([]);
    setStatus('');
    const results = await getLibrary().importFiles(files, (o, done) => {
      setBusy({ done, total: files.length });
      setOutcomes((prev) => [...prev, o]);
    });
    setBusy(null);
    const count = (s: ImportOutcome['status']) => results.filter((r) => r.status === s).length;
    setStatus(t('library.import.summary', { added: count('added'), duplicates: count('duplicate'), failed: count('error') }));
    await refresh();
  };

  const onDrop = async (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setDragging(false);
    await importFiles(await filesFromDrop(e.dataTransfer));
  };

  const remove = async (doc: LibraryDocument) => {
    try {
      await getLibrary().deleteDocument(doc.id);
      setStatus(t('library.doc.deleted', { title: doc.title }));
      await refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const viewDoc = view.get('doc');
  return (
    <div className="library-screen">
      <div className="screen-header">
        <h1 tabIndex={-1}>{t('library.title')}</h1>
      </div>
      <p className="privacy-note">{t('library.privacy')}</p>
      {error && (
        <p className="notice notice-error" role="alert">
          {t('library.error', { message: error })}
        </p>
      )}
      {viewDoc ? (
        <DocumentView docId={viewDoc} passageId={view.get('passage')} />
      ) : (
        <>
          <section
            className={`panel library-import${dragging ? ' is-dragging' : ''}`}
            aria-labelledby="library-import-title"
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => void onDrop(e)}
          >
            <h2 id="library-import-title">{t('library.import.title')}</h2>
            <div className="library-import-buttons">
              <label htmlFor={fileId} className="button">
                {t('library.import.files')}
              </label>
              <input
                id={fileId}
                className="visually-hidden-input"
                type="file"
                multiple
                accept={ACCEPT}
                data-testid="library-import"
                disabled={busy !== null}
                onChange={(e) => {
                  const files = Array.from(e.currentTarget.files ?? []);
                  e.currentTarget.value = '';
                  void importFiles(files);
                }}
              />
              <label htmlFor={folderId} className="button">
                {t('library.import.folder')}
              </label>
              <input
                id={folderId}
                className="visually-hidden-input"
                type="file"
                data-testid="library-import-folder"
                disabled={busy !== null}
                {...{ webkitdirectory: '' }}
                onChange={(e) => {
                  const files = Array.from(e.currentTarget.files ?? []);
                  e.currentTarget.value = '';
                  void importFiles(files);
                }}
              />
              <span className="muted">{t('library.import.drop')}</span>
            </div>
            <p className="muted">{t('library.import.accepts')}</p>
            <p role="status" aria-live="polite">
              {busy ? t('library.import.busy', busy) : status}
            </p>
            {outcomes.length > 0 && (
              <ul className="library-import-results">
                {outcomes.map((o, i) => (
                  <li key={i} data-testid="library-import-result" data-status={o.status} data-file={o.fileName} className={`outcome-${o.status}`}>
                    {o.status === 'added'
                      ? t('library.import.added', { title: o.title, passages: o.passages })
                      : o.status === 'duplicate'
                        ? t('library.import.duplicate', { file: o.fileName, title: o.existingTitle })
                        : o.message}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <EmbedderPanel {...(onSelectEmbedder ? { onSelect: onSelectEmbedder } : {})} />

          <section className="panel" aria-labelledby="library-search-title">
            <h2 id="library-search-title">
              <label htmlFor={searchId}>{t('library.search.label')}</label>
            </h2>
            <input id={searchId} type="search" data-testid="library-search" value={query} placeholder={t('library.search.placeholder')} onChange={(e) => setQuery(e.currentTarget.value)} />
            {hits && hits.length === 0 && <p>{t('library.search.none')}</p>}
            {hits && hits.length > 0 && (
              <ol className="library-hits">
                {hits.map((h) => (
                  <li key={h.passage.id} data-testid="library-hit" data-doc-id={h.passage.docId} data-passage-id={h.passage.id} data-page={h.passage.page ?? ''} data-rank={h.rank}>
                    <p>
                      <a href={`#/library?doc=${encodeURIComponent(h.passage.docId)}&passage=${encodeURIComponent(h.passage.id)}`}>{h.title}</a>
                      {h.passage.page !== null && <span className="muted"> · {t('library.doc.page', { page: h.passage.page })}</span>}
                    </p>
                    <p lang="zh-CN">
                      <MarkedText text={h.passage.text} query={query} />
                    </p>
                  </li>
                ))}
              </ol>
            )}
          </section>

          <section className="panel" aria-labelledby="library-docs-title">
            <h2 id="library-docs-title">{t('library.docs.title', { count: docs?.length ?? 0 })}</h2>
            {docs && docs.length === 0 && <p>{t('library.docs.empty')}</p>}
            {docs && docs.length > 0 && (
              <ul className="library-docs">
                {docs.map((d) => (
                  <li key={d.id} data-testid="library-doc" data-doc-id={d.id} data-passages={d.passageCount}>
                    <p>
                      <strong>{d.title}</strong>
                    </p>
                    <p className="muted">
                      {t('library.doc.meta', {
                        file: d.fileName,
                        kind: d.kind.toUpperCase(),
                        passages: d.passageCount,
                        pages: d.pageCount !== null ? t('library.doc.pages', { count: d.pageCount }) : '',
                        date: new Date(d.importedAt).toLocaleString(locale),
                      })}
                    </p>
                    <p>
                      <a href={`#/library?doc=${encodeURIComponent(d.id)}`}>{t('library.doc.view')}</a>{' '}
                      <button type="button" data-testid="library-delete" aria-label={t('library.doc.delete.label', { title: d.title })} onClick={() => void remove(d)}>
                        {t('library.doc.delete')}
                      </button>
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}
