import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAppDb, getAppDb } from '../../../src/storage/db';
import { createSettingsRepo, type SettingsRepo } from '../../../src/storage/settings-repo';

let name: string;
let repo: SettingsRepo;
let n = 0;

beforeEach(() => {
  name = `medfact-settings-${Date.now()}-${n++}`;
  repo = createSettingsRepo(() => getAppDb(name));
});
afterEach(() => closeAppDb(name));

describe('settings repository', () => {
  it('returns undefined for an unset setting', async () => {
    expect(await repo.get('locale')).toBeUndefined();
    expect(await repo.getAll()).toEqual({});
  });

  it('round-trips a setting and survives reopening the database', async () => {
    await repo.set('locale', 'en');
    expect(await repo.get('locale')).toBe('en');
    await closeAppDb(name);
    const again = createSettingsRepo(() => getAppDb(name));
    expect(await again.get('locale')).toBe('en');
    expect(await again.getAll()).toEqual({ locale: 'en' });
  });

  it('overwrites and removes', async () => {
    await repo.set('locale', 'en');
    await repo.set('locale', 'zh-CN');
    expect(await repo.get('locale')).toBe('zh-CN');
    await repo.remove('locale');
    expect(await repo.get('locale')).toBeUndefined();
  });

  it('reads a damaged value as unset instead of passing it on', async () => {
    const db = await getAppDb(name);
    await db.put('settings', 'klingon', 'locale');
    expect(await repo.get('locale')).toBeUndefined();
  });
});
