/** Messages between the bench page and its direct transformers.js worker, and the page API Playwright calls. */
import type { ChatMessage } from '../../src/protocol/engine';

export type DirectRequest =
  | { kind: 'load'; hubHost: string; id: string }
  | { kind: 'generate'; messages: ChatMessage[]; maxTokens: number };

export type DirectReply = { ok: true; ms: number; tokens: number } | { ok: false; error: string };

export interface RunnerBenchResult {
  items: number;
  stored: number;
  ms: number;
  itemsPerSecond: number;
  longestTaskMs: number;
  longTasks: number;
  /** Longest animation frame (Long Animation Frames API, wall clock; 0 when no frame took 50 ms or more). */
  longestFrameMs: number;
  /** Time spent awaiting IndexedDB writes and reads (the runs repository). */
  sinkMs: number;
  /** What the browser attributes the long tasks to (Long Tasks API `attribution`), deduplicated. */
  attribution?: string[];
}

/** One engine-overhead step: wall milliseconds of the call and the tokens it generated. */
export interface OverheadStep {
  ms: number;
  tokens: number;
}

export interface OverheadBenchResult {
  /** Long Tasks API during the measured checks (wall clock), with LoAF attribution. */
  longestTaskMs: number;
  longTasks: number;
  /** Longest animation frame (Long Animation Frames API, wall clock; 0 when no frame took 50 ms or more). */
  longestFrameMs: number;
  attribution: string[];
}

export interface ImportBenchResult {
  items: number;
  /** Worker parse; the result (without the items, which the worker keeps) to the page. */
  parseMs: number;
  /** IndexedDB save of the staged items from the worker, as the app's "save" button does. */
  saveMs: number;
  longestTaskMs: number;
  longTasks: number;
  /** Longest animation frame (Long Animation Frames API, wall clock; 0 when no frame took 50 ms or more). */
  longestFrameMs: number;
  attribution: string[];
}

export interface LibraryBenchResult {
  docs: number;
  passages: number;
  /** Import of every document: extraction (worker), passages, index update, IndexedDB. */
  ms: number;
  longestTaskMs: number;
  longTasks: number;
  /** Longest animation frame (Long Animation Frames API, wall clock; 0 when no frame took 50 ms or more). */
  longestFrameMs: number;
  attribution: string[];
}

export interface BenchPageApi {
  /** A deliberate 80 ms task is reported by the Long Tasks API (run outside traced windows). */
  longTaskSelfTest(): Promise<boolean>;
  prepareImport(count: number): number;
  importProbe(): Promise<ImportBenchResult>;
  prepareLibrary(docs: number, chars: number): number;
  libraryProbe(): Promise<LibraryBenchResult>;
  runner(count: number): Promise<RunnerBenchResult>;
  /** Step by step (so the caller can read CPU time around each step): load and warm both paths, then one step at a time. */
  overheadOpen(options: { hubHost: string; id: string; maxTokens: number }): Promise<void>;
  /** One check() (`app`) or one direct generate() (`direct`): wall ms and generated tokens. */
  overheadStep(side: 'app' | 'direct'): Promise<OverheadStep>;
  overheadClose(): Promise<OverheadBenchResult>;
}
