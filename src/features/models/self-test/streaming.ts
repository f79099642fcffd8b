/**
 * Streaming check: every self-test generation is streamed, and the chunks
 * must arrive before the result and add up to exactly the result text. The
 * engine worker coalesces pieces (at most one message per 25 ms), so a short
 * or fast generation may arrive as a single chunk: the count is reported,
 * not required to exceed one.
 */
import type { GenerateChunk } from '../../../protocol/engine';

export interface StreamStats {
  /** Chunks received before the result. */
  chunks: number;
  /** Time from the call to the first chunk, or null when none came. */
  firstChunkMs: number | null;
  /** The first chunk came before the result (false when none came). */
  firstChunkBeforeResult: boolean;
  /** The chunks, concatenated, equal the result text. */
  concatMatches: boolean;
}

export interface StreamRecorder {
  onChunk: (chunk: GenerateChunk) => void;
  /** Call when the result arrives; later chunks are not counted. */
  finish: (resultText: string) => StreamStats;
}

export function createStreamRecorder(now: () => number): StreamRecorder {
  const started = now();
  const pieces: string[] = [];
  let firstAt: number | null = null;
  let done = false;
  return {
    onChunk(chunk) {
      if (done) return;
      firstAt ??= now();
      pieces.push(chunk.text);
    },
    finish(resultText) {
      done = true;
      return {
        chunks: pieces.length,
        firstChunkMs: firstAt === null ? null : firstAt - started,
        firstChunkBeforeResult: firstAt !== null,
        concatMatches: pieces.join('') === resultText,
      };
    },
  };
}

export interface StreamSummary {
  generations: number;
  totalChunks: number;
  /** Fewest chunks of any generation. */
  minChunks: number;
  /** Mean time to the first chunk over the generations that streamed. */
  meanFirstChunkMs: number | null;
  allConcatMatch: boolean;
  allFirstBeforeResult: boolean;
  /** Every generation streamed at least one chunk before its result, and the chunks add up to the result. */
  passed: boolean;
}

/** null when nothing was generated. An empty result streams nothing and still passes. */
export function summarizeStreaming(items: readonly { stats: StreamStats; text: string }[]): StreamSummary | null {
  if (items.length === 0) return null;
  const firsts = items.map((i) => i.stats.firstChunkMs).filter((v): v is number => v !== null);
  const allConcatMatch = items.every((i) => i.stats.concatMatches);
  const allFirstBeforeResult = items.every((i) => i.stats.firstChunkBeforeResult || i.text === '');
  return {
    generations: items.length,
    totalChunks: items.reduce((n, i) => n + i.stats.chunks, 0),
    minChunks: Math.min(...items.map((i) => i.stats.chunks)),
    meanFirstChunkMs: firsts.length === 0 ? null : firsts.reduce((a, b) => a + b, 0) / firsts.length,
    allConcatMatch,
    allFirstBeforeResult,
    passed: allConcatMatch && allFirstBeforeResult,
  };
}
