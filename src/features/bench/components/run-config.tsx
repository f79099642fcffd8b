/**
 * A new run: the dataset (all of it, a filtered subset, or a seeded sample),
 * the verifier, prompt variant, thinking, samples per item, token limit,
 * the reward model and the threshold policy.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ItemSelection, RunConfig, ThresholdPolicy } from '../../../core/run-record';
import { selectItems } from '../../../domain/bench/select-items';
import type { DatasetItem } from '../../../core/dataset/types';
import { labelName, type LabelKind } from '../../../core/labels';
import { useLocaleStore } from '../../../i18n';
import { THRESHOLD_PRESETS, type ThresholdPreset } from '../../../core/gating';
import { PROMPT_VARIANTS, type PromptVariant } from '../../../core/prompts';
import type { Device } from '../../../protocol/engine';
import { toMedfactError } from '../../../protocol/errors';
import { datasetsRepo } from '../../../storage/datasets-repo';
import { formularyRepo, type FormularyVersion } from '../../../storage/formulary-repo';
import { useT } from '../../../i18n';
import { useBenchStore } from '../bench-store';
import { startRun } from '../bench-service';
import { useModelChoices, type ModelChoice } from '../model-choices';
import { RunLibraryField, useRunLibrary } from './run-library';
import { usePick } from '../../../stores/use-pick';

function distinct(items: readonly DatasetItem[], key: (i: DatasetItem) => string | number | undefined): string[] {
  const set = new Set<string>();
  for (const it of items) {
    const v = key(it);
    if (v !== undefined) set.add(String(v));
  }
  return [...set].sort();
}

function MultiSelect({
  label,
  kind,
  options,
  value,
  onChange,
}: {
  label: string;
  kind: LabelKind;
  options: string[];
  value: string[];
  onChange: (v: string[]) => void;
}) {
  const locale = useLocaleStore((s) => s.locale);
  if (options.length === 0) return null;
  return (
    <label className="field">
      {label}
      <select multiple value={value} onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value))} size={Math.min(5, options.length)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {labelName(kind, o, locale)}
          </option>
        ))}
      </select>
    </label>
  );
}

const RULES_ONLY_SPEC: RunConfig['verifier']['spec'] = {
  id: 'formulary-rules',
  engine: 'transformers',
  task: 'text-generation',
  device: 'wasm',
  dtype: 'q8',
  source: { hubHost: '', revision: 'rules' },
};

export function RunConfigForm() {
  const t = useT('bench', 'formulary');
  const { datasets, activeRunId, setTab, setError } = usePick(useBenchStore, 'datasets', 'activeRunId', 'setTab', 'setError');
  const { verifiers, rewards } = useModelChoices();

  const [datasetId, setDatasetId] = useState('');
  const chosenDataset = datasetId || datasets[0]?.id || '';
  const [items, setItems] = useState<DatasetItem[]>([]);
  const [label, setLabel] = useState<'' | 'error' | 'correct'>('');
  const [errorTypes, setErrorTypes] = useState<string[]>([]);
  const [specialties, setSpecialties] = useState<string[]>([]);
  const [styles, setStyles] = useState<string[]>([]);
  const [difficulties, setDifficulties] = useState<string[]>([]);
  const [sampleSize, setSampleSize] = useState('');
  const [seed, setSeed] = useState('20250917');
  const [verifierKey, setVerifierKey] = useState('');
  const [device, setDevice] = useState<Device>('wasm');
  const [variant, setVariant] = useState<PromptVariant>('zero-shot');
  const [thinking, setThinking] = useState(false);
  const [samples, setSamples] = useState(1);
  const [maxTokens, setMaxTokens] = useState(512);
  const [rewardKey, setRewardKey] = useState('');
  const [rewardMode, setRewardMode] = useState<'judge' | 'classify'>('classify');
  const [thresholdKind, setThresholdKind] = useState<ThresholdPreset | 'value'>('balanced');
  const [thresholdValue, setThresholdValue] = useState(0.5);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  // Formulary rules (issue 12): model only, rules only (no model loaded) or model + rules.
  const [formulary, setFormulary] = useState<FormularyVersion | undefined>(undefined);
  const [formularyMode, setFormularyMode] = useState<'model' | 'rules' | 'model+rules'>('model');
  useEffect(() => {
    let live = true;
    void formularyRepo.getActive().then((v) => live && setFormulary(v), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  const rulesOnly = formulary !== undefined && formularyMode === 'rules';
  const library = useRunLibrary();

  useEffect(() => {
    let live = true;
    if (chosenDataset) void datasetsRepo.items(chosenDataset).then((list) => live && setItems(list), () => live && setItems([]));
    return () => {
      live = false;
    };
  }, [chosenDataset]);

  const selection: ItemSelection = useMemo(() => {
    const s: ItemSelection = { seed: Number.parseInt(seed, 10) || 1 };
    if (label) s.label = label;
    if (errorTypes.length) s.errorTypes = errorTypes;
    if (specialties.length) s.specialties = specialties;
    if (styles.length) s.styles = styles;
    if (difficulties.length) s.difficulties = difficulties.map(Number);
    const n = Number.parseInt(sampleSize, 10);
    if (Number.isInteger(n) && n > 0) s.sampleSize = n;
    return s;
  }, [label, errorTypes, specialties, styles, difficulties, sampleSize, seed]);

  const selectedCount = useMemo(() => {
    try {
      return selectItems(items, selection).length;
    } catch {
      return 0;
    }
  }, [items, selection]);

  const verifier: ModelChoice | undefined = verifiers.find((v) => v.key === verifierKey) ?? verifiers[0];
  const reward: ModelChoice | undefined = rewards.find((r) => r.key === rewardKey);

  async function submit(): Promise<void> {
    if ((!verifier && !rulesOnly) || !chosenDataset) return;
    const threshold: ThresholdPolicy = thresholdKind === 'value' ? { kind: 'value', value: thresholdValue } : { kind: 'preset', preset: thresholdKind };
    // A rules-only run loads no model; its verifier entry only names the rules.
    const spec = !verifier || rulesOnly ? RULES_ONLY_SPEC : verifier.spec.engine === 'webllm' ? verifier.spec : { ...verifier.spec, device };
    const config: RunConfig = {
      verifier: { spec, label: rulesOnly || !verifier ? t('check.finding.rule') : verifier.label },
      ...(formulary && formularyMode !== 'model' ? { formulary: { mode: formularyMode, hash: formulary.hash, fileName: formulary.fileName, rows: formulary.rows } } : {}),
      reward: reward ? { spec: reward.spec.engine === 'webllm' ? reward.spec : { ...reward.spec, device }, label: reward.label, mode: reward.spec.task === 'text-classification' ? 'classify' : rewardMode, ...(reward.positiveLabel ? { positiveLabel: reward.positiveLabel } : {}) } : null,
      variant,
      thinking,
      samples,
      maxTokens,
      threshold,
      temperature: 0,
    };
    setBusy(true);
    try {
      const carried = rulesOnly ? undefined : await library.snapshot();
      if (carried) config.library = carried;
      const dataset = datasets.find((d) => d.id === chosenDataset);
      await startRun({ name: name.trim() || `${dataset?.name ?? ''} · ${config.verifier.label ?? ''}${formulary && formularyMode === 'model+rules' ? ` + ${t('check.finding.rule')}` : ''}`, datasetId: chosenDataset, selection, config });
      setTab('runs');
    } catch (error) {
      setError(toMedfactError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="run-config"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{t('bench.config.title')}</h2>
      <fieldset>
        <legend>{t('bench.config.items')}</legend>
        <label className="field">
          {t('bench.config.dataset')}
          <select value={chosenDataset} onChange={(e) => setDatasetId(e.target.value)}>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.itemCount})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {t('bench.config.label')}
          <select value={label} onChange={(e) => setLabel(e.target.value as '' | 'error' | 'correct')}>
            <option value="">{t('bench.config.any')}</option>
            <option value="error">{t('bench.config.labelError')}</option>
            <option value="correct">{t('bench.config.labelCorrect')}</option>
          </select>
        </label>
        <MultiSelect kind="error_type" label={t('bench.config.errorTypes')} options={distinct(items, (i) => i.errorType)} value={errorTypes} onChange={setErrorTypes} />
        <MultiSelect kind="specialty" label={t('bench.config.specialties')} options={distinct(items, (i) => i.specialty)} value={specialties} onChange={setSpecialties} />
        <MultiSelect kind="style" label={t('bench.config.styles')} options={distinct(items, (i) => i.style)} value={styles} onChange={setStyles} />
        <MultiSelect kind="difficulty" label={t('bench.config.difficulties')} options={distinct(items, (i) => i.difficulty)} value={difficulties} onChange={setDifficulties} />
        <label className="field">
          {t('bench.config.sample')}
          <input type="number" min={1} value={sampleSize} onChange={(e) => setSampleSize(e.target.value)} placeholder={t('bench.config.all')} />
        </label>
        <label className="field">
          {t('bench.config.seed')}
          <input type="number" value={seed} onChange={(e) => setSeed(e.target.value)} />
        </label>
        <p role="status" data-testid="selected-count">
          {t('bench.config.selected', { count: selectedCount })}
        </p>
      </fieldset>

      <fieldset>
        <legend>{t('bench.config.models')}</legend>
        {verifiers.length === 0 && <p className="muted">{t('bench.config.noModels')}</p>}
        <label className="field">
          {t('bench.config.verifier')}
          <select value={verifier?.key ?? ''} onChange={(e) => setVerifierKey(e.target.value)}>
            {verifiers.map((m) => (
              <option key={m.key} value={m.key} title={m.spec.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        {[verifier?.remote, reward?.remote]
          .filter((r, i, all): r is { label: string; host: string } => r !== undefined && all.findIndex((o) => o?.host === r.host) === i)
          .map((r) => (
            <p key={r.host} className="notice" role="note" data-testid="bench-privacy" data-host={r.host}>
              {t('bench.config.privacyRemote', { label: r.label, host: r.host })}
            </p>
          ))}
        {verifier?.spec.engine === 'transformers' && (
          <label className="field">
            {t('bench.config.device')}
            <select value={device} onChange={(e) => setDevice(e.target.value as Device)}>
              <option value="wasm">WASM</option>
              <option value="webgpu">WebGPU</option>
            </select>
          </label>
        )}
        <label className="field">
          {t('bench.config.variant')}
          <select value={variant} onChange={(e) => setVariant(e.target.value as PromptVariant)}>
            {PROMPT_VARIANTS.map((v) => (
              <option key={v} value={v}>
                {t(`bench.variant.${v}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <input type="checkbox" checked={thinking} onChange={(e) => setThinking(e.target.checked)} /> {t('bench.config.thinking')}
        </label>
        <label className="field">
          {t('bench.config.samples')}
          <input type="number" min={1} max={16} value={samples} onChange={(e) => setSamples(Math.max(1, Math.min(16, Number(e.target.value) || 1)))} />
        </label>
        <label className="field">
          {t('bench.config.maxTokens')}
          <input type="number" min={16} step={16} value={maxTokens} onChange={(e) => setMaxTokens(Math.max(16, Number(e.target.value) || 512))} />
        </label>
        <label className="field">
          {t('bench.config.reward')}
          <select value={rewardKey} onChange={(e) => setRewardKey(e.target.value)}>
            <option value="">{t('bench.config.noReward')}</option>
            {rewards.map((m) => (
              <option key={m.key} value={m.key} title={m.spec.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        {reward && reward.spec.task === 'text-generation' && (
          <label className="field">
            {t('bench.config.rewardMode')}
            <select value={rewardMode} onChange={(e) => setRewardMode(e.target.value as 'judge' | 'classify')}>
              <option value="judge">{t('bench.config.judge')}</option>
              <option value="classify">{t('bench.config.classify')}</option>
            </select>
          </label>
        )}
        <label className="field">
          {t('bench.config.threshold')}
          <select value={thresholdKind} onChange={(e) => setThresholdKind(e.target.value as ThresholdPreset | 'value')}>
            {(Object.keys(THRESHOLD_PRESETS) as ThresholdPreset[]).map((p) => (
              <option key={p} value={p}>
                {t(`bench.threshold.${p}`)} ({THRESHOLD_PRESETS[p]})
              </option>
            ))}
            <option value="value">{t('bench.threshold.value')}</option>
          </select>
        </label>
        {thresholdKind === 'value' && (
          <label className="field">
            {t('bench.threshold.value')}
            <input type="number" min={0} max={1} step={0.01} value={thresholdValue} onChange={(e) => setThresholdValue(Math.max(0, Math.min(1, Number(e.target.value))))} />
          </label>
        )}
      </fieldset>

      {formulary && (
        <fieldset>
          <legend>{t('check.finding.rule')}</legend>
          <label className="field">
            {t('formulary.bench.mode')}
            <select data-testid="bench-formulary-mode" value={formularyMode} onChange={(e) => setFormularyMode(e.target.value as 'model' | 'rules' | 'model+rules')}>
              <option value="model">{t('formulary.bench.model')}</option>
              <option value="rules">{t('formulary.bench.rules')}</option>
              <option value="model+rules">{t('formulary.bench.both')}</option>
            </select>
          </label>
          <p className="muted">
            {t('formulary.meta', { name: formulary.fileName, date: new Date(formulary.importedAt).toLocaleString(), rows: formulary.rows.length, hash: formulary.hash.slice(0, 12) })}
            {formulary.demo ? ` · ${t('formulary.demo.label')}` : ''}
          </p>
        </fieldset>
      )}

      {!rulesOnly && <RunLibraryField choice={library} />}

      <label className="field">
        {t('bench.config.name')}
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <button type="submit" data-testid="bench-start" disabled={busy || (!verifier && !rulesOnly) || selectedCount === 0 || activeRunId !== null}>
        {t('bench.config.start', { count: selectedCount })}
      </button>
      {activeRunId && <p className="muted">{t('bench.config.busy')}</p>}
    </form>
  );
}
