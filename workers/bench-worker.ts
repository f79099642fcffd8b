/**
 * The benchmark's module worker: the run loop, the engines it drives and the
 * IndexedDB writes all live here, so the page only shows progress. Engines
 * come from the shared factory, each library imported only when a run's
 * model needs it.
 */
import { serveBench } from './bench/serve-bench';
import { createEngine } from './engine-shared/create-engine';

// `self` is typed for the page (lib DOM); in this file it is the worker scope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
serveBench(scope, { createEngine });
