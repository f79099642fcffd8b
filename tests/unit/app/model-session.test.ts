// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { choicesFrom, disposeModelSession, selectModel, startModelSession } from '../../../src/app/model-session';
import { customEntry } from '../../../src/domain/catalog/custom-entry';
import { closeAppDb, getAppDb } from '../../../src/storage/db';
import { createSettingsRepo } from '../../../src/storage/settings-repo';
import { addCustomModel, setCustomModels, useCustomModels } from '../../../src/stores/catalog-store';
import type { ModelInstallRecord } from '../../../src/storage/models-repo';
import { useAppStore } from '../../../src/stores/app-store';
import { patchRole, useModelSession } from '../../../src/stores/model-session-store';

const useModelSessionState = () => useModelSession.getState();
import { useModelsStore } from '../../../src/features/models/models-store';

describe('model choices for the checker', () => {
  afterEach(() => useAppStore.setState(useAppStore.getInitialState()));

  const record = (over: Partial<ModelInstallRecord>): ModelInstallRecord => ({
    id: `transformers:${over.modelId}:q8`,
    modelId: 'x',
    engine: 'transformers',
    dtype: 'q8',
    source: { hubHost: 'http://127.0.0.1:9/' },
    origin: 'download',
    files: [],
    totalBytes: 1,
    state: 'installed',
    installedAt: 1,
    updatedAt: 1,
    ...over,
  });

  it('offers installed catalog models in the roles the catalog gives them, and nothing half-installed', () => {
    const common = { engine: 'transformers' as const, dtypes: ['q8' as const], sizeBytes: 1, description: { zh: 'd', en: 'd' } };
    useAppStore.setState({
      config: {
        ...useAppStore.getState().config,
        catalog: [
          { ...common, id: 'org/verifier', role: 'verifier', task: 'text-generation', label: { zh: '核查', en: 'Verifier' } },
          { ...common, id: 'org/reward', role: 'reward', task: 'text-classification', label: { zh: '评分', en: 'Reward' } },
        ],
      },
    });
    const choices = choicesFrom([
      record({ modelId: 'org/verifier', task: 'text-generation' }),
      record({ modelId: 'org/reward', task: 'text-classification' }),
      record({ modelId: 'org/verifier', id: 'transformers:org/verifier:q4', dtype: 'q4', state: 'partial' }),
      record({ modelId: 'not/in-catalog' }),
    ]);
    expect(choices).toEqual([
      { id: 'transformers:org/verifier:q8', role: 'verifier', label: '核查 · q8', modelId: 'org/verifier' },
      { id: 'transformers:org/reward:q8', role: 'reward', label: '评分 · q8', modelId: 'org/reward' },
    ]);
  });
});

describe('session preferences go through the settings repository', () => {
  afterEach(() => {
    disposeModelSession();
    setCustomModels([]);
  });

  it('restores the user-added models and saves choices and additions to IndexedDB, not localStorage', async () => {
    const name = `medfact-session-${Date.now()}`;
    const repo = createSettingsRepo(() => getAppDb(name));
    const added = customEntry({ engine: 'transformers', hubIdOrUrl: 'hospital/med-verifier' });
    await repo.set('customModels', [added]);
    await startModelSession(repo);
    expect(useCustomModels.getState().custom.map((e) => e.id)).toEqual(['hospital/med-verifier']);

    await selectModel('reward', null);
    await expect.poll(() => repo.get('modelChoice')).toEqual({ reward: null });
    addCustomModel(customEntry({ engine: 'transformers', hubIdOrUrl: 'hospital/other' }));
    await expect.poll(async () => ((await repo.get('customModels')) as { id: string }[] | undefined)?.map((e) => e.id)).toEqual(['hospital/med-verifier', 'hospital/other']);
    expect(localStorage.length).toBe(0);
    await closeAppDb(name);
  });

  it('a model the session drops by itself is not saved as the user choosing none, so the next start loads the preferred one again', async () => {
    const name = `medfact-session-${Date.now()}-drop`;
    const repo = createSettingsRepo(() => getAppDb(name));
    await repo.set('modelChoice', { verifier: 'transformers:org/verifier:q8' });
    await startModelSession(repo);
    // The chosen model is loaded, then its install record goes away (removed, or a refresh without it).
    patchRole('verifier', { choiceId: 'transformers:org/verifier:q8', state: 'ready' });
    useModelsStore.getState().setRecords([]);
    await expect.poll(() => useModelSessionState().verifier.choiceId).toBe(null);
    expect(await repo.get('modelChoice')).toEqual({ verifier: 'transformers:org/verifier:q8' });
    await closeAppDb(name);
  });
});
