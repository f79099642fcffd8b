/**
 * A clean, printable report of one check: metadata, the text with its
 * highlights, and every finding in full. The print style sheet hides the
 * app's chrome, so the browser's print (or "save as PDF") shows only this.
 */
import { useEffect, useRef } from 'react';
import { useLocaleStore, useT } from '../../../i18n';
import type { CheckRecord } from '../../../storage/checks-repo';
import { privacyLine, reportView, typeName } from '../report-export';
import { HighlightedText } from './highlighted-text';

const noop = () => {};

export function PrintView({ record, onClose }: { record: CheckRecord; onClose: () => void }) {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const view = reportView(record);
  const r = view.result;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const located = view.shown.filter((f) => f.span !== null);
  const all = [...view.shown, ...view.dismissed];
  const desc = (id: string) => `print-desc-${all.findIndex((f) => f.id === id)}`;

  useEffect(() => {
    headingRef.current?.focus();
    document.body.classList.add('printing-report');
    return () => document.body.classList.remove('printing-report');
  }, []);

  return (
    <section className="print-view" data-testid="check-print-view" aria-labelledby="print-title">
      <div className="no-print toolbar">
        <button type="button" onClick={() => window.print()}>
          {t('check.print.print')}
        </button>
        <button type="button" onClick={onClose}>
          {t('check.print.close')}
        </button>
      </div>
      <h1 id="print-title" ref={headingRef} tabIndex={-1}>
        {t('check.report.title')}
      </h1>
      <dl className="print-meta">
        <dt>{t('check.report.createdAt')}</dt>
        <dd>{new Date(record.createdAt).toLocaleString(locale)}</dd>
        <dt>{t('check.report.verdict')}</dt>
        <dd>{t(`check.verdict.${r.verdict}`)}</dd>
        <dt>{t('check.report.verifier')}</dt>
        <dd>{record.models.verifier}</dd>
        <dt>{t('check.report.reward')}</dt>
        <dd>{record.models.reward ?? t('check.report.none')}</dd>
        <dt>{t('check.report.prompt')}</dt>
        <dd>
          {r.promptId} {r.promptVersion} ({r.promptHash})
        </dd>
        <dt>{t('check.report.threshold')}</dt>
        <dd>{r.threshold.toFixed(2)}</dd>
      </dl>
      <h2>{t('check.report.text')}</h2>
      <HighlightedText
        text={record.text}
        findings={located}
        stateOf={(id) => view.shown.find((f) => f.id === id)?.state ?? 'open'}
        activeId={null}
        describedBy={desc}
        label={t('check.report.text')}
        onActivate={noop}
        onSelect={noop}
      />
      <h2>{t('check.report.findings', { count: view.shown.length })}</h2>
      {view.shown.length === 0 && <p>{t('check.report.noFindings')}</p>}
      <ol>
        {all.map((f) => (
          <li key={f.id} className={`print-finding state-${f.state}`}>
            <p id={desc(f.id)}>
              <strong>{typeName(f.type, locale)}</strong>: <q lang="zh-CN">{f.quote}</q>
              {f.severity === 'critical' && ` — ${t('check.finding.critical')}`}
              {f.state !== 'open' && ` — ${t(`check.finding.state.${f.state}`)}`}
            </p>
            <p>
              {t('check.finding.correction')}: {f.correction || '—'}
            </p>
            <p>
              {t('check.finding.reason')}: {f.reason || '—'}
            </p>
            <p>
              {t('check.finding.confidence')}: {Math.round(f.confidence * 100)}%
              {!f.span && ` — ${t('check.finding.unlocated')}`}
              {f.span?.approximate && ` — ${t('check.finding.approximate')}`}
            </p>
          </li>
        ))}
      </ol>
      {record.review.accepted.length > 0 && (
        <>
          <h2>{t('check.report.corrected')}</h2>
          <p className="check-text">{view.correctedText}</p>
        </>
      )}
      <p className="muted">{privacyLine(record, t)}</p>
    </section>
  );
}
