/**
 * The hardware self-test screen: the capability probe, a model picker, and a
 * run that loads the model on WebGPU and on WASM (one worker each), times
 * load, warm-up, prefill and decode, and checks that both devices give the
 * same greedy output on fixed prompts; it also checks streaming, interrupt,
 * judge scores from logits and (optionally) a reward classifier's scores on
 * both devices. The report can be copied as JSON for a bug report; it never
 * holds user text.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { CatalogModel } from '../../domain/catalog/schema';
import { probeCapabilities } from '../../client/probe-capabilities';
import { useLocaleStore } from '../../i18n';
import type { Capabilities } from '../../protocol/capabilities';
import { useAppStore } from '../../stores/app-store';
import { useCatalog } from '../../stores/catalog-store';
import { effectiveSource, loadSourceSettings } from './install-service';
import { AgreementPanel } from './self-test/components/agreement-panel';
import { CapabilityTable } from './self-test/components/capability-table';
import { ChecksPanel } from './self-test/components/checks-panel';
import { DeviceOutputs, DeviceSummary, deviceName } from './self-test/components/device-results';
import { SELFTEST_PROMPTS } from './self-test/prompts';
import { reportToJson } from './self-test/run-self-test';
import { DEFAULT_SELFTEST_MAX_TOKENS, MAX_SELFTEST_MAX_TOKENS, cancelSelfTest, startSelfTest } from './self-test/self-test-service';
import { useSelfTestStore } from './self-test/self-test-store';
import { formatPercent } from './self-test/format';
import './self-test/self-test.css';
import { useT, type Translate } from '../../i18n';
import { usePick } from '../../stores/use-pick';

const keyOf = (e: Pick<CatalogModel, 'engine' | 'id'>) => `${e.engine}:${e.id}`;

/** Text-generation verifiers of the app's catalog (built-in, the deployment's, the user's). */
export function selfTestEntries(catalog: readonly CatalogModel[]): CatalogModel[] {
  return catalog.filter((e) => e.task === 'text-generation' && e.role === 'verifier');
}

/** Reward classifiers (text-classification) the self-test can score, from the same sources. */
export function selfTestClassifierEntries(catalog: readonly CatalogModel[]): CatalogModel[] {
  return catalog.filter((e) => e.task === 'text-classification' && e.role === 'reward');
}

function useStatusText(t: Translate<'selftest'>): string {
  const locale = useLocaleStore((s) => s.locale);
  const status = useSelfTestStore((s) => s.status);
  const step = useSelfTestStore((s) => s.step);
  if (status === 'running') {
    if (!step) return t('selftest.status.running');
    const device = deviceName(t, step.device);
    if (step.phase === 'loading') return t('selftest.status.loading', { device, percent: formatPercent(step.progress, locale) });
    if (step.phase === 'warmup') return t('selftest.status.warmup', { device });
    if (step.phase === 'judge') return t('selftest.status.judge', { device });
    if (step.phase === 'interrupt') return t('selftest.status.interrupt', { device });
    if (step.phase === 'prefix-reuse') return t('selftest.status.prefixReuse', { device });
    if (step.phase === 'classify') return t('selftest.status.classify', { device, percent: formatPercent(step.progress, locale) });
    return step.prompt
      ? t('selftest.status.generating', { device, index: step.prompt.index + 1, total: step.prompt.total })
      : t('selftest.status.running');
  }
  return t(`selftest.status.${status}`);
}

