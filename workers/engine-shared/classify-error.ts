import { AbortError, codeFromText, MedfactError, toMedfactError } from '../../src/protocol/errors';

/**
 * Model libraries fail in many shapes: Errors, DOMExceptions, and (WebLLM's
 * web-worker engine) plain strings. This picks a typed code from the shape
 * first and the message text second; messages are library text, never user
 * text.
 */
export interface ClassifyContext {
  /** what was being done, for the message: "load", "generate", "score" */
  phase: 'load' | 'generate' | 'score' | 'unload';
  device?: string;
  modelId?: string;
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return '';
}

function nameOf(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') return error.name;
  return '';
}

/** Walks `cause` chains: transformers.js sometimes wraps the fetch failure. */
function findMedfactError(error: unknown, depth = 0): MedfactError | undefined {
  if (error instanceof MedfactError) return error;
  if (depth > 4 || !(error instanceof Error)) return undefined;
  return findMedfactError((error as Error & { cause?: unknown }).cause, depth + 1);
}

export function classifyEngineError(error: unknown, context: ClassifyContext): MedfactError {
  const typed = findMedfactError(error);
  if (typed) return typed;
  const name = nameOf(error);
  const message = messageOf(error);
  const text = `${name} ${message}`;
  const where = context.modelId ? ` (${context.modelId})` : '';

  if (name === 'AbortError') return new AbortError();
  // The code comes from the one shared table; only the wording here knows the engine's context.
  const library = message.slice(0, 500);
  switch (codeFromText(text)) {
    case 'NOT_FOUND':
      return new MedfactError('NOT_FOUND', `A model file is missing on the model source${where}. Check the model id, revision and mirror address.`, { phase: context.phase, library });
    case 'DOWNLOAD_FORBIDDEN':
      return new MedfactError('DOWNLOAD_FORBIDDEN', message, { phase: context.phase });
    case 'NO_SHADER_F16':
      return new MedfactError('NO_SHADER_F16', `This GPU cannot run 16-bit float shaders${where}. Choose a q4f32 build of the model.`, { phase: context.phase });
    case 'DEVICE_LOST':
      return new MedfactError('DEVICE_LOST', 'The GPU device was lost (driver reset or memory pressure). Reload the model engine to continue.', { phase: context.phase });
    case 'NO_WEBGPU':
      return new MedfactError('NO_WEBGPU', `WebGPU is not available here${where}. Choose the WASM (CPU) build of a model instead.`, { phase: context.phase, library });
    case 'BAD_CONFIG':
      return new MedfactError(
        'BAD_CONFIG',
        `The ONNX runtime could not start on device "${context.device ?? 'unknown'}". Its WebAssembly files may be missing from the app build; reinstall the app or try another device.`,
        { phase: context.phase, library },
      );
    case 'OUT_OF_MEMORY':
      return new MedfactError('OUT_OF_MEMORY', `Not enough memory to run this model${where}. Choose a smaller model or close other tabs.`, { phase: context.phase });
    case 'NETWORK':
      return new MedfactError('NETWORK', 'The model download failed (network). Check the connection and resume, or remove the partial download.', { phase: context.phase });
    default:
      break;
  }
  return toMedfactError(typeof error === 'string' || error instanceof Error ? error : message || error);
}
