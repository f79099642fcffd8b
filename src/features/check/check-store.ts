/**
 * The checker screen's state: the text being edited, the run settings, the
 * running check's progress, the check on display (a stored record) and the
 * clinician's review of it. Services drive it through getState(); tests call
 * resetCheckStore() between cases.
 *
 * The text area holds the working text. Right after a check it equals the
 * checked text; accepting a correction recomputes it from the checked text
 * and the accepted set, so undo restores it exactly. Once the user types in
 * it by hand it no longer matches the result ("stale"), and accepting is
 * blocked until the text is checked again.
 */
import { create } from 'zustand';
import { isAbortError, toMedfactError, type MedfactError } from '../../protocol/errors';
import { saveCheck, type CheckRecord } from '../../storage/checks-repo';
import {
  applyThreshold,
  DEFAULT_CHECK_OPTIONS,
  type CheckOptions,
  type CheckProgress,
  type CheckResult,
  type PromptVariant,
} from './check-contract';
import { applyCorrections, EMPTY_REVIEW, reviewDo, reviewRedo, reviewUndo, type ReviewAction, type ReviewState } from './review';

export interface CheckRunRequest {
  text: string;
  options: Partial<CheckOptions>;
  signal: AbortSignal;
  onPartial: (progress: CheckProgress) => void;
}

/** Runs one check with whatever models are loaded; the engine session provides it. */
export type CheckRunner = (request: CheckRunRequest) => Promise<CheckResult>;

export interface CheckSettings {
  samples: number;
  variant: PromptVariant;
  threshold: number;
}

export type RunPhase = 'idle' | 'running' | 'error';

export interface CheckStoreState {
  input: string;
  settings: CheckSettings;
  phase: RunPhase;
  progress: CheckProgress | null;
  /** The last run's failure (not a cancellation); the text and the shown check are kept. */
  error: MedfactError | null;
  /** Saving to the history failed; the check is still shown. */
  saveError: MedfactError | null;
  current: CheckRecord | null;
  review: ReviewState;
  activeFindingId: string | null;
  setInput: (text: string) => void;
  setSettings: (patch: Partial<CheckSettings>) => void;
  /** Moves the slider: re-filters the shown check without running the model. */
  setThreshold: (threshold: number) => void;
  runCheck: (runner: CheckRunner) => Promise<void>;
  cancel: () => void;
  accept: (id: string) => void;
  dismiss: (id: string) => void;
  restore: (id: string) => void;
  undo: () => void;
  redo: () => void;
  setActive: (id: string | null) => void;
  /** Shows a stored check (from the history) with its review. */
  open: (record: CheckRecord) => void;
  /** Forgets the shown check if it is `id` (deleted from the history). */
  forget: (id?: string) => void;
  clearError: () => void;
}

function newId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const appVersion = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

const INITIAL_SETTINGS: CheckSettings = {
  samples: DEFAULT_CHECK_OPTIONS.samples,
  variant: DEFAULT_CHECK_OPTIONS.variant,
  threshold: DEFAULT_CHECK_OPTIONS.threshold,
};

let controller: AbortController | null = null;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
/** Delay before a slider move is written to the history (one write per drag, not per step). */
export const THRESHOLD_SAVE_DELAY_MS = 400;

/** The working text the review implies: the checked text with accepted corrections. */
export function workingText(record: CheckRecord, review: ReviewState): string {
  return applyCorrections(record.text, record.result.findings, review.accepted);
}

/** The record with its result at a threshold (records saved before the slider kept the result in step are brought up to date). */
export function atThreshold(record: CheckRecord, threshold: number): CheckRecord {
  const result = applyThreshold(record.result, threshold);
  return result === record.result && record.threshold === result.threshold ? record : { ...record, threshold: result.threshold, result };
}

/** True when the text area no longer matches the shown check and its accepted corrections. */
export function isStale(state: Pick<CheckStoreState, 'input' | 'current' | 'review'>): boolean {
  return state.current !== null && state.input !== workingText(state.current, state.review);
}

function initialState() {
  return {
    input: '',
    settings: { ...INITIAL_SETTINGS },
    phase: 'idle' as RunPhase,
    progress: null,
    error: null,
    saveError: null,
    current: null,
    review: EMPTY_REVIEW,
    activeFindingId: null,
  };
}

