/**
 * State of the self-test screen: what runs now, the outputs so far and the
 * final report. Driven by the self-test service through getState().
 */
import { create } from 'zustand';
import type { SerializedError } from '../../../protocol/errors';
import type { ClassifierDeviceRun } from './classifier-check';
import type { DeviceRun, PromptOutput, SelfTestDevice, SelfTestEvent, SelfTestReport } from './run-self-test';

export type SelfTestStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface SelfTestStep {
  device: SelfTestDevice;
  /** `judge`, `interrupt`: the verifier's checks; `classify`: the reward classifier (loading and scoring). */
  phase: 'loading' | 'warmup' | 'generating' | 'judge' | 'interrupt' | 'prefix-reuse' | 'classify';
  /** Load progress in 0..1 while loading. */
  progress: number;
  prompt?: { index: number; total: number };
}

interface SelfTestState {
  status: SelfTestStatus;
  modelId: string | null;
  step: SelfTestStep | null;
  outputs: Record<SelfTestDevice, PromptOutput[]>;
  runs: DeviceRun[];
  classifierRuns: ClassifierDeviceRun[];
  report: SelfTestReport | null;
  error: SerializedError | null;
  start: (modelId: string) => void;
  apply: (event: SelfTestEvent) => void;
  finish: (report: SelfTestReport) => void;
  fail: (error: SerializedError) => void;
  cancelled: () => void;
  reset: () => void;
}

const initial = () => ({
  status: 'idle' as SelfTestStatus,
  modelId: null,
  step: null,
  outputs: { webgpu: [], wasm: [] },
  runs: [],
  classifierRuns: [],
  report: null,
  error: null,
});

export const useSelfTestStore = create<SelfTestState>()((set) => ({
  ...initial(),
  start: (modelId) => set({ ...initial(), status: 'running', modelId }),
  apply: (event) =>
    set((s) => {
      switch (event.type) {
        case 'device-start':
          return { step: { device: event.device, phase: 'loading', progress: 0 } };
        case 'load-progress': {
          // Progress never goes down on screen, whatever order messages arrive in.
          const before = s.step?.device === event.device ? s.step.progress : 0;
          const phase = event.progress.status === 'warmup' ? 'warmup' : 'loading';
          return { step: { device: event.device, phase, progress: Math.max(before, event.progress.progress) } };
        }
        case 'loaded':
          return { step: { device: event.device, phase: 'generating', progress: 1 } };
        case 'prompt-start':
          return { step: { device: event.device, phase: 'generating', progress: 1, prompt: { index: event.index, total: event.total } } };
        case 'output':
          return { outputs: { ...s.outputs, [event.device]: [...s.outputs[event.device], event.output] } };
        case 'check-start':
          return { step: { device: event.device, phase: event.check, progress: 1 } };
        case 'device-done':
          return { runs: [...s.runs, event.run], step: null };
        case 'classifier-start':
          return { step: { device: event.device, phase: 'classify', progress: 0 } };
        case 'classifier-progress': {
          const before = s.step?.phase === 'classify' && s.step.device === event.device ? s.step.progress : 0;
          return { step: { device: event.device, phase: 'classify', progress: Math.max(before, event.progress.progress) } };
        }
        case 'classifier-done':
          return { classifierRuns: [...s.classifierRuns, event.run], step: null };
      }
    }),
  finish: (report) => set({ status: 'done', report, runs: report.devices, classifierRuns: report.classifier?.devices ?? [], step: null }),
  fail: (error) => set({ status: 'failed', error, step: null }),
  cancelled: () => set({ status: 'cancelled', step: null }),
  reset: () => set(initial()),
}));
