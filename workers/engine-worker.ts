/**
 * The model engine's module worker: it serves the engine named by the `load`
 * spec, created lazily by the shared factory.
 */
import { serveEngine } from '../src/protocol/serve-engine';
import { createEngine } from './engine-shared/create-engine';

// `self` is typed for the page (lib DOM); in this file it is the worker scope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
serveEngine(scope, createEngine);
