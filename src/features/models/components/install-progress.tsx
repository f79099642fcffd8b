/** The running install: total bar with bytes, speed and time left, one bar per file, and cancel. */
import { useT } from '../../../i18n';
import { useLocaleStore } from '../../../i18n';
import { cancelInstall } from '../install-service';
import { formatBytes, formatDuration } from '../format';
import { useModelsStore } from '../models-store';

export function InstallProgressPanel() {
  const t = useT('models');
  const locale = useLocaleStore((s) => s.locale);
  const running = useModelsStore((s) => s.active);
  const finished = useModelsStore((s) => s.finished);
  const active = running ?? finished;
  if (!active) return null;
  const p = active.progress;
  const percent = Math.floor((p?.progress ?? 0) * 100);
  const totalText = p ? t('models.progress.total', { loaded: formatBytes(p.loaded, locale), total: formatBytes(p.total, locale) }) : '';
  const status =
    p?.status === 'done'
      ? `${t('models.progress.done')} · ${totalText}`
      : !p || p.status === 'checking-storage'
      ? t('models.progress.checking')
      : p.status === 'verify'
        ? t('models.progress.verify', { file: p.file })
        : `${totalText} · ${t('models.progress.speed', { speed: formatBytes(p.bytesPerSecond, locale) })} · ${t('models.progress.eta', { time: formatDuration(p.etaSeconds, locale) })}`;
  const label = t('models.progress.label', { name: active.name });
  return (
    <section className="panel" aria-labelledby="install-progress-title" data-testid="install-progress" data-running={running ? 'true' : 'false'}>
      <h2 id="install-progress-title">{label}</h2>
      <progress max={100} value={percent} aria-label={label} aria-valuetext={`${percent}%`} data-testid="install-total-progress" data-progress={p?.progress ?? 0} />
      <p aria-live="polite">
        {percent}% · {status}
      </p>
      <ul className="file-progress-list">
        {Object.entries(active.files).map(([file, f]) => {
          const fileLabel = t('models.progress.file', { file, loaded: formatBytes(f.loaded, locale), total: formatBytes(f.total, locale) });
          return (
            <li key={file}>
              <span>{fileLabel}</span>{' '}
              <progress max={f.total ?? 1} value={f.total ? Math.min(f.loaded, f.total) : f.state === 'done' ? 1 : 0} aria-label={fileLabel} />
            </li>
          );
        })}
      </ul>
      {running ? (
        <button type="button" onClick={cancelInstall}>
          {t('models.action.cancel')}
        </button>
      ) : null}
    </section>
  );
}
