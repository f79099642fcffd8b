/**
 * `medfact score` can read a JSONL predictions file in a worker thread while
 * the main thread imports the dataset (issue 15; the predictions are about a
 * sixth of the work; see threadHelps for when it is worth it). The thread runs the same core reader
 * (readPredictions) and hands the result back packed (core/predictions-pack),
 * so the main thread rebuilds identical objects in a fraction of a parse.
 * Whenever the thread cannot run or help (fewer than 4 cores, no worker_threads,
 * a loader that cannot start this module, MEDFACT_SCORE_THREAD=0) the caller
 * reads the file in-process as before; errors of the reader itself come back as the same
 * errors. Loaded by dynamic import only, so that the bundle keeps it in a
 * chunk of its own that a worker can load without the CLI's entry point.
 */
import { openAsBlob } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { packedBuffers, packPredictions, unpackPredictions, type PackedPredictions } from '../core/predictions-pack';
import { readPredictions, type PredictionsReadResult } from '../core/predictions';
import type { DecodingInfo } from '../core/dataset/types';
import { MedfactError, type ErrorCode } from '../protocol/errors';

type ReadResult = PredictionsReadResult & { decoding: DecodingInfo };

interface ThreadInput {
  path: string;
}

type ThreadReply = { ok: true; packed: PackedPredictions } | { ok: false; name: string; code?: ErrorCode; message: string; details?: Record<string, unknown> | undefined };

export interface PredictionsAside {
  /** The read result; null when the thread could not do it (read in-process then). Reader errors reject as they would in-process. */
  result: Promise<ReadResult | null>;
  /** Ends the thread if it is still running (the command stopped early). */
  stop: () => void;
}

/**
 * Whether a worker thread can help: only with cores to spare beside the main
 * thread and its garbage collector's helpers. The thread moves about 0.3 s of
 * parsing off the main thread but costs about as much CPU again (its start-up,
 * packing, unpacking); on this project's 2-core machines that made the
 * command slower (measured at load 3–15: +0.35 s CPU, wall 1.76 → 2.09 s), so
 * there it is off by default. Not measured on more cores.
 * MEDFACT_SCORE_THREAD=1 or 0 decides instead.
 */
export function threadHelps(): boolean {
  const setting = process.env.MEDFACT_SCORE_THREAD;
  if (setting === '0') return false;
  if (setting === '1') return true;
  return availableParallelism() >= 4;
}

/** Starts reading `path` in a worker thread. */
export function readPredictionsAside(path: string): PredictionsAside {
  if (!threadHelps()) return { result: Promise.resolve(null), stop: () => undefined };
  let worker: Worker;
  try {
    // The worker imports this very module (a chunk of its own in the bundle; a .ts file under tsx, whose loader the worker inherits).
    worker = new Worker(`import(${JSON.stringify(import.meta.url)}).then((m) => m.predictionsThreadMain());`, {
      eval: true,
      workerData: { path } satisfies ThreadInput,
      stdout: false,
      stderr: false,
    });
  } catch {
    return { result: Promise.resolve(null), stop: () => undefined };
  }
  let settled = false;
  const result = new Promise<ReadResult | null>((resolve, reject) => {
    const done = (value: ReadResult | null | Error): void => {
      if (settled) return;
      settled = true;
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    worker.once('message', (reply: ThreadReply) => {
      if (reply.ok) done(unpackPredictions(reply.packed));
      else if (reply.name === 'MedfactError' && reply.code) done(new MedfactError(reply.code, reply.message, reply.details));
      else done(Object.assign(new Error(reply.message), { name: reply.name }));
    });
    // The thread could not start or load its module: the caller reads in-process.
    worker.once('error', () => done(null));
    worker.once('exit', () => done(null));
  });
  // Rejections are awaited later, after the dataset; never reported as unhandled meanwhile.
  result.catch(() => undefined);
  return {
    result,
    stop: () => {
      if (!settled) void worker.terminate();
    },
  };
}

/** Inside the worker thread: read, pack, post. */
export async function predictionsThreadMain(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const { path } = workerData as ThreadInput;
  try {
    const packed = packPredictions(await readPredictions(await openAsBlob(path)));
    port.postMessage({ ok: true, packed } satisfies ThreadReply, packedBuffers(packed));
  } catch (e) {
    const reply: ThreadReply =
      e instanceof MedfactError
        ? { ok: false, name: 'MedfactError', code: e.code, message: e.message, details: e.details }
        : { ok: false, name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
    port.postMessage(reply);
  }
}
