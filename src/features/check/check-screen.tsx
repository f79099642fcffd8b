/**
 * The clinician's checker: paste or type a text (or pick a sample), check it
 * with the button or Ctrl/Cmd+Enter, then review the highlighted findings.
 * Automation hooks: check-input, check-run, check-span, check-finding,
 * check-verdict (model-status comes from the models feature through the
 * `modelStatus` slot, so features stay independent).
 */
import { useEffect, useId, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useLocaleStore, useT } from '../../i18n';
import { toMedfactError } from '../../protocol/errors';
import { DEFAULT_CHECK_OPTIONS } from './check-contract';
import { useCheckStore } from './check-store';
import { CheckProgress } from './components/check-progress';
import { CheckResultView } from './components/check-result';
import { CheckSettings } from './components/check-settings';
import { FirstRunPanel } from './components/first-run-panel';
import { PrivacyLine } from './components/privacy-line';
import { PrintView } from './components/print-view';
import { useModelSession, type CheckRole } from '../../stores/model-session-store';
import { contextCharsFor, currentRunner } from './engine-session';
import { useActiveFormulary, withFormularyRules } from './formulary-rules';
import { useOpenFromHash } from './open-from-hash';
import { SAMPLE_TEXTS } from './sample-texts';
import './check.css';
import { usePick } from '../../stores/use-pick';

/** Code points, not UTF-16 units: an emoji counts as one character. Counted without building an array. */
export function countCharacters(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export interface CheckScreenProps {
  /** The models feature's status badge (data-testid="model-status"), passed in by the app shell. */
  modelStatus?: ReactNode;
  /** Loads the chosen model into a role (the app's model session); without it the pickers are read-only. */
  onSelectModel?: (role: CheckRole, choiceId: string | null) => void;
}

export function CheckScreen({ modelStatus, onSelectModel }: CheckScreenProps = {}) {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const { input, phase, progress, error, saveError, current } = usePick(useCheckStore, 'input', 'phase', 'progress', 'error', 'saveError', 'current');
  const verifierReady = useModelSession((s) => s.verifier.state === 'ready');
  const contextTokens = useModelSession((s) => s.verifier.contextTokens);
  const formulary = useActiveFormulary();
  const { setInput, runCheck, cancel, clearError } = useCheckStore.getState();
  const [printing, setPrinting] = useState(false);
  useOpenFromHash();
  const ids = { input: useId(), count: useId(), reason: useId(), sample: useId() };

  const running = phase === 'running';
  const empty = input.trim().length === 0;
  // With no model but an active formulary, a check runs the formulary rules alone (issue 12).
  const disabledReason = empty ? t('check.run.disabled.empty') : !verifierReady && !formulary ? t('check.run.disabled.noModel') : null;
  const chars = useMemo(() => countCharacters(input), [input]);
  const chunkChars = contextCharsFor(contextTokens ?? undefined) ?? DEFAULT_CHECK_OPTIONS.contextChars;
  const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

  const start = () => {
    if (running || disabledReason) return;
    try {
      void runCheck(withFormularyRules(verifierReady ? currentRunner() : null));
    } catch (e) {
      useCheckStore.setState({ phase: 'error', error: toMedfactError(e) });
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      start();
    }
  };

  // Leaving the screen does not cancel a running check; its result lands in the store and the history.
  useEffect(() => () => useCheckStore.getState().setActive(null), []);

  if (printing && current) return <PrintView record={current} onClose={() => setPrinting(false)} />;

  return (
    <div className="check-screen" onKeyDown={onKeyDown}>
      <div className="screen-header">
        <h1 tabIndex={-1}>{t('check.title')}</h1>
        {modelStatus}
      </div>
      <PrivacyLine />
      {!verifierReady && <FirstRunPanel />}
      <div className="check-columns">
        <section className="check-input-panel" aria-labelledby="check-input-title">
          <h2 id="check-input-title" className="visually-hidden">
            {t('check.input.title')}
          </h2>
          <div className="field">
            <label htmlFor={ids.sample}>{t('check.sample.label')}</label>
            <select
              id={ids.sample}
              data-testid="check-sample"
              value=""
              disabled={running}
              onChange={(e) => {
                const sample = SAMPLE_TEXTS.find((s) => s.id === e.currentTarget.value);
                if (sample) setInput(sample.text);
              }}
            >
              <option value="">{t('check.sample.choose')}</option>
              {SAMPLE_TEXTS.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title[locale]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.input}>{t('check.input.label')}</label>
            <textarea
              id={ids.input}
              data-testid="check-input"
              value={input}
              rows={12}
              spellCheck={false}
              lang="zh-CN"
              placeholder={t('check.input.placeholder')}
              aria-describedby={ids.count}
              readOnly={running}
              onChange={(e) => setInput(e.currentTarget.value)}
            />
            <p id={ids.count} className="hint" data-testid="check-count">
              {t('check.input.count', { count: chars.toLocaleString(locale) })}
              {input.length > chunkChars && ` · ${t('check.input.long')}`}
            </p>
          </div>
          <div className="run-row">
            {running ? (
              <button type="button" data-testid="check-run" disabled aria-describedby={ids.reason}>
                {t('check.run.running')}
              </button>
            ) : (
              <button
                type="button"
                className="primary"
                data-testid="check-run"
                disabled={disabledReason !== null}
                aria-describedby={ids.reason}
                onClick={start}
              >
                {t('check.run')}
              </button>
            )}
            <span id={ids.reason} className="hint" data-testid="check-run-reason">
              {disabledReason ?? t('check.run.shortcut', { key: isMac ? '⌘' : 'Ctrl' })}
              {!disabledReason && !verifierReady && formulary && ` · ${t('check.rulesOnly.hint')}`}
            </span>
          </div>
          <CheckSettings disabled={running} {...(onSelectModel ? { onSelectModel } : {})} />
        </section>

        <div className="check-output">
          {running && <CheckProgress progress={progress} onCancel={cancel} />}
          {error && (
            <div className="notice notice-error" role="alert" data-testid="check-error" data-code={error.code}>
              <p>
                {t(`error.${error.code}`)} <span className="muted">({error.message})</span>
              </p>
              <button type="button" onClick={clearError}>
                {t('check.error.dismiss')}
              </button>
            </div>
          )}
          {saveError && (
            <p className="notice notice-error" role="alert">
              {t('check.save.failed', { message: t(`error.${saveError.code}`) })}
            </p>
          )}
          {current?.result.formulary?.rulesOnly && (
            <p className="notice" role="status" data-testid="check-rules-only">
              {t('check.rulesOnly')}
            </p>
          )}
          {current?.result.formulary?.demo && (
            <p className="notice" data-testid="check-formulary-demo">
              {t('formulary.demo.label')}
            </p>
          )}
          {current ? (
            <CheckResultView record={current} onPrint={() => setPrinting(true)} />
          ) : (
            !running && <p className="muted empty-result">{t('check.result.none')}</p>
          )}
        </div>
      </div>
    </div>
  );
}
