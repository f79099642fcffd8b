/** Compact model status (the checker screen shows it too): installed count, running install, incomplete ones. */
import { useEffect } from 'react';
import { useT } from '../../i18n';
import { refreshModels } from './install-service';
import { useModelsStore } from './models-store';
import { usePick } from '../../stores/use-pick';

export function ModelStatus() {
  const t = useT();
  const { records, loaded, active } = usePick(useModelsStore, 'records', 'loaded', 'active');
  useEffect(() => {
    if (!loaded) void refreshModels();
  }, [loaded]);

  const installed = records.filter((r) => r.state === 'installed');
  const partial = records.find((r) => r.state === 'partial' || r.state === 'installing');
  let state: 'installing' | 'partial' | 'installed' | 'none';
  let text: string;
  if (active) {
    state = 'installing';
    text = t('models.status.installing', { name: active.name, percent: Math.floor((active.progress?.progress ?? 0) * 100) });
  } else if (partial) {
    state = 'partial';
    text = t('models.status.partial', { name: partial.modelId });
  } else if (installed.length > 0) {
    state = 'installed';
    text = t('models.status.installed', { count: installed.length });
  } else {
    state = 'none';
    text = t('models.status.none');
  }
  return (
    <p className={`model-status model-status-${state}`} data-testid="model-status" data-state={state} data-installed={installed.map((r) => r.id).join(' ')} role="status" aria-label={t('models.status.label')}>
      {text}
    </p>
  );
}