export const useCheckStore = create<CheckStoreState>()((set, get) => {
  async function persist(record: CheckRecord): Promise<void> {
    try {
      await saveCheck(record);
      if (get().saveError) set({ saveError: null });
    } catch (error) {
      set({ saveError: toMedfactError(error) });
    }
  }

  /** Stores the review with the record so dismissed findings survive for later review. */
  function applyReview(action: ReviewAction | 'undo' | 'redo'): void {
    const { current, review, input } = get();
    if (!current) return;
    // Accepting edits the text, so it needs the text area to still match the check.
    if (isStale({ current, review, input }) && action !== 'undo' && action !== 'redo' && action.kind === 'accept') return;
    const next = action === 'undo' ? reviewUndo(review) : action === 'redo' ? reviewRedo(review) : reviewDo(review, action);
    if (next === review) return;
    const record: CheckRecord = { ...current, review: { accepted: [...next.accepted], dismissed: [...next.dismissed] } };
    const stale = isStale({ current, review, input });
    set({
      review: next,
      current: record,
      // A hand-edited text is never overwritten by a review step.
      ...(stale ? {} : { input: workingText(record, next) }),
    });
    void persist(record);
  }

  return {
    ...initialState(),
    setInput: (text) => set({ input: text }),
    setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
    setThreshold: (threshold) => {
      const t = Math.min(1, Math.max(0, threshold));
      const { current } = get();
      // The record's verdict and kept flags follow the slider, so the history and exports never read a stale verdict.
      set((s) => ({ settings: { ...s.settings, threshold: t }, current: current ? atThreshold(current, t) : null }));
      if (saveTimer) clearTimeout(saveTimer);
      if (current) {
        saveTimer = setTimeout(() => {
          saveTimer = null;
          const latest = get().current;
          if (latest) void persist(latest);
        }, THRESHOLD_SAVE_DELAY_MS);
      }
    },
    runCheck: async (runner) => {
      const { input, settings, phase } = get();
      if (phase === 'running' || input.trim().length === 0) return;
      const text = input;
      controller?.abort();
      const own = new AbortController();
      controller = own;
      set({ phase: 'running', progress: null, error: null });
      try {
        const result = await runner({
          text,
          options: { samples: settings.samples, variant: settings.variant, threshold: settings.threshold },
          signal: own.signal,
          onPartial: (progress) => {
            if (controller === own) set({ progress });
          },
        });
        if (controller !== own) return;
        const record: CheckRecord = {
          v: 1,
          id: newId(),
          createdAt: Date.now(),
          text,
          result,
          threshold: settings.threshold,
          models: result.models,
          promptId: result.promptId,
          promptVersion: result.promptVersion,
          timings: result.timings,
          review: { accepted: [], dismissed: [] },
          appVersion,
        };
        set({ phase: 'idle', progress: null, current: record, review: EMPTY_REVIEW, activeFindingId: null });
        await persist(record);
      } catch (error) {
        if (controller !== own) return;
        if (isAbortError(error)) set({ phase: 'idle', progress: null });
        else set({ phase: 'error', progress: null, error: toMedfactError(error) });
      } finally {
        if (controller === own) controller = null;
      }
    },
    cancel: () => {
      controller?.abort();
    },
    accept: (id) => applyReview({ kind: 'accept', id }),
    dismiss: (id) => applyReview({ kind: 'dismiss', id }),
    restore: (id) => applyReview({ kind: 'restore', id }),
    undo: () => applyReview('undo'),
    redo: () => applyReview('redo'),
    setActive: (id) => {
      if (get().activeFindingId !== id) set({ activeFindingId: id });
    },
    open: (stored) => {
      const record = atThreshold(stored, stored.threshold);
      // Undo history is per session; the stored review is the starting point.
      const review: ReviewState = { accepted: record.review.accepted, dismissed: record.review.dismissed, undo: [], redo: [] };
      set({
        current: record,
        review,
        input: workingText(record, review),
        settings: { ...get().settings, threshold: record.threshold },
        activeFindingId: null,
        error: null,
      });
    },
    forget: (id) => {
      const { current } = get();
      if (current && (id === undefined || current.id === id)) set({ current: null, review: EMPTY_REVIEW, activeFindingId: null });
    },
    clearError: () => set({ error: null }),
  };
});

export function resetCheckStore(): void {
  controller?.abort();
  controller = null;
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  useCheckStore.setState(initialState());
}
