/**
 * The main-thread proxy of a declared worker API: one function per declared
 * method, each a typed `client.request`. Derived from the declaration
 * (src/protocol/declare-protocol.ts), so a new method needs no client code.
 */
import { noParams } from '../protocol/messages';
import type { Declarations, MethodsOf, ProxyOf } from '../protocol/declare-protocol';
import type { RequestOptions, WorkerClient } from './worker-client';

type Options = RequestOptions<MethodsOf<Declarations>, string>;

/** Keeps only what a request takes, so callers' extra option keys never reach postMessage. */
function requestOptions(options: Options | undefined): Options {
  if (!options) return {};
  const { signal, onProgress, onChunk } = options;
  return { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}), ...(onChunk ? { onChunk } : {}) };
}

export function createWorkerProxy<D extends Declarations>(client: WorkerClient<MethodsOf<D>>, declarations: D): ProxyOf<D> {
  // The generic client's request is typed per method; this loop calls it by name.
  const request = client.request as unknown as (method: string, params: unknown, options: Options) => Promise<unknown>;
  const proxy: Record<string, unknown> = {};
  for (const [method, declaration] of Object.entries(declarations)) {
    proxy[method] =
      declaration.params === noParams
        ? (options?: Options) => request(method, undefined, requestOptions(options))
        : (params: unknown, options?: Options) => request(method, params, requestOptions(options));
  }
  return proxy as ProxyOf<D>;
}
