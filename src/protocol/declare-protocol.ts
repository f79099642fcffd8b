/**
 * A worker API is declared once: one object mapping each method name to its
 * validators (`params`, `result`, and `progress` / `chunk` when it streams).
 * Everything else is derived from that object, the way squoosh derives its
 * worker API from one set of types:
 * - the method map (`MethodsOf`) that types the generic client and server;
 * - the implementation's type (`ImplementationOf`: e.g. ModelEngine), with
 *   the methods marked `optional` left optional;
 * - the main-thread proxy's type (`ProxyOf`) and the proxy itself
 *   (src/client/worker-proxy.ts);
 * - the worker's handlers that forward each call to an implementation
 *   (`forwardHandlers`).
 * So adding a method means one entry here plus its implementation.
 */
import type { MethodMapBase, MethodSpec, Parser } from './messages';
import { noParams } from './messages';
import type { Handler, HandlerContext, Handlers } from './worker-server';

/** One method as declared. `optional`: an implementation may leave it out (the server then falls back or refuses). */
export interface MethodDeclaration {
  params: Parser<unknown>;
  result: Parser<unknown>;
  progress?: Parser<unknown>;
  chunk?: Parser<unknown>;
  optional?: boolean;
}

export type Declarations = Record<string, MethodDeclaration>;

/** The type a validator yields. */
export type Parsed<P> = P extends { parse(value: unknown): infer T } ? T : never;
type StreamOf<D, Key extends 'progress' | 'chunk'> = D extends { [K in Key]: infer P } ? Parsed<P> : never;

/** The method map a declaration stands for. */
export type MethodsOf<D extends Declarations> = {
  [K in keyof D]: MethodSpec<Parsed<D[K]['params']>, Parsed<D[K]['result']>, StreamOf<D[K], 'progress'>, StreamOf<D[K], 'chunk'>>;
};

/** What a call takes besides its params: a signal, and a callback for what the method streams. */
export type CallOptionsOf<S extends MethodSpec<unknown, unknown, unknown, unknown>> = { signal?: AbortSignal } & ([S['progress']] extends [never]
  ? unknown
  : { onProgress?: (progress: S['progress']) => void }) &
  ([S['chunk']] extends [never] ? unknown : { onChunk?: (chunk: S['chunk']) => void });

/** A method as an implementation and the proxy expose it; a method without params takes only options. */
export type MethodFunction<S extends MethodSpec<unknown, unknown, unknown, unknown>> = [S['params']] extends [undefined]
  ? (options?: CallOptionsOf<S>) => Promise<[S['result']] extends [undefined] ? void : S['result']>
  : (params: S['params'], options?: CallOptionsOf<S>) => Promise<[S['result']] extends [undefined] ? void : S['result']>;

type Flatten<T> = { [K in keyof T]: T[K] };
type OptionalKeys<D extends Declarations> = { [K in keyof D]: D[K] extends { optional: true } ? K : never }[keyof D];

/** The object that implements a declared API (e.g. ModelEngine): optional methods may be missing. */
export type ImplementationOf<D extends Declarations> = Flatten<
  { [K in Exclude<keyof D, OptionalKeys<D>>]: MethodFunction<MethodsOf<D>[K]> } & {
    [K in OptionalKeys<D>]?: MethodFunction<MethodsOf<D>[K]>;
  }
>;

/** The main-thread proxy: every method, optional ones included, since the worker answers them all. */
export type ProxyOf<D extends Declarations> = { [K in keyof D]: MethodFunction<MethodsOf<D>[K]> };

/**
 * Declares a worker API. The identity at run time; the `const` type
 * parameter keeps each entry's validators (and `optional: true`) exact so the
 * types above can be derived from it.
 */
export function defineProtocol<const D extends Declarations>(declarations: D): D {
  return declarations;
}

/** What a forwarded call hands the implementation: the request's signal and its streams. */
function callOptions(context: HandlerContext<MethodMapBase, string>): { signal: AbortSignal; onProgress: (p: unknown) => void; onChunk: (c: unknown) => void } {
  return { signal: context.signal, onProgress: (p) => context.progress(p), onChunk: (c) => context.chunk(c) };
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * Worker handlers that forward every declared method to the implementation
 * `target()` returns at call time. A missing optional method is refused with
 * `unsupported(method)`; a server that can fall back overrides that handler.
 */
export function forwardHandlers<D extends Declarations>(
  declarations: D,
  target: () => ImplementationOf<D>,
  unsupported: (method: string) => Error,
): Handlers<MethodsOf<D>> {
  const handlers: Record<string, Handler<MethodMapBase, string>> = {};
  for (const [method, declaration] of Object.entries(declarations)) {
    handlers[method] = async (params, context) => {
      const implementation: Record<string, unknown> = target();
      const fn = implementation[method];
      if (typeof fn !== 'function') throw unsupported(method);
      const call = (fn as AnyMethod).bind(implementation);
      const result = declaration.params === noParams ? await call(callOptions(context)) : await call(params, callOptions(context));
      return result;
    };
  }
  // The loop above built one handler per declared method, each passing the
  // implementation's own typed result through; the map type cannot follow a loop.
  return handlers as unknown as Handlers<MethodsOf<D>>;
}
