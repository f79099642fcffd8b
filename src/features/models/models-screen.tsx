/**
 * The Models screen: storage, the running install, typed errors with their
 * remedies, the catalog for both engines, installed models, folder import,
 * custom models and the model source.
 */
import { useEffect, useMemo, useState } from 'react';
import { useT } from '../../i18n';
import { deploymentRecommendOptions, recommendDefaults } from '../../domain/catalog/recommend';
import type { CatalogModel } from '../../domain/catalog/schema';
import { probeCapabilities } from '../../client/probe-capabilities';
import type { Capabilities } from '../../protocol/capabilities';
import { useAppStore } from '../../stores/app-store';
import { useCatalog, useCustomModels } from '../../stores/catalog-store';
import { CatalogList } from './components/catalog-list';
import { CustomModelForm } from './components/custom-model-form';
import { ErrorNotice } from './components/error-notice';
import { ImportPanel } from './components/import-panel';
import { InstallProgressPanel } from './components/install-progress';
import { InstalledList } from './components/installed-list';
import { SourceSettingsForm } from './components/source-settings';
import { StoragePanel } from './components/storage-panel';
import { effectiveSource, refreshModels } from './install-service';
import { useModelsStore } from './models-store';
import { ModelStatus } from './model-status';
import './models.css';

export function ModelsScreen() {
  const t = useT('models');
  const config = useAppStore((s) => s.config);
  const custom = useCustomModels((s) => s.custom);
  const settings = useModelsStore((s) => s.source);
  const success = useModelsStore((s) => s.success);
  const [caps, setCaps] = useState<Capabilities | null>(null);

  useEffect(() => {
    void refreshModels();
    let live = true;
    probeCapabilities().then(
      (c) => live && setCaps(c),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  // Keyed by engine, id and role: a verifier and its judge share weights but are two catalog entries.
  const catalogEntries = useCatalog();
  // One per download (engine and id) for the import target list.
  const entries = useMemo(() => {
    const byKey = new Map<string, CatalogModel>();
    for (const e of catalogEntries) byKey.set(`${e.engine}:${e.id}`, e);
    return [...byKey.values()];
  }, [catalogEntries]);
  const configKeys = useMemo(() => new Set((config.catalog as CatalogModel[]).map((e) => `${e.engine}:${e.id}`)), [config.catalog]);
  const customKeys = useMemo(() => new Set(custom.map((e) => `${e.engine}:${e.id}`)), [custom]);
  const source = useMemo(() => effectiveSource(config, settings), [config, settings]);
  const recommendation = useMemo(() => {
    if (!caps) return null;
    try {
      return recommendDefaults(caps, catalogEntries, deploymentRecommendOptions(config));
    } catch {
      return null; // no usable verifier here: the table says why per model
    }
  }, [caps, catalogEntries, config]);

  const focusStorage = (): void => {
    document.getElementById('models-installed')?.scrollIntoView({ block: 'start' });
    document.getElementById('models-storage')?.querySelector('button')?.focus();
  };

  return (
    <div className="screen models-screen">
      <h1>{t('models.title')}</h1>
      <p>{t('models.intro')}</p>
      <p>
        <a href="#/selftest">{t('models.selftest.link')}</a>
      </p>
      <ModelStatus />
      {success ? (
        <p role="status" data-testid="models-success">
          {t(success.key, { name: success.name })}
        </p>
      ) : null}
      <ErrorNotice onFreeStorage={focusStorage} />
      <InstallProgressPanel />
      <CatalogList entries={catalogEntries} caps={caps} source={source} recommendation={recommendation} configKeys={configKeys} customKeys={customKeys} />
      <InstalledList />
      <StoragePanel />
      <ImportPanel entries={entries} caps={caps} source={source} />
      <CustomModelForm />
      <SourceSettingsForm key={`${config.modelHost} ${config.modelLibHost}`} config={config} />
    </div>
  );
}
