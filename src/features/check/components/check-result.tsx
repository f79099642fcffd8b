/**
 * A check's result: the verdict, notices (chunked, unreadable, partial,
 * stale), the highlighted text with its legend, the review toolbar, and the
 * findings: located ones, unlocated ones apart, dismissed ones kept for
 * review. Arrow keys (or j/k) move between finding cards; a highlight and
 * its card light up together on hover or focus.
 */
import { useCallback, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ERROR_TYPES } from '../../../core/labels';
import { useLocaleStore, useT } from '../../../i18n';
import type { CheckRecord } from '../../../storage/checks-repo';
import { thresholdView, type Finding } from '../check-contract';
import { isStale, useCheckStore } from '../check-store';
import { ERROR_TYPE_COLOR } from '../error-type-style';
import { findingState, reportFileName, toJson, toMarkdown, typeName, type FindingState } from '../report-export';
import { acceptBlocker } from '../review';
import { downloadText } from '../../../ui/download';
import { FindingCard, type AcceptBlock } from './finding-card';
import { EvidencePanel } from './evidence';
import { HighlightedText } from './highlighted-text';

function cssEscape(value: string): string {
  return typeof CSS !== 'undefined' && typeof CSS.escape === 'function' ? CSS.escape(value) : value.replace(/["\\]/g, '\\$&');
}

export interface CheckResultViewProps {
  record: CheckRecord;
  onPrint: () => void;
}

export function CheckResultView({ record, onPrint }: CheckResultViewProps) {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const review = useCheckStore((s) => s.review);
  const input = useCheckStore((s) => s.input);
  const activeId = useCheckStore((s) => s.activeFindingId);
  const { setActive, accept, dismiss, restore, undo, redo } = useCheckStore.getState();
  const stale = isStale({ current: record, review, input });
  const listRef = useRef<HTMLDivElement>(null);
  const textRef = useRef<HTMLDivElement>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const shownView = useMemo(() => thresholdView(record.result, record.threshold, review.dismissed), [record.result, record.threshold, review.dismissed]);
  const view = shownView.result;
  const groups = useMemo(
    () => ({
      located: shownView.shown.filter((f) => f.span !== null),
      unlocated: shownView.shown.filter((f) => f.span === null),
      dismissed: shownView.dismissed,
      hidden: shownView.belowThreshold.length,
    }),
    [shownView],
  );
  const numbered = useMemo(() => {
    const order = [...groups.located, ...groups.unlocated, ...groups.dismissed];
    return new Map(order.map((f, i) => [f.id, i + 1]));
  }, [groups]);
  const domIds = useMemo(() => new Map(view.findings.map((f, i) => [f.id, `check-finding-desc-${i}`])), [view.findings]);
  const describedBy = useCallback((id: string) => domIds.get(id) ?? '', [domIds]);
  const stateOf = useCallback((id: string): FindingState => findingState({ review }, id), [review]);
  const legendTypes = useMemo(() => ERROR_TYPES.filter((type) => groups.located.some((f) => f.type === type)), [groups.located]);
  const anyCritical = groups.located.some((f) => f.severity === 'critical');

  const blockOf = (f: Finding): AcceptBlock => {
    const b = acceptBlocker(f, view.findings, review);
    if (b) return b;
    if (stale) return 'stale';
    if (f.correction === f.quote) return 'no-correction';
    return null;
  };

  const focusCard = useCallback((id: string) => {
    listRef.current?.querySelector<HTMLElement>(`[data-finding-id="${cssEscape(id)}"]`)?.focus();
  }, []);
  const activate = useCallback(
    (id: string | null) => {
      setActive(id);
      if (id) {
        const mark = textRef.current?.querySelector<HTMLElement>(`[data-finding-id="${cssEscape(id)}"]`);
        if (mark && typeof mark.scrollIntoView === 'function' && !mark.contains(document.activeElement)) {
          mark.scrollIntoView({ block: 'nearest' });
        }
      }
    },
    [setActive],
  );

  const onListKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    if (!target.hasAttribute('data-finding-nav')) return;
    const cards = [...(listRef.current?.querySelectorAll<HTMLElement>('[data-finding-nav]') ?? [])];
    const i = cards.indexOf(target);
    let next: HTMLElement | undefined;
    if (e.key === 'ArrowDown' || e.key === 'j') next = cards[Math.min(cards.length - 1, i + 1)];
    else if (e.key === 'ArrowUp' || e.key === 'k') next = cards[Math.max(0, i - 1)];
    else if (e.key === 'Home') next = cards[0];
    else if (e.key === 'End') next = cards[cards.length - 1];
    else return;
    e.preventDefault();
    next?.focus();
  };

  const copyCorrected = async () => {
    try {
      await navigator.clipboard.writeText(input);
      setNotice(t('check.copy.done'));
    } catch {
      setNotice(t('check.copy.failed'));
    }
  };

  const exportAs = (kind: 'md' | 'json') => {
    const content = kind === 'md' ? toMarkdown(record, locale) : toJson(record);
    downloadText(reportFileName(record, kind), content, kind === 'md' ? 'text/markdown;charset=utf-8' : 'application/json;charset=utf-8');
    setNotice(t('check.export.done', { file: reportFileName(record, kind) }));
  };

  const passagesById = new Map((record.result.evidence?.passages ?? []).map((p) => [p.id, p]));
  const citedBy = (f: Finding) => (f.evidence ?? []).flatMap((id) => passagesById.get(id) ?? []);

  const card = (f: Finding) => (
    <li key={f.id}>
      <FindingCard
        finding={f}
        number={numbered.get(f.id) ?? 0}
        state={stateOf(f.id)}
        active={activeId === f.id}
        acceptBlock={blockOf(f)}
        descriptionId={describedBy(f.id)}
        onActivate={activate}
        onAccept={accept}
        onDismiss={dismiss}
        onRestore={restore}
        {...(record.result.evidence ? { evidence: citedBy(f) } : {})}
      />
    </li>
  );

  const verdict = view.verdict;
  return (
    <section className="check-result" aria-labelledby="check-result-title">
      <h2 id="check-result-title">{t('check.result.title')}</h2>
      <div className={`verdict verdict-${verdict}`} data-testid="check-verdict" data-verdict={verdict} role="status">
        <strong>{t(`check.verdict.${verdict}`)}</strong>
        <span className="verdict-summary">
          {' '}
          {t('check.result.summary', { shown: groups.located.length + groups.unlocated.length })}
          {groups.hidden > 0 && ` · ${t('check.result.hidden', { count: groups.hidden })}`}
          {groups.dismissed.length > 0 && ` · ${t('check.result.dismissedCount', { count: groups.dismissed.length })}`}
        </span>
      </div>
      {view.chunks > 1 && <p className="notice">{t('check.notice.chunked', { count: view.chunks })}</p>}
      {view.status === 'unreadable' && (
        <div className="notice notice-error" data-testid="check-unreadable">
          <p>{t('check.notice.unreadable')}</p>
          <details>
            <summary>{t('check.notice.raw')}</summary>
            {view.samples.map((s) => (
              <pre key={`${s.chunk}:${s.sample}`} className="raw-answer">
                {s.raw || t('check.notice.rawEmpty')}
              </pre>
            ))}
          </details>
        </div>
      )}
      {view.status === 'partial' && <p className="notice">{t('check.notice.partial')}</p>}
      {stale && <p className="notice">{t('check.notice.stale')}</p>}

      {legendTypes.length > 0 && (
        <ul className="legend" aria-label={t('check.legend')}>
          {legendTypes.map((type) => (
            <li key={type}>
              <span className="type-swatch" style={{ background: ERROR_TYPE_COLOR[type] }} aria-hidden="true" /> {typeName(type, locale)}
            </li>
          ))}
          {anyCritical && (
            <li>
              <span className="critical-swatch" aria-hidden="true" /> {t('check.legend.critical')}
            </li>
          )}
        </ul>
      )}
      <div ref={textRef}>
        <HighlightedText
          text={record.text}
          findings={groups.located}
          stateOf={stateOf}
          activeId={activeId}
          describedBy={describedBy}
          label={t('check.result.text')}
          onActivate={activate}
          onSelect={focusCard}
        />
      </div>

      <div className="toolbar" role="toolbar" aria-label={t('check.toolbar')}>
        <button type="button" data-testid="check-undo" disabled={review.undo.length === 0} onClick={undo}>
          {t('check.action.undo')}
        </button>
        <button type="button" data-testid="check-redo" disabled={review.redo.length === 0} onClick={redo}>
          {t('check.action.redo')}
        </button>
        <button type="button" data-testid="check-copy" onClick={() => void copyCorrected()}>
          {t('check.action.copy')}
        </button>
        <button type="button" data-testid="check-export-md" onClick={() => exportAs('md')}>
          {t('check.action.exportMd')}
        </button>
        <button type="button" data-testid="check-export-json" onClick={() => exportAs('json')}>
          {t('check.action.exportJson')}
        </button>
        <button type="button" data-testid="check-print" onClick={onPrint}>
          {t('check.action.print')}
        </button>
      </div>
      <p className="toolbar-notice" role="status">
        {notice}
      </p>

      <div ref={listRef} className="findings" onKeyDown={onListKeyDown}>
        {groups.located.length > 0 && (
          <>
            <h3>{t('check.findings.located', { count: groups.located.length })}</h3>
            <p className="hint">{t('check.findings.keys')}</p>
            <ol className="finding-list">{groups.located.map(card)}</ol>
          </>
        )}
        {groups.unlocated.length > 0 && (
          <>
            <h3>{t('check.findings.unlocated', { count: groups.unlocated.length })}</h3>
            <p className="hint">{t('check.findings.unlocated.hint')}</p>
            <ol className="finding-list">{groups.unlocated.map(card)}</ol>
          </>
        )}
        {groups.dismissed.length > 0 && (
          <>
            <h3>{t('check.findings.dismissed', { count: groups.dismissed.length })}</h3>
            <ol className="finding-list">{groups.dismissed.map(card)}</ol>
          </>
        )}
        {record.result.evidence && <EvidencePanel passages={record.result.evidence.passages} text={record.text} retrieval={record.result.evidence.retrieval} />}
      </div>
    </section>
  );
}
