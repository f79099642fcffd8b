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
  const text = `${name} ${message}`;
  const code: ErrorCode = /QuotaExceeded|quota/i.test(text)
    ? 'QUOTA_EXCEEDED'
    : /shader-f16|f16 not supported|ShaderF16/i.test(text)
      ? 'NO_SHADER_F16'
      : /device (was )?lost|DeviceLost/i.test(text)
        ? 'DEVICE_LOST'
        : /out of memory|OutOfMemory|allocation failed|Failed to allocate/i.test(text)
          ? 'OUT_OF_MEMORY'
          : /WebGPU|compatible GPU|navigator\.gpu|requestAdapter/i.test(text)
            ? 'NO_WEBGPU'
            : /Failed to fetch|NetworkError|network|ECONNRESET|socket hang up|terminated/i.test(text)
              ? 'NETWORK'
              : 'INTERNAL';
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
