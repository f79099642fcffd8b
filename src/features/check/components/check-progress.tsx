/**
 * Streaming progress of a running check: stage, chunk and sample, tokens and
 * tokens per second, the text the model has written so far, and cancel.
 * Only the stage line is a live region, so screen readers are not flooded
 * with token counts.
 */
import { useT } from '../../../i18n';
import type { CheckProgress as Progress } from '../check-contract';

function overallFraction(p: Progress): number {
  const perChunk = 1 / Math.max(1, p.chunkCount);
  const perSample = perChunk / Math.max(1, p.sampleCount);
  const base = p.chunkIndex * perChunk + p.sampleIndex * perSample;
  if (p.stage === 'done') return 1;
  if (p.stage === 'score') return Math.min(0.99, base + perSample * (0.9 + 0.1 * ((p.scored ?? 0) / Math.max(1, p.toScore ?? 1))));
  const within = p.stage === 'prompt' ? 0 : p.stage === 'generate' ? 0.5 : 0.9;
  return Math.min(0.99, base + perSample * within);
}

export function CheckProgress({ progress, onCancel }: { progress: Progress | null; onCancel: () => void }) {
  const t = useT();
  return (
    <section className="check-progress" aria-labelledby="check-progress-title" data-testid="check-progress">
      <h2 id="check-progress-title" className="visually-hidden">
        {t('check.progress.title')}
      </h2>
      <p role="status" aria-live="polite" className="progress-stage" data-stage={progress?.stage ?? 'prompt'}>
        {t(`check.stage.${progress?.stage ?? 'prompt'}`)}
        {progress && progress.chunkCount > 1 && ` · ${t('check.progress.chunk', { i: progress.chunkIndex + 1, n: progress.chunkCount })}`}
        {progress && progress.sampleCount > 1 && ` · ${t('check.progress.sample', { i: progress.sampleIndex + 1, n: progress.sampleCount })}`}
      </p>
      <progress max={1} value={progress ? overallFraction(progress) : 0} aria-label={t('check.progress.title')} />
      {progress && (
        <p className="progress-stats">
          {t('check.progress.tokens', { tokens: progress.tokens, tps: progress.tokensPerSecond.toFixed(1) })}
        </p>
      )}
      {progress?.streamedText && (
        <details className="progress-stream">
          <summary>{t('check.progress.stream')}</summary>
          <pre>{progress.streamedText.slice(-400)}</pre>
        </details>
      )}
      <button type="button" data-testid="check-cancel" onClick={onCancel}>
        {t('check.action.cancel')}
      </button>
    </section>
  );
}
