import { formatBytes } from '../../ui/format-bytes';
import { useEffect, useState } from 'react';
import { LOCALES, type Locale } from '../../domain/config/types';
import { useT } from '../../i18n';
import { useLocaleStore } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { CspBlocked } from '../config-issues';

const LOCALE_LABEL = { 'zh-CN': 'settings.language.zh', en: 'settings.language.en' } as const;

/** Settings & about: language, privacy, deployment configuration, CSP, storage. */
export function SettingsScreen() {
  const t = useT();
  return (
    <div className="screen">
      <h1 tabIndex={-1}>{t('settings.title')}</h1>
      <LanguageSection />
      <section className="panel" aria-labelledby="privacy-title">
        <h2 id="privacy-title">{t('settings.privacy.title')}</h2>
        <p>{t('settings.privacy.body')}</p>
      </section>
      <ConfigSection />
      <StorageSection />
      <section className="panel" aria-labelledby="about-title">
        <h2 id="about-title">{t('settings.about.title')}</h2>
        <p>{t('settings.about.body')}</p>
        <p className="muted">{t('app.version', { version: __APP_VERSION__ })}</p>
      </section>
    </div>
  );
}

function LanguageSection() {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const setLocale = useLocaleStore((s) => s.setLocale);
  const storageError = useAppStore((s) => s.storageError);
  return (
    <section className="panel">
      <fieldset className="choice-group">
        <legend>{t('settings.language')}</legend>
        {LOCALES.map((value: Locale) => (
          <label key={value} lang={value}>
            <input type="radio" name="locale" value={value} checked={locale === value} onChange={() => setLocale(value)} />
            {t(LOCALE_LABEL[value])}
          </label>
        ))}
      </fieldset>
      {storageError ? (
        <p className="error-text" role="alert">
          {t('settings.storage.error', { message: storageError })}
        </p>
      ) : null}
    </section>
  );
}

function ConfigSection() {
  const t = useT();
  const { config, configStatus, configSource, configIssues, csp } = useAppStore();
  const unset = t('config.field.unset');
  return (
    <section className="panel" aria-labelledby="config-title">
      <h2 id="config-title">{t('config.title')}</h2>
      {configStatus === 'loading' ? (
        <p>{t('config.loading')}</p>
      ) : (
        <>
          <p>{configSource === 'file' ? t('config.source.file') : t('config.source.defaults')}</p>
          <dl className="facts">
            <dt>{t('config.field.modelHost')}</dt>
            <dd>
              <code>{config.modelHost}</code>
            </dd>
            <dt>{t('config.field.modelLibHost')}</dt>
            <dd>
              <code>{config.modelLibHost}</code>
            </dd>
            <dt>{t('config.field.mirrorOnly')}</dt>
            <dd>{config.mirrorOnly ? t('config.yes') : t('config.no')}</dd>
            <dt>{t('config.field.defaultVerifier')}</dt>
            <dd>{config.defaultVerifier ?? unset}</dd>
            <dt>{t('config.field.defaultReward')}</dt>
            <dd>{config.defaultReward ?? unset}</dd>
            <dt>{t('config.field.catalog')}</dt>
            <dd>{config.catalog.length === 0 ? unset : config.catalog.map((e) => e.id).join(', ')}</dd>
          </dl>
          {/* The issues themselves are listed in the banner above every screen. */}
          {configIssues.length > 0 ? <p className="error-text">{t('config.issues.count', { count: configIssues.length })}</p> : null}
        </>
      )}
      <h3>{t('csp.title')}</h3>
      {csp.state === 'ok' ? <p>{t('csp.ok')}</p> : null}
      {csp.state === 'missing' ? <p>{t('csp.missing')}</p> : null}
      {csp.state === 'blocked' ? <CspBlocked hosts={csp.hosts} /> : null}
    </section>
  );
}

interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}


function StorageSection() {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const [info, setInfo] = useState<StorageInfo | null>(null);
  useEffect(() => {
    let live = true;
    const storage = navigator.storage;
    void (async () => {
      const estimate = storage?.estimate ? await storage.estimate().catch(() => null) : null;
      const persisted = storage?.persisted ? await storage.persisted().catch(() => null) : null;
      if (live) setInfo({ usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted });
    })();
    return () => {
      live = false;
    };
  }, []);
  return (
    <section className="panel" aria-labelledby="storage-title">
      <h2 id="storage-title">{t('settings.storage.title')}</h2>
      {info === null ? (
        <p>{t('app.loading')}</p>
      ) : info.usage !== null && info.quota !== null ? (
        <p>{t('settings.storage.usage', { used: formatBytes(info.usage, locale), quota: formatBytes(info.quota, locale) })}</p>
      ) : (
        <p>{t('settings.storage.unknown')}</p>
      )}
      {info?.persisted === true ? <p>{t('settings.storage.persisted')}</p> : null}
      {info?.persisted === false ? <p className="muted">{t('settings.storage.notPersisted')}</p> : null}
    </section>
  );
}
