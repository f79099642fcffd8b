/**
 * Run settings: samples for self-consistency, the prompt variant, the
 * verifier and reward model, and the confidence threshold. The threshold
 * slider re-filters the shown check at once, without running the model.
 */
import { useId } from 'react';
import { useT } from '../../../i18n';
import { MAX_SAMPLES, PROMPT_VARIANTS, THRESHOLD_PRESETS, type PromptVariant } from '../check-contract';
import { useCheckStore } from '../check-store';
import { useModelSession, type CheckRole } from '../../../stores/model-session-store';
import { LibrarySwitch } from './evidence';
import { usePick } from '../../../stores/use-pick';

const SAMPLE_CHOICES = [1, 3, 5].filter((n) => n <= MAX_SAMPLES);

export function CheckSettings({ disabled, onSelectModel }: { disabled: boolean; onSelectModel?: (role: CheckRole, choiceId: string | null) => void }) {
  const t = useT();
  const { settings, setSettings, setThreshold } = usePick(useCheckStore, 'settings', 'setSettings', 'setThreshold');
  const { verifier, reward, choices } = usePick(useModelSession, 'verifier', 'reward', 'choices');
  const select = onSelectModel;
  const ids = {
    samples: useId(),
    variant: useId(),
    verifier: useId(),
    reward: useId(),
    threshold: useId(),
    thresholdHint: useId(),
  };
  const verifierChoices = choices.filter((c) => c.role === 'verifier');
  const rewardChoices = choices.filter((c) => c.role === 'reward');

  return (
    <fieldset className="check-settings">
      <legend>{t('check.settings.title')}</legend>
      <div className="field">
        <label htmlFor={ids.threshold}>
          {t('check.settings.threshold')}: <output htmlFor={ids.threshold}>{settings.threshold.toFixed(2)}</output>
        </label>
        <input
          id={ids.threshold}
          data-testid="check-threshold"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={settings.threshold}
          aria-describedby={ids.thresholdHint}
          onChange={(e) => setThreshold(Number(e.currentTarget.value))}
        />
        <div className="presets" role="group" aria-label={t('check.settings.presets')}>
          {(Object.keys(THRESHOLD_PRESETS) as (keyof typeof THRESHOLD_PRESETS)[]).map((p) => (
            <button
              key={p}
              type="button"
              className="link-button"
              aria-pressed={Math.abs(settings.threshold - THRESHOLD_PRESETS[p]) < 1e-9}
              onClick={() => setThreshold(THRESHOLD_PRESETS[p])}
            >
              {t(`check.settings.preset.${p}`)}
            </button>
          ))}
        </div>
        <p id={ids.thresholdHint} className="hint">
          {t('check.settings.threshold.hint')}
        </p>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.samples}>{t('check.settings.samples')}</label>
          <select
            id={ids.samples}
            data-testid="check-samples"
            value={settings.samples}
            disabled={disabled}
            onChange={(e) => setSettings({ samples: Number(e.currentTarget.value) })}
          >
            {SAMPLE_CHOICES.map((n) => (
              <option key={n} value={n}>
                {t('check.settings.samples.option', { n })}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.variant}>{t('check.settings.variant')}</label>
          <select
            id={ids.variant}
            data-testid="check-variant"
            value={settings.variant}
            disabled={disabled}
            onChange={(e) => setSettings({ variant: e.currentTarget.value as PromptVariant })}
          >
            {PROMPT_VARIANTS.map((v) => (
              <option key={v} value={v}>
                {t(`check.settings.variant.${v}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.verifier}>{t('check.settings.verifier')}</label>
          <select
            id={ids.verifier}
            data-testid="check-verifier"
            value={verifier.choiceId ?? ''}
            disabled={disabled || !select || verifierChoices.length === 0}
            onChange={(e) => select?.('verifier', e.currentTarget.value || null)}
          >
            {!verifier.choiceId && <option value="">{t('check.settings.noModel')}</option>}
            {verifier.choiceId && !verifierChoices.some((c) => c.id === verifier.choiceId) && (
              <option value={verifier.choiceId} title={verifier.modelId ?? undefined}>
                {verifier.label ?? verifier.modelId ?? verifier.choiceId}
              </option>
            )}
            {verifierChoices.map((c) => (
              <option key={c.id} value={c.id} title={c.modelId}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.reward}>{t('check.settings.reward')}</label>
          <select
            id={ids.reward}
            data-testid="check-reward"
            value={reward.choiceId ?? ''}
            disabled={disabled || !select}
            onChange={(e) => select?.('reward', e.currentTarget.value || null)}
          >
            <option value="">{t('check.settings.noReward')}</option>
            {reward.choiceId && !rewardChoices.some((c) => c.id === reward.choiceId) && (
              <option value={reward.choiceId} title={reward.modelId ?? undefined}>
                {reward.label ?? reward.modelId ?? reward.choiceId}
              </option>
            )}
            {rewardChoices.map((c) => (
              <option key={c.id} value={c.id} title={c.modelId}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <LibrarySwitch disabled={disabled} />
    </fieldset>
  );
}
