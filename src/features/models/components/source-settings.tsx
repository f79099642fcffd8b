/** Where models come from: the public hub or a mirror (weights URL + WebLLM library URL); mirror-only is read-only when the deployment enforces it. */
import { useId, useState, type FormEvent } from 'react';
import { useT } from '../../../i18n';
import type { AppConfig } from '../../../domain/config/schema';
import { saveSourceSettings } from '../install-service';
import { useModelsStore } from '../models-store';

function isHttp(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function SourceSettingsForm({ config }: { config: Pick<AppConfig, 'modelHost' | 'modelLibHost' | 'mirrorOnly'> }) {
  const t = useT('models');
  const id = useId();
  const source = useModelsStore((s) => s.source);
  const [hub, setHub] = useState(source.hubHost ?? config.modelHost);
  const [lib, setLib] = useState(source.libHost ?? config.modelLibHost);
  const [invalid, setInvalid] = useState(false);
  const locked = config.mirrorOnly;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!isHttp(hub) || !isHttp(lib)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    saveSourceSettings({ hubHost: hub === config.modelHost ? null : hub, libHost: lib === config.modelLibHost ? null : lib });
  };
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('models.source.title')}</h2>
      <p className="muted">{hub.replace(/\/+$/, '') === 'https://huggingface.co' ? t('models.source.hub') : t('models.source.mirror')}</p>
      <form onSubmit={submit} className="stack">
        <label htmlFor={`${id}-hub`}>{t('models.source.weights')}</label>
        <input id={`${id}-hub`} type="url" value={hub} disabled={locked} onChange={(e) => setHub(e.currentTarget.value)} data-testid="source-hub" />
        <label htmlFor={`${id}-lib`}>{t('models.source.libs')}</label>
        <input id={`${id}-lib`} type="url" value={lib} disabled={locked} onChange={(e) => setLib(e.currentTarget.value)} />
        <label>
          <input type="checkbox" checked={config.mirrorOnly} readOnly disabled aria-describedby={locked ? `${id}-locked` : undefined} /> {t('models.source.mirrorOnly')}
        </label>
        {locked ? <p id={`${id}-locked`}>{t('models.source.mirrorOnlyEnforced')}</p> : null}
        {invalid ? (
          <p className="error-text" role="alert">
            {t('models.source.invalid')}
          </p>
        ) : null}
        {!locked ? (
          <button type="submit" data-testid="source-save">
            {t('models.source.save')}
          </button>
        ) : null}
      </form>
    </section>
  );
}
