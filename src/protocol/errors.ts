/**
 * Typed errors shared by the page, the workers and Node. Errors cross the
 * worker boundary as plain `SerializedError` objects and are rebuilt on the
 * other side with `deserializeError`, never as bare strings.
 */

/** The closed list of error codes. Every code has a remedy the UI can offer. */
export const ERROR_CODES = [
  'ABORTED',
  'BAD_REQUEST',
  'UNKNOWN_METHOD',
  'WORKER_CRASHED',
  'WORKER_TIMEOUT',
  'MODEL_NOT_LOADED',
  'NO_WEBGPU',
  'NO_SHADER_F16',
  'DEVICE_LOST',
  'OUT_OF_MEMORY',
  'QUOTA_EXCEEDED',
  'NETWORK',
  'NOT_FOUND',
  'HASH_MISMATCH',
  'CORRUPT_CACHE',
  'DOWNLOAD_FORBIDDEN',
  'BAD_CONFIG',
  'BAD_INPUT',
  'PARSE_FAILED',
  'STORAGE',
  'UNSUPPORTED',
  'INTERNAL',
  // Inference servers (OpenAI-compatible engine)
  'AUTH',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'TIMEOUT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** What the user can do about an error; the UI maps each to a button or hint. */
export type Remedy =
  | 'retry'
  | 'use-wasm'
  | 'use-f32'
  | 'use-smaller-model'
  | 'reload-engine'
  | 'free-storage'
  | 'resume-or-remove'
  | 'reinstall'
  | 'check-config'
  | 'fix-input'
  | 'report'
  | 'none';

export const REMEDY_BY_CODE: Readonly<Record<ErrorCode, Remedy>> = {
  ABORTED: 'none',
  BAD_REQUEST: 'report',
  UNKNOWN_METHOD: 'report',
  WORKER_CRASHED: 'retry',
  WORKER_TIMEOUT: 'retry',
  MODEL_NOT_LOADED: 'retry',
  NO_WEBGPU: 'use-wasm',
  NO_SHADER_F16: 'use-f32',
  DEVICE_LOST: 'reload-engine',
  OUT_OF_MEMORY: 'use-smaller-model',
  QUOTA_EXCEEDED: 'free-storage',
  NETWORK: 'resume-or-remove',
  NOT_FOUND: 'check-config',
  HASH_MISMATCH: 'reinstall',
  CORRUPT_CACHE: 'reinstall',
  DOWNLOAD_FORBIDDEN: 'check-config',
  BAD_CONFIG: 'check-config',
  BAD_INPUT: 'fix-input',
  PARSE_FAILED: 'retry',
  STORAGE: 'free-storage',
  UNSUPPORTED: 'use-wasm',
  INTERNAL: 'report',
  AUTH: 'check-config',
  RATE_LIMITED: 'retry',
  SERVER_ERROR: 'retry',
  TIMEOUT: 'retry',
};

export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class MedfactError extends Error {
  override readonly name: string = 'MedfactError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }

  get remedy(): Remedy {
    return REMEDY_BY_CODE[this.code];
  }

  toJSON(): SerializedError {
    return serializeError(this);
  }
}

/** Rejection value of every cancelled operation; the UI ignores it quietly. */
export class AbortError extends MedfactError {
  override readonly name = 'AbortError';
  constructor(message = 'The operation was cancelled.') {
    super('ABORTED', message);
  }
}

export function isAbortError(error: unknown): boolean {
  if (error instanceof MedfactError) return error.code === 'ABORTED';
  return error instanceof Error && error.name === 'AbortError';
}

/** Throws an AbortError when the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

/** Waits `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function plainDetails(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  try {
    // structured-clone-safe copy: drops functions, keeps data
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Classifies anything thrown (library errors, strings WebLLM rejects with,
 * DOMExceptions) into a typed error. Message text is inspected only to pick a
 * code; it is never user text.
 */
/**
 * The one table that turns library and platform error text into a code, for
 * the main thread (toMedfactError) and the engine workers
 * (classifyEngineError) alike, so a lost device is a lost device everywhere.
 * Most specific first; messages matched are library text, never user text.
 */
export const ERROR_TEXT_PATTERNS: readonly (readonly [ErrorCode, RegExp])[] = [
  ['QUOTA_EXCEEDED', /QuotaExceeded|quota/i],
  ['DOWNLOAD_FORBIDDEN', /Refused to download|DOWNLOAD_FORBIDDEN/],
  ['NOT_FOUND', /ModelFileNotFoundError|Could not locate file|file was not found|\b404\b|Not Found/i],
  ['NO_SHADER_F16', /shader-f16|ShaderF16|f16 not supported/i],
  ['DEVICE_LOST', /device (was |is )?lost|DeviceLost|GPUDeviceLostInfo/i],
  [
    'NO_WEBGPU',
    /WebGPUNotAvailable|Unable to find a compatible GPU|compatible GPU|Failed to get GPU adapter|navigator\.gpu|requestAdapter|webgpu.*(not (available|supported)|unavailable)|no available backend found.*webgpu/i,
  ],
  ['BAD_CONFIG', /no available backend found/i],
  ['OUT_OF_MEMORY', /out of memory|OutOfMemory|allocation failed|Failed to allocate|std::bad_alloc|Array buffer allocation|Cannot allocate/i],
  ['NETWORK', /Failed to fetch|NetworkError|ECONNREFUSED|ECONNRESET|fetch failed|socket hang up|\bnetwork\b|terminated/i],
];

/** The code that error text names, if any (see ERROR_TEXT_PATTERNS). */
export function codeFromText(text: string): ErrorCode | undefined {
  for (const [code, pattern] of ERROR_TEXT_PATTERNS) if (pattern.test(text)) return code;
  return undefined;
}

export function toMedfactError(error: unknown): MedfactError {
  if (error instanceof MedfactError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new AbortError(error.message);
  const message =
    typeof error === 'string'
      ? error
      : error instanceof Error
        ? error.message
        : (() => {
            try {
              return JSON.stringify(error);
            } catch {
              return String(error);
            }
          })();
  const name = error instanceof Error ? error.name : '';
  const code: ErrorCode = codeFromText(`${name} ${message}`) ?? 'INTERNAL';
  return new MedfactError(code, message || 'Unknown error', plainDetails({ originalName: name || typeof error }));
}

export function serializeError(error: unknown): SerializedError {
  const e = toMedfactError(error);
  const out: SerializedError = { name: e.name, code: e.code, message: e.message };
  if (e.details) out.details = e.details;
  return out;
}

/** Rebuilds a typed error from its serialized form; an unknown code becomes INTERNAL. */
export function deserializeError(value: unknown): MedfactError {
  if (value && typeof value === 'object') {
    const v = value as Partial<SerializedError>;
    const code = isErrorCode(v.code) ? v.code : 'INTERNAL';
    const message = typeof v.message === 'string' ? v.message : 'Unknown error';
    if (code === 'ABORTED') return new AbortError(message);
    return new MedfactError(code, message, plainDetails(v.details));
  }
  return toMedfactError(value);
}
