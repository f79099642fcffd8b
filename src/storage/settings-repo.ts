/**
 * Typed user settings in the `settings` store (one row per setting). A
 * feature adds its settings by extending `Settings` (declaration merging)
 * and a validator in `SETTING_GUARDS`, so a damaged row reads as unset.
 */
import { isLocale, type Locale } from '../domain/config/types';
import { getAppDb, withStorageErrors, type AppDb } from './db';

/** The checker's last model per role: a choice id, or null for "none" (src/app/model-session.ts). */
export type ModelChoiceSetting = Partial<Record<'verifier' | 'reward' | 'embedder', string | null>>;
/** The Models screen's download source; null fields follow the deployment (features/models). */
export interface ModelSourceSetting {
  hubHost: string | null;
  libHost: string | null;
}

export interface Settings {
  locale: Locale;
  modelChoice: ModelChoiceSetting;
  modelSource: ModelSourceSetting;
  /** Models the user added by hub id or URL; each entry is validated again when the catalog is built (domain/catalog appCatalog). */
  customModels: unknown[];
}

export type SettingKey = keyof Settings;

type Guards = { [K in SettingKey]: (value: unknown) => value is Settings[K] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

export const SETTING_GUARDS: Guards = {
  locale: isLocale,
  modelChoice: (v): v is ModelChoiceSetting => isRecord(v) && Object.entries(v).every(([k, c]) => (k === 'verifier' || k === 'reward') && isStringOrNull(c)),
  modelSource: (v): v is ModelSourceSetting => isRecord(v) && isStringOrNull(v.hubHost) && isStringOrNull(v.libHost),
  customModels: (v): v is unknown[] => Array.isArray(v),
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
