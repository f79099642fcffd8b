/**
 * The References screen's semantic-search panel (the `embedder` role): pick
 * an installed embedder (or none), and follow the passage vectors being
 * computed, with pause and continue. Hooks: library-embedder (the picker),
 * library-embed-progress (data-state off/running/done/cancelled/error,
 * data-done, data-total, data-model), library-embed-cancel,
 * library-embed-resume. Choosing a model is the app shell's service, handed
 * in as a prop.
 */
import { useId } from 'react';
import { useT } from '../../i18n';
import { getDenseLibrary, useEmbedProgress } from '../../domain/library/dense-library';
import { useModelSession } from '../../stores/model-session-store';
import { usePick } from '../../stores/use-pick';

export function EmbedderPanel({ onSelect }: { onSelect?: (choiceId: string | null) => void }) {
  const t = useT('library');
  const id = useId();
  const { choices, embedder: role } = usePick(useModelSession, 'choices', 'embedder');
  const progress = useEmbedProgress();
  const embedders = choices.filter((c) => c.role === 'embedder');
  const model = role.label ?? role.modelId ?? '';
  let line: string | null = null;
  if (role.state === 'loading') line = t('library.embed.loading', { model, percent: Math.floor(role.progress * 100) });
  else if (role.state === 'error') line = t('library.embed.error', { message: role.error ? t(`error.${role.error.code}`) : '' });
  else if (progress.state === 'running') line = t('library.embed.running', { done: progress.done, total: progress.total });
  else if (progress.state === 'done') line = t('library.embed.done', { total: progress.total, model });
  else if (progress.state === 'cancelled') line = t('library.embed.cancelled', { done: progress.done, total: progress.total });
  else if (progress.state === 'error') line = t('library.embed.error', { message: progress.error?.message ?? '' });
  return (
    <section className="panel library-embed" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('library.embed.title')}</h2>
      <p className="muted">{t('library.embed.intro')}</p>
      {embedders.length === 0 ? (
        <p>{t('library.embed.noneInstalled')}</p>
      ) : (
        <div className="field">
          <label htmlFor={id}>{t('library.embed.model')}</label>{' '}
          <select id={id} data-testid="library-embedder" value={role.choiceId ?? ''} disabled={!onSelect} onChange={(e) => onSelect?.(e.currentTarget.value || null)}>
            <option value="">{t('library.embed.none')}</option>
            {embedders.map((c) => (
              <option key={c.id} value={c.id} title={c.modelId}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <p
        role="status"
        aria-live="polite"
        data-testid="library-embed-progress"
        data-state={progress.state}
        data-done={progress.done}
        data-total={progress.total}
        data-model={progress.model ?? ''}
      >
        {line}
        {progress.state === 'running' && <progress max={Math.max(1, progress.total)} value={progress.done} aria-label={line ?? ''} />}
      </p>
      {progress.state === 'running' && (
        <button type="button" data-testid="library-embed-cancel" onClick={() => getDenseLibrary().cancel()}>
          {t('library.embed.cancel')}
        </button>
      )}
      {(progress.state === 'cancelled' || progress.state === 'error') && role.state === 'ready' && (
        <button type="button" data-testid="library-embed-resume" onClick={() => void getDenseLibrary().sync()}>
          {t('library.embed.resume')}
        </button>
      )}
    </section>
  );
}
