/**
 * Byte sources and streaming text decoding that work alike in the page, in a
 * Web Worker and in Node: a Blob/File (or Node's fs.openAsBlob), an async
 * iterable of Uint8Array chunks, or bytes already in memory.
 */
import { MedfactError, throwIfAborted } from '../../protocol/errors';
import type { DecodingInfo, TextEncodingName } from './types';

/** The parts of Blob/File the importer uses. */
export interface BlobLike {
  readonly size: number;
  readonly name?: string;
  stream(): ReadableStream<Uint8Array>;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export type ByteSource = BlobLike | AsyncIterable<Uint8Array> | Uint8Array | ArrayBuffer | string;

/** Bytes examined to choose an encoding before decoding starts. */
const SNIFF_BYTES = 64 * 1024;
/** In-memory sources are cut into chunks of this size so progress and yielding still happen. */
const MEMORY_CHUNK = 1024 * 1024;

export function isBlobLike(source: unknown): source is BlobLike {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as BlobLike).stream === 'function' &&
    typeof (source as BlobLike).slice === 'function' &&
    typeof (source as BlobLike).size === 'number'
  );
}

function isAsyncIterable(source: unknown): source is AsyncIterable<Uint8Array> {
  return typeof source === 'object' && source !== null && Symbol.asyncIterator in source;
}

/** Total size in bytes when known up front (for progress fractions). */
export function sourceSize(source: ByteSource): number | undefined {
  if (typeof source === 'string') return undefined;
  if (source instanceof Uint8Array) return source.byteLength;
  if (source instanceof ArrayBuffer) return source.byteLength;
  if (isBlobLike(source)) return source.size;
  return undefined;
}

/** A source can be read twice (needed to restart decoding with another encoding). */
export function isRestartable(source: ByteSource): boolean {
  return !isAsyncIterable(source) || isBlobLike(source);
}

/** Reads the source as a sequence of byte chunks. */
export async function* readChunks(source: ByteSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string') {
    yield* sliceChunks(new TextEncoder().encode(source));
    return;
  }
  if (source instanceof Uint8Array) {
    yield* sliceChunks(source);
    return;
  }
  if (source instanceof ArrayBuffer) {
    yield* sliceChunks(new Uint8Array(source));
    return;
  }
  if (isBlobLike(source)) {
    const reader = source.stream().getReader();
    try {
      for (;;) {
        throwIfAborted(signal);
        const { done, value } = await reader.read();
        if (done) return;
        if (value && value.byteLength > 0) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (isAsyncIterable(source)) {
    for await (const chunk of source) {
      throwIfAborted(signal);
      if (!(chunk instanceof Uint8Array)) {
        throw new MedfactError('BAD_INPUT', 'The file stream gave something other than bytes (Uint8Array chunks).');
      }
      if (chunk.byteLength > 0) yield chunk;
    }
    return;
  }
  throw new MedfactError('BAD_INPUT', 'Unsupported input: give a File/Blob, bytes, a string or a stream of Uint8Array chunks.');
}

function* sliceChunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += MEMORY_CHUNK) yield bytes.subarray(i, Math.min(bytes.byteLength, i + MEMORY_CHUNK));
}

