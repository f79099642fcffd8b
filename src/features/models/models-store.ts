/**
 * Install state for the Models screen and the compact status: records,
 * storage estimate, the running install with its progress, and the last
 * typed error. Driven by install-service.ts through getState().
 */
import { create } from 'zustand';
import type { SerializedError } from '../../protocol/errors';
import type { InstallProgress } from '../../domain/install/types';
import type { ModelInstallRecord } from '../../storage/models-repo';

export interface FileProgress {
  loaded: number;
  total: number | null;
  state: 'waiting' | 'download' | 'verify' | 'done';
}

export interface ActiveInstall {
  recordId: string;
  name: string;
  kind: 'download' | 'import';
  progress: InstallProgress | null;
  files: Record<string, FileProgress>;
}

export interface ModelsNotice {
  recordId?: string;
  name?: string;
  error: SerializedError;
}

/** Source overrides from the settings form; the deployment config is the default. */
export interface SourceSettings {
  hubHost: string | null;
  libHost: string | null;
}

interface ModelsState {
  records: ModelInstallRecord[];
  loaded: boolean;
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
  active: ActiveInstall | null;
  /** The last install that completed, shown at 100% until the next one starts. */
  finished: ActiveInstall | null;
  notice: ModelsNotice | null;
  /** Last success message key parameters (import done, custom added). */
  success: { key: 'models.import.done' | 'models.custom.added' | 'models.progress.done'; name: string } | null;
  source: SourceSettings;

  setRecords: (records: ModelInstallRecord[]) => void;
  setStorage: (s: { usage: number | null; quota: number | null; persisted?: boolean | null }) => void;
  startActive: (a: Omit<ActiveInstall, 'progress' | 'files'> & { files: string[] }) => void;
  applyProgress: (p: InstallProgress) => void;
  /** Ends the running install; `completed` keeps it on screen as finished. */
  endActive: (completed: boolean) => void;
  setNotice: (n: ModelsNotice | null) => void;
  setSuccess: (s: ModelsState['success']) => void;
  setSource: (s: SourceSettings) => void;
  reset: () => void;
}

const initial = () => ({
  records: [] as ModelInstallRecord[],
  loaded: false,
  usage: null,
  quota: null,
  persisted: null,
  active: null,
  finished: null,
  notice: null,
  success: null,
  source: { hubHost: null, libHost: null } as SourceSettings,
});

export const useModelsStore = create<ModelsState>()((set) => ({
  ...initial(),
  setRecords: (records) => set({ records, loaded: true }),
  setStorage: ({ usage, quota, persisted }) => set((s) => ({ usage, quota, persisted: persisted === undefined ? s.persisted : persisted })),
  startActive: ({ files, ...a }) =>
    set({
      active: { ...a, progress: null, files: Object.fromEntries(files.map((f) => [f, { loaded: 0, total: null, state: 'waiting' as const }])) },
      finished: null,
      notice: null,
      success: null,
    }),
  applyProgress: (p) =>
    set((s) => {
      if (!s.active) return {};
      const files = { ...s.active.files };
      if (p.status === 'download') files[p.file] = { loaded: p.fileLoaded, total: p.fileTotal, state: 'download' };
      else if (p.status === 'verify') files[p.file] = { ...(files[p.file] ?? { loaded: 0, total: null }), state: 'verify' };
      else if (p.status === 'file-done') {
        const f = files[p.file];
        const size = f?.total ?? f?.loaded ?? 0;
        files[p.file] = { loaded: size, total: size, state: 'done' };
      }
      return { active: { ...s.active, progress: p, files } };
    }),
  endActive: (completed) => set((s) => ({ active: null, finished: completed ? s.active : null })),
  setNotice: (notice) => set({ notice }),
  setSuccess: (success) => set({ success }),
  setSource: (source) => set({ source }),
  reset: () => set(initial()),
}));
