/**
 * Typed user settings in the `settings` store (one row per setting). A
 * feature adds its settings by extending `Settings` (declaration merging)
 * and a validator in `SETTING_GUARDS`, so a damaged row reads as unset.
 */
import { isLocale, type Locale } from '../domain/config/types';
import { getAppDb, withStorageErrors, type AppDb } from './db';

export interface Settings {
  locale: Locale;
}

export type SettingKey = keyof Settings;

type Guards = { [K in SettingKey]: (value: unknown) => value is Settings[K] };

export const SETTING_GUARDS: Guards = {
  locale: isLocale,
};

export interface SettingsRepo {
  get<K extends SettingKey>(key: K): Promise<Settings[K] | undefined>;
  set<K extends SettingKey>(key: K, value: Settings[K]): Promise<void>;
  remove(key: SettingKey): Promise<void>;
  getAll(): Promise<Partial<Settings>>;
}

export function createSettingsRepo(db: () => Promise<AppDb> = () => getAppDb()): SettingsRepo {
  const read = async <K extends SettingKey>(key: K): Promise<Settings[K] | undefined> => {
    const value = await (await db()).get('settings', key);
    const guard: (v: unknown) => v is Settings[K] = SETTING_GUARDS[key];
    return guard(value) ? value : undefined;
  };
  return {
    get: (key) => withStorageErrors(() => read(key)),
    set: (key, value) =>
      withStorageErrors(async () => {
        const conn = await db();
        const tx = conn.transaction('settings', 'readwrite');
        await Promise.all([tx.store.put(value, key), tx.done]);
      }),
    remove: (key) => withStorageErrors(async () => (await db()).delete('settings', key)),
    getAll: () =>
      withStorageErrors(async () => {
        const out: Partial<Settings> = {};
        const copy = async <K extends SettingKey>(key: K) => {
          const value = await read(key);
          if (value !== undefined) out[key] = value;
        };
        for (const key of Object.keys(SETTING_GUARDS) as SettingKey[]) await copy(key);
        return out;
      }),
  };
}

export const settingsRepo: SettingsRepo = createSettingsRepo();