/** Reads the whole source into one Uint8Array. */
export async function readAllBytes(source: ByteSource, signal?: AbortSignal): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of readChunks(source, signal)) {
    parts.push(chunk);
    total += chunk.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Thrown inside decodeText when UTF-8 turns out invalid after the sniffed head. */
export class EncodingRestart extends Error {
  override readonly name = 'EncodingRestart';
}

export interface DecodeOptions {
  /** Force an encoding (skips detection). */
  encoding?: TextEncodingName;
  signal?: AbortSignal;
  /** Called with the byte count read so far. */
  onBytes?: (bytesRead: number) => void;
  /**
   * When UTF-8 was chosen from the head but later bytes are invalid: true
   * throws EncodingRestart (the caller re-reads with GB18030); false goes on
   * with replacement characters and marks the decoding lossy.
   */
  restartOnInvalid?: boolean;
}

function hasPrefix(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function validIn(encoding: string, bytes: Uint8Array): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Chooses the decoding of a file from its first bytes. */
export function sniffEncoding(head: Uint8Array): DecodingInfo {
  if (hasPrefix(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bom: true, lossy: false, note: 'UTF-8 with byte-order mark' };
  if (hasPrefix(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bom: true, lossy: false, note: 'UTF-16 LE (byte-order mark)' };
  if (hasPrefix(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bom: true, lossy: false, note: 'UTF-16 BE (byte-order mark)' };
  if (validIn('utf-8', head)) return { encoding: 'utf-8', bom: false, lossy: false, note: 'UTF-8' };
  if (validIn('gb18030', head)) {
    return { encoding: 'gb18030', bom: false, lossy: false, note: 'not valid UTF-8; decoded as GB18030 (GBK-compatible)' };
  }
  return { encoding: 'utf-8', bom: false, lossy: true, note: 'neither valid UTF-8 nor GB18030; invalid bytes replaced with U+FFFD' };
}

/**
 * Decodes a byte source to text chunks. The encoding is chosen from the
 * first 64 KiB (BOM, then strict UTF-8, then GB18030); `info` is filled in
 * before the first chunk is yielded and updated if decoding turns lossy.
 */
export async function* decodeText(source: ByteSource, info: DecodingInfo, options: DecodeOptions = {}): AsyncGenerator<string> {
  const chunks = readChunks(source, options.signal);
  let bytesRead = 0;
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let exhausted = false;
  // Gather the head for sniffing.
  while (pendingBytes < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    pending.push(next.value);
    pendingBytes += next.value.byteLength;
  }
  const head = concat(pending, pendingBytes);
  const chosen: DecodingInfo = options.encoding
    ? { encoding: options.encoding, bom: false, lossy: false, note: `${options.encoding} (chosen by the caller)` }
    : sniffEncoding(head.subarray(0, SNIFF_BYTES));
  Object.assign(info, chosen);
  const label = info.encoding === 'binary' ? 'utf-8' : info.encoding;
  let decoder = new TextDecoder(label, { fatal: !info.lossy });

  const decodeChunk = (bytes: Uint8Array, last: boolean): string => {
    try {
      return decoder.decode(bytes, { stream: !last });
    } catch {
      if (info.encoding === 'utf-8' && options.restartOnInvalid) throw new EncodingRestart('invalid UTF-8 after the head');
      info.lossy = true;
      info.note += `; invalid bytes after byte ${bytesRead} replaced with U+FFFD`;
      decoder = new TextDecoder(label, { fatal: false });
      return decoder.decode(bytes, { stream: !last });
    }
  };

  bytesRead += head.byteLength;
  options.onBytes?.(bytesRead);
  const first = decodeChunk(head, exhausted);
  if (first) yield first;
  if (exhausted) return;
  for (;;) {
    const next = await chunks.next();
    if (next.done) break;
    bytesRead += next.value.byteLength;
    options.onBytes?.(bytesRead);
    const text = decodeChunk(next.value, false);
    if (text) yield text;
  }
  const tail = decodeChunk(new Uint8Array(0), true);
  if (tail) yield tail;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Reads the first bytes of a source without consuming a non-restartable one twice. */
export async function peekBytes(source: ByteSource, count: number): Promise<Uint8Array> {
  if (typeof source === 'string') return new TextEncoder().encode(source.slice(0, count));
  if (source instanceof Uint8Array) return source.subarray(0, count);
  if (source instanceof ArrayBuffer) return new Uint8Array(source, 0, Math.min(count, source.byteLength));
  if (isBlobLike(source)) return new Uint8Array(await source.slice(0, count).arrayBuffer());
  return new Uint8Array(0);
}

/** Hex SHA-256 via Web Crypto (browsers, workers and Node 20). */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new MedfactError('UNSUPPORTED', 'Web Crypto (crypto.subtle) is not available; use a secure context (https or localhost).');
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
