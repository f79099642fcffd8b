/**
 * The Benchmark screens' state: stored datasets and runs, the run in
 * progress with its latest (throttled) progress, the open tab and the runs
 * picked for results and comparison. Driven by bench-service through
 * getState(); tests call reset().
 */
import { create } from 'zustand';
import type { RunProgress, RunRecord } from '../../core/run-record';
import type { MedfactError } from '../../protocol/errors';
import type { DatasetRecord } from '../../storage/datasets-repo';

export type BenchTab = 'datasets' | 'new-run' | 'runs' | 'results' | 'compare';

interface BenchState {
  tab: BenchTab;
  datasets: DatasetRecord[];
  runs: RunRecord[];
  loaded: boolean;
  /** The run this page's worker is executing. */
  activeRunId: string | null;
  progress: RunProgress | null;
  /** Runs interrupted by a reload, crash or lost device, offered for resuming. */
  resumable: string[];
  openRunId: string | null;
  compareIds: string[];
  error: MedfactError | null;
  setTab: (tab: BenchTab) => void;
  setLists: (lists: { datasets?: DatasetRecord[]; runs?: RunRecord[]; resumable?: string[] }) => void;
  setActive: (runId: string | null) => void;
  setProgress: (progress: RunProgress | null) => void;
  openRun: (runId: string | null) => void;
  toggleCompare: (runId: string) => void;
  setError: (error: MedfactError | null) => void;
  reset: () => void;
}

const initial = () => ({
  tab: 'runs' as BenchTab,
  datasets: [] as DatasetRecord[],
  runs: [] as RunRecord[],
  loaded: false,
  activeRunId: null,
  progress: null,
  resumable: [] as string[],
  openRunId: null,
  compareIds: [] as string[],
  error: null,
});

export const useBenchStore = create<BenchState>()((set) => ({
  ...initial(),
  setTab: (tab) => set({ tab }),
  setLists: (lists) => set({ ...lists, loaded: true }),
  setActive: (activeRunId) => set({ activeRunId }),
  setProgress: (progress) => set({ progress }),
  openRun: (openRunId) => set(openRunId ? { openRunId, tab: 'results' } : { openRunId }),
  toggleCompare: (runId) =>
    set((s) => ({ compareIds: s.compareIds.includes(runId) ? s.compareIds.filter((id) => id !== runId) : [...s.compareIds, runId] })),
  setError: (error) => set({ error }),
  reset: () => set(initial()),
}));
