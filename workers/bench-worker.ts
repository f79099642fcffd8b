/**
 * The benchmark's module worker: the run loop, the engines it drives and the
 * IndexedDB writes all live here, so the page only shows progress. Each
 * engine library is imported only when a run's model needs it.
 */
import type { EngineKind, ModelEngine } from '../src/protocol/engine';
import { serveBench } from './bench/serve-bench';

async function createEngine(kind: EngineKind): Promise<ModelEngine> {
  switch (kind) {
    case 'transformers': {
      const { createTransformersEngine } = await import('./transformers-engine');
      return createTransformersEngine();
    }
    case 'webllm': {
      const { createWebLLMEngine } = await import('./webllm-engine');
      return createWebLLMEngine();
    }
    case 'openai': {
      // The base URL comes with the load spec (source.hubHost); an API key is given per session.
      const { createOpenAIEngine } = await import('./openai-engine');
      return createOpenAIEngine();
    }
  }
}

// `self` is typed for the page (lib DOM); in this file it is the worker scope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
serveBench(scope, { createEngine });