export function SelfTestScreen() {
  const t = useT('selftest');
  const config = useAppStore((s) => s.config);
  // Until the deployment's config has arrived the picker shows the built-in catalog; a run then could test a
  // model the deployment does not offer, so choosing and running wait for it.
  const configReady = useAppStore((s) => s.configStatus === 'ready');
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const catalog = useCatalog();
  const entries = useMemo(() => selfTestEntries(catalog), [catalog]);
  const classifiers = useMemo(() => selfTestClassifierEntries(catalog), [catalog]);
  const [chosen, setChosen] = useState<string | null>(null);
  /** '' = no classifier (the default: it is optional). */
  const [chosenClassifier, setChosenClassifier] = useState('');
  const [maxTokens, setMaxTokens] = useState(DEFAULT_SELFTEST_MAX_TOKENS);
  const [copyNote, setCopyNote] = useState<'copied' | 'failed' | null>(null);
  const { status, runs, classifierRuns, outputs, report, error } = usePick(useSelfTestStore, 'status', 'runs', 'classifierRuns', 'outputs', 'report', 'error');
  const statusText = useStatusText(t);
  const ids = { model: useId(), tokens: useId(), note: useId(), classifier: useId(), classifierHelp: useId() };

  useEffect(() => {
    let live = true;
    probeCapabilities().then((c) => live && setCaps(c), () => undefined);
    return () => {
      live = false;
      // Leaving the screen frees the workers.
      cancelSelfTest();
    };
  }, []);

  const fallbackKey = useMemo(() => {
    const preferred = entries.find((e) => e.id === config.defaultVerifier) ?? entries.find((e) => e.engine === 'transformers') ?? entries[0];
    return preferred ? keyOf(preferred) : null;
  }, [entries, config.defaultVerifier]);
  const selectedKey = chosen !== null && entries.some((e) => keyOf(e) === chosen) ? chosen : fallbackKey;
  const entry = entries.find((e) => keyOf(e) === selectedKey) ?? null;
  const classifier = classifiers.find((e) => keyOf(e) === chosenClassifier) ?? null;
  const running = status === 'running';
  const tokensValid = Number.isInteger(maxTokens) && maxTokens >= 1 && maxTokens <= MAX_SELFTEST_MAX_TOKENS;

  const run = (): void => {
    if (!entry || !caps || !tokensValid || !configReady) return;
    setCopyNote(null);
    const source = effectiveSource(config, loadSourceSettings());
    void startSelfTest({ entry, capabilities: caps, source, maxTokens, classifier });
  };

  const json = report ? reportToJson(report) : '';
  const copy = (): void => {
    const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
    if (!clipboard) {
      setCopyNote('failed');
      return;
    }
    clipboard.writeText(json).then(
      () => setCopyNote('copied'),
      () => setCopyNote('failed'),
    );
  };

  const wasmOutputs = outputs.wasm;
  const gpuOutputs = outputs.webgpu;

  return (
    <div className="screen selftest-screen">
      <h1>{t('selftest.title')}</h1>
      <p>{t('selftest.intro')}</p>

      <section className="panel" aria-labelledby="selftest-caps-title">
        <h2 id="selftest-caps-title">{t('selftest.caps.title')}</h2>
        <div className="selftest-scroll">
          <CapabilityTable caps={caps} />
        </div>
      </section>

      <section className="panel selftest-form" aria-labelledby="selftest-form-title">
        <h2 id="selftest-form-title">{t('selftest.form.title')}</h2>
        {entries.length === 0 ? <p>{t('selftest.form.noModels')}</p> : null}
        <label htmlFor={ids.model}>{t('selftest.form.model')}</label>
        <select
          id={ids.model}
          data-testid="selftest-model"
          value={selectedKey ?? ''}
          disabled={running || entries.length === 0 || !configReady}
          onChange={(e) => setChosen(e.target.value)}
          aria-describedby={entry?.engine === 'webllm' ? ids.note : undefined}
        >
          {entries.map((e) => (
            <option key={keyOf(e)} value={keyOf(e)}>
              {`${e.label.zh} · ${e.label.en}`}
            </option>
          ))}
        </select>
        {entry?.engine === 'webllm' ? (
          <p id={ids.note} className="muted">
            {t('selftest.form.webllmNote')}
          </p>
        ) : null}
        <label htmlFor={ids.tokens}>{t('selftest.form.maxTokens')}</label>
        <input
          id={ids.tokens}
          data-testid="selftest-max-tokens"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_SELFTEST_MAX_TOKENS}
          step={1}
          value={Number.isFinite(maxTokens) ? maxTokens : ''}
          disabled={running}
          aria-invalid={!tokensValid}
          onChange={(e) => setMaxTokens(e.target.valueAsNumber)}
        />
        <p className="muted">{t('selftest.form.prompts', { count: SELFTEST_PROMPTS.length })}</p>
        {classifiers.length > 0 ? (
          <>
            <label htmlFor={ids.classifier}>{t('selftest.form.classifier')}</label>
            <select
              id={ids.classifier}
              data-testid="selftest-classifier"
              value={classifier ? chosenClassifier : ''}
              disabled={running}
              onChange={(e) => setChosenClassifier(e.target.value)}
              aria-describedby={ids.classifierHelp}
            >
              <option value="">{t('selftest.form.classifierNone')}</option>
              {classifiers.map((e) => (
                <option key={keyOf(e)} value={keyOf(e)}>
                  {`${e.label.zh} · ${e.label.en}`}
                </option>
              ))}
            </select>
            <p id={ids.classifierHelp} className="muted">
              {t('selftest.form.classifierHelp')}
            </p>
          </>
        ) : null}
        <div className="button-row actions">
          <button type="button" className="primary" data-testid="selftest-run" onClick={run} disabled={running || !entry || !caps || !tokensValid || !configReady}>
            {t('selftest.run')}
          </button>
          {running ? (
            <button type="button" data-testid="selftest-cancel" onClick={cancelSelfTest}>
              {t('selftest.cancel')}
            </button>
          ) : null}
        </div>
        <p role="status" aria-live="polite" data-testid="selftest-status" data-state={status}>
          {statusText}
        </p>
        {error ? (
          <p className="error-text" role="alert" data-code={error.code}>
            {error.message}
          </p>
        ) : null}
      </section>

      {runs.length > 0 || gpuOutputs.length > 0 || wasmOutputs.length > 0 ? (
        <section className="panel" aria-labelledby="selftest-results-title">
          <h2 id="selftest-results-title">{t('selftest.results.title')}</h2>
          <div className="selftest-scroll">
            <DeviceSummary runs={runs} />
          </div>
          <DeviceOutputs device="webgpu" outputs={gpuOutputs} />
          <DeviceOutputs device="wasm" outputs={wasmOutputs} />
        </section>
      ) : null}

      <ChecksPanel runs={runs} classifierRuns={classifierRuns} report={report} classifierId={classifier?.id ?? null} />

      {report ? (
        <>
          <AgreementPanel report={report} />
          <section className="panel" aria-labelledby="selftest-report-title">
            <h2 id="selftest-report-title">{t('selftest.report.label')}</h2>
            <div className="button-row">
              <button type="button" data-testid="selftest-copy" onClick={copy}>
                {t('selftest.copy')}
              </button>
            </div>
            {copyNote ? <p role="status">{copyNote === 'copied' ? t('selftest.copied') : t('selftest.copyFailed')}</p> : null}
            <textarea className="selftest-report" data-testid="selftest-report" readOnly value={json} aria-labelledby="selftest-report-title" />
          </section>
        </>
      ) : null}
    </div>
  );
}
