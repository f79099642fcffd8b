/**
 * Shell state: the deployment configuration as loaded at start-up (with its
 * issues), the CSP check, connectivity, the service-worker update prompt and
 * storage errors from settings. Services drive it through getState().
 */
import { create } from 'zustand';
import { DEFAULT_APP_CONFIG, type AppConfig, type ConfigIssue } from '../domain/config/types';

export type CspStatus = { state: 'unknown' } | { state: 'missing' } | { state: 'ok' } | { state: 'blocked'; hosts: string[] };

interface AppState {
  config: AppConfig;
  configStatus: 'loading' | 'ready';
  configSource: 'file' | 'defaults';
  configIssues: ConfigIssue[];
  csp: CspStatus;
  online: boolean;
  /** A new service worker is waiting; `applyUpdate` activates it and reloads. */
  updateAvailable: boolean;
  offlineReady: boolean;
  applyUpdate: (() => void) | null;
  /** Last settings read/write failure, shown on the settings screen. */
  storageError: string | null;

  setConfig: (loaded: { config: AppConfig; issues: ConfigIssue[]; source: 'file' | 'defaults' }) => void;
  setCsp: (csp: CspStatus) => void;
  setOnline: (online: boolean) => void;
  setUpdateAvailable: (applyUpdate: () => void) => void;
  dismissUpdate: () => void;
  setOfflineReady: (ready: boolean) => void;
  setStorageError: (message: string | null) => void;
  reset: () => void;
}

const initial = () => ({
  config: { ...DEFAULT_APP_CONFIG, catalog: [] },
  configStatus: 'loading' as const,
  configSource: 'defaults' as const,
  configIssues: [],
  csp: { state: 'unknown' } as CspStatus,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  updateAvailable: false,
  offlineReady: false,
  applyUpdate: null,
  storageError: null,
});

export const useAppStore = create<AppState>()((set) => ({
  ...initial(),
  setConfig: ({ config, issues, source }) => set({ config, configIssues: issues, configSource: source, configStatus: 'ready' }),
  setCsp: (csp) => set({ csp }),
  setOnline: (online) => set({ online }),
  setUpdateAvailable: (applyUpdate) => set({ updateAvailable: true, applyUpdate }),
  dismissUpdate: () => set({ updateAvailable: false }),
  setOfflineReady: (offlineReady) => set({ offlineReady }),
  setStorageError: (storageError) => set({ storageError }),
  reset: () => set(initial()),
}));
