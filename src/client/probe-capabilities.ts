/**
 * Measures what this device can do, once: WebGPU adapter and its info,
 * shader-f16, limits, storage estimate and persistence, cross-origin
 * isolation, threads. Every step is guarded: a missing API or a throwing
 * call is recorded in `probeNotes`, never thrown, so a browser without
 * WebGPU gets `webgpu.available: false` with a reason and the app offers
 * WASM models. Works on the page and in workers (it reads globalThis).
 */
import type { Capabilities } from '../protocol/capabilities';

/** A buggy driver can leave requestAdapter() pending forever; give up after this. */
export const ADAPTER_TIMEOUT_MS = 10_000;

type Bag = Record<string, unknown>;

function isBag(value: unknown): value is Bag {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function read(target: unknown, key: string): unknown {
  if (!isBag(target)) return undefined;
  try {
    return target[key];
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : 'unknown error';
}

/** Calls `target[key](...args)` when it is a function; returns undefined when it is missing. */
async function call(target: unknown, key: string, ...args: unknown[]): Promise<unknown> {
  const fn = read(target, key);
  if (typeof fn !== 'function') return undefined;
  return await Reflect.apply(fn, target, args);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(describe(error)));
      },
    );
  });
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return isBag(value) && typeof Reflect.get(value, Symbol.iterator) === 'function';
}

function readFeatures(adapter: unknown): string[] {
  const features = read(adapter, 'features');
  if (!isIterable(features)) return [];
  try {
    const out: string[] = [];
    for (const feature of features) if (typeof feature === 'string') out.push(feature);
    return out.sort();
  } catch {
    return [];
  }
}

function readLimit(adapter: unknown, key: string): number {
  return finiteOrNull(read(read(adapter, 'limits'), key)) ?? 0;
}

type WebGpuCapabilities = Capabilities['webgpu'];

const NO_LIMITS: WebGpuCapabilities['limits'] = { maxBufferSize: 0, maxStorageBufferBindingSize: 0, maxComputeWorkgroupStorageSize: 0 };

function unavailable(reason: string): WebGpuCapabilities {
  return { available: false, reason, shaderF16: false, features: [], limits: { ...NO_LIMITS } };
}

async function probeWebGpu(navigatorLike: unknown, notes: string[], timeoutMs: number): Promise<WebGpuCapabilities> {
  const gpu = read(navigatorLike, 'gpu');
  if (!isBag(gpu) || typeof read(gpu, 'requestAdapter') !== 'function') {
    return unavailable('This browser has no WebGPU (navigator.gpu is missing). Use a WASM model, or a recent Chrome or Edge.');
  }
  let adapter: unknown;
  try {
    adapter = await withTimeout(call(gpu, 'requestAdapter', { powerPreference: 'high-performance' }), timeoutMs, 'requestAdapter()');
  } catch (error) {
    notes.push(`requestAdapter failed: ${describe(error)}`);
    return unavailable(`WebGPU could not be started (${describe(error)}). Use a WASM model.`);
  }
  if (!isBag(adapter)) {
    return unavailable('No WebGPU adapter was found: the GPU may be disabled or blocklisted. Use a WASM model.');
  }
  let info = read(adapter, 'info');
  if (!isBag(info)) {
    // Browsers before adapter.info offered requestAdapterInfo().
    try {
      info = await withTimeout(call(adapter, 'requestAdapterInfo'), timeoutMs, 'requestAdapterInfo()');
    } catch (error) {
      notes.push(`requestAdapterInfo failed: ${describe(error)}`);
    }
  }
  const fallbackFlag = read(info, 'isFallbackAdapter') ?? read(adapter, 'isFallbackAdapter');
  const features = readFeatures(adapter);
  return {
    available: true,
    adapter: {
      vendor: text(read(info, 'vendor')),
      architecture: text(read(info, 'architecture')),
      device: text(read(info, 'device')),
      description: text(read(info, 'description')),
      isFallbackAdapter: fallbackFlag === true,
    },
    shaderF16: features.includes('shader-f16'),
    features,
    limits: {
      maxBufferSize: readLimit(adapter, 'maxBufferSize'),
      maxStorageBufferBindingSize: readLimit(adapter, 'maxStorageBufferBindingSize'),
      maxComputeWorkgroupStorageSize: readLimit(adapter, 'maxComputeWorkgroupStorageSize'),
    },
  };
}

async function probeStorage(navigatorLike: unknown, notes: string[]): Promise<Capabilities['storage']> {
  const storage = read(navigatorLike, 'storage');
  const out: Capabilities['storage'] = { usage: null, quota: null, persisted: null };
  if (!isBag(storage)) {
    notes.push('navigator.storage is missing');
    return out;
  }
  try {
    const estimate = await call(storage, 'estimate');
    out.usage = finiteOrNull(read(estimate, 'usage'));
    out.quota = finiteOrNull(read(estimate, 'quota'));
  } catch (error) {
    notes.push(`storage.estimate failed: ${describe(error)}`);
  }
  try {
    const persisted = await call(storage, 'persisted');
    out.persisted = typeof persisted === 'boolean' ? persisted : null;
  } catch (error) {
    notes.push(`storage.persisted failed: ${describe(error)}`);
  }
  return out;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (isBag(value)) {
    for (const key of Object.keys(value)) deepFreeze(value[key]);
    Object.freeze(value);
  }
  return value;
}

export interface MeasureOptions {
  /** Where navigator and crossOriginIsolated are read from; globalThis by default. */
  scope?: unknown;
  adapterTimeoutMs?: number;
}

/** Measures afresh, without memoising; the app calls `probeCapabilities` instead. */
export async function measureCapabilities(options: MeasureOptions = {}): Promise<Readonly<Capabilities>> {
  const scope = options.scope ?? globalThis;
  const notes: string[] = [];
  const navigatorLike = read(scope, 'navigator');
  if (!isBag(navigatorLike)) notes.push('navigator is missing');

  let webgpu: WebGpuCapabilities;
  try {
    webgpu = await probeWebGpu(navigatorLike, notes, options.adapterTimeoutMs ?? ADAPTER_TIMEOUT_MS);
  } catch (error) {
    notes.push(`WebGPU probe failed: ${describe(error)}`);
    webgpu = unavailable(`WebGPU could not be checked (${describe(error)}). Use a WASM model.`);
  }
  let storage: Capabilities['storage'];
  try {
    storage = await probeStorage(navigatorLike, notes);
  } catch (error) {
    notes.push(`storage probe failed: ${describe(error)}`);
    storage = { usage: null, quota: null, persisted: null };
  }
  const threads = finiteOrNull(read(navigatorLike, 'hardwareConcurrency'));
  const capabilities: Capabilities = {
    webgpu,
    storage,
    crossOriginIsolated: read(scope, 'crossOriginIsolated') === true,
    threads: threads !== null && threads >= 1 ? Math.floor(threads) : 1,
    deviceMemoryGiB: finiteOrNull(read(navigatorLike, 'deviceMemory')),
    userAgent: text(read(navigatorLike, 'userAgent')),
    probeNotes: notes,
  };
  return deepFreeze(capabilities);
}

let memo: Promise<Readonly<Capabilities>> | null = null;

/** The device's capabilities, measured on first call and shared afterwards. Never rejects. */
export function probeCapabilities(): Promise<Readonly<Capabilities>> {
  memo ??= measureCapabilities();
  return memo;
}
