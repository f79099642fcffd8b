import { describe, expect, it } from 'vitest';
import { closeAppDb } from '../../../src/storage/db';
import { createModelsRepo, type ModelInstallRecord } from '../../../src/storage/models-repo';
import { getAppDb } from '../../../src/storage/db';

const rec = (id: string, state: ModelInstallRecord['state']): ModelInstallRecord => ({
  id,
  modelId: 'org/m',
  engine: 'transformers',
  dtype: 'q8',
  source: { hubHost: 'https://huggingface.co' },
  origin: 'download',
  files: [],
  totalBytes: 0,
  state,
  installedAt: state === 'installed' ? 1 : null,
  updatedAt: 1,
});

describe('models repo (IndexedDB)', () => {
  it('stores, lists, updates and deletes install records', async () => {
    const name = `models-repo-${Math.random()}`;
    const repo = createModelsRepo(() => getAppDb(name));
    await repo.put(rec('b', 'partial'));
    await repo.put(rec('a', 'installing'));
    await repo.put({ ...rec('a', 'installed') });
    expect((await repo.list()).map((r) => [r.id, r.state])).toEqual([
      ['a', 'installed'],
      ['b', 'partial'],
    ]);
    await repo.delete('a');
    expect(await repo.get('a')).toBeUndefined();
    // a damaged row reads as absent rather than crashing the screen
    await (await getAppDb(name)).put('models', { id: 'junk' });
    expect((await repo.list()).map((r) => r.id)).toEqual(['b']);
    await repo.clear();
    expect(await repo.list()).toEqual([]);
    await closeAppDb(name);
  });
});
