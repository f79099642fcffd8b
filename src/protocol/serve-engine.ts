/**
 * Serves a ModelEngine over a port: the thin engine layer over the generic
 * worker server. Every declared method is forwarded to the loaded engine
 * (forwardHandlers); only what needs more than forwarding is written here:
 * - `load` picks the engine by the spec (`spec.engine`), so a worker can hold
 *   a transformers.js or a WebLLM engine; switching engines unloads the
 *   previous one. Load progress is made monotonic and always ends with
 *   `ready` at 1, whatever the engine reports.
 * - `generate` coalesces streamed pieces.
 * - `scoreBatch` falls back to `score` one by one for engines without it, so
 *   the page still pays one round trip per batch.
 */
import type { EngineKind, LoadProgress, ModelEngine } from './engine';
import { engineProtocol, type EngineMethods } from './engine-protocol';
import { forwardHandlers } from './declare-protocol';
import { MedfactError, throwIfAborted } from './errors';
import type { PortLike } from './messages';
import { scoreBatch } from './score-batch';
import { createWorkerServer, type WorkerServer } from './worker-server';

export type EngineFactory = (kind: EngineKind) => ModelEngine | Promise<ModelEngine>;

/** Clamps a progress event so the fraction never goes down. */
function clampProgress(event: LoadProgress, floor: number): LoadProgress {
  if (event.status === 'ready') return event;
  const progress = Math.min(1, Math.max(floor, Number.isFinite(event.progress) ? event.progress : floor));
  return { ...event, progress };
}

/** Longest a streamed piece waits in the worker before it is posted. */
export const CHUNK_INTERVAL_MS = 25;

export function serveEngine(port: PortLike, engineFactory: EngineFactory): WorkerServer {
  let current: { kind: EngineKind; engine: ModelEngine } | null = null;
  let loaded = false;

  function requireLoaded(): ModelEngine {
    if (!current || !loaded) {
      throw new MedfactError('MODEL_NOT_LOADED', 'No model is loaded in the engine. Load a model first.');
    }
    return current.engine;
  }

  return createWorkerServer<EngineMethods>(
    port,
    {
      ...forwardHandlers(engineProtocol, requireLoaded, (method) => new MedfactError('UNSUPPORTED', `This engine has no "${method}".`, { method })),
      async load(spec, { signal, progress }) {
        throwIfAborted(signal);
        if (current && current.kind !== spec.engine) {
          const previous = current;
          current = null;
          loaded = false;
          await previous.engine.unload();
        }
        if (!current) current = { kind: spec.engine, engine: await engineFactory(spec.engine) };
        throwIfAborted(signal);
        loaded = false;
        let floor = 0;
        let sawReady = false;
        const result = await current.engine.load(spec, {
          signal,
          onProgress(event) {
            if (sawReady) return;
            const clamped = clampProgress(event, floor);
            floor = clamped.progress;
            sawReady = clamped.status === 'ready';
            progress(clamped);
          },
        });
        if (!sawReady) progress({ status: 'ready', progress: 1 });
        loaded = true;
        return result;
      },
      async generate(params, { signal, chunk }) {
        // One message per token costs ~0.1 ms across threads; coalesce pieces
        // so at most one chunk crosses every CHUNK_INTERVAL_MS (the UI cannot
        // show them faster), and flush the rest before the result.
        let pending = '';
        let tokens = 0;
        let lastSent = -Infinity;
        const flush = () => {
          if (pending === '') return;
          chunk({ text: pending, tokens });
          pending = '';
          lastSent = Date.now();
        };
        try {
          return await requireLoaded().generate(params, {
            signal,
            onChunk(piece) {
              pending += piece.text;
              tokens = piece.tokens;
              if (Date.now() - lastSent >= CHUNK_INTERVAL_MS) flush();
            },
          });
        } finally {
          flush();
        }
      },
      scoreBatch(items, { signal, progress }) {
        return scoreBatch(requireLoaded(), items, { signal, onProgress: progress });
      },
      async unload(_params, { signal }) {
        loaded = false;
        if (current) await current.engine.unload({ signal });
        return undefined;
      },
    },
    engineProtocol,
  );
}
