/**
 * Byte sources and streaming text decoding that work alike in the page, in a
 * Web Worker and in Node: a Blob/File (or Node's fs.openAsBlob), an async
 * iterable of Uint8Array chunks, or bytes already in memory.
 */
import { MedfactError, throwIfAborted } from '../../protocol/errors';
import { sniffBytes, Utf32Decoder, Utf8Analyzer } from './sniff';
import type { DecodingInfo, TextEncodingName } from './types';

/** The parts of Blob/File the importer uses. */
export interface BlobLike {
  readonly size: number;
  readonly name?: string;
  stream(): ReadableStream<Uint8Array>;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
  /**
   * Optional: the same chunks as stream() gives, handed over without a
   * ReadableStream, for bytes already in memory (the CLI's dataset read,
   * src/cli/memory-source.ts): a stream's promise round trip per 64 KiB chunk
   * was ~60 ms of a 57 MB import. Chunks may be views of one buffer (no copy).
   */
  chunks?(): Iterable<Uint8Array>;
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
  if (isBlobLike(source) && source.chunks) {
    for (const chunk of source.chunks()) {
      throwIfAborted(signal);
      if (chunk.byteLength > 0) yield chunk;
    }
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
  return joinBytes(parts, total);
}

/** The parts copied into one new array of `total` bytes. */
function joinBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
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
  /** With `encoding`: how the choice was made, in words (kept in DecodingInfo.note). */
  note?: string;
  /** With `encoding`: the decision already knows some bytes are invalid; decode leniently. */
  lossy?: boolean;
}

/**
 * Chooses the decoding of a file from its first bytes: byte-order marks,
 * UTF-16/UTF-32 recognised by their zero bytes, else strict UTF-8, else
 * GB18030. A first guess only: the importer confirms it on the whole file
 * (decideTextEncoding) before it trusts a non-UTF-8 reading.
 */
export function sniffEncoding(head: Uint8Array): DecodingInfo {
  const kind = sniffBytes(head);
  if (kind.kind === 'text' && kind.encoding !== 'undecided') {
    return { encoding: kind.encoding, bom: kind.bom > 0, lossy: false, note: kind.note };
  }
  if (validIn('utf-8', head)) return { encoding: 'utf-8', bom: false, lossy: false, note: 'UTF-8' };
  if (validIn('gb18030', head)) {
    return { encoding: 'gb18030', bom: false, lossy: false, note: 'not valid UTF-8; decoded as GB18030 (GBK-compatible)' };
  }
  return { encoding: 'utf-8', bom: false, lossy: true, note: 'neither valid UTF-8 nor GB18030; invalid bytes replaced with U+FFFD' };
}

function validIn(encoding: string, bytes: Uint8Array): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * UTF-8 or GB18030, decided on every byte of the file (not its head): a
 * UTF-8 file with a few bad bytes, or cut in the middle of its last
 * character, stays UTF-8 and says where; only a file whose non-ASCII bytes
 * are mostly not UTF-8 is read as GB18030.
 */
export async function decideTextEncoding(source: ByteSource, signal?: AbortSignal): Promise<DecodingInfo> {
  const analyzer = new Utf8Analyzer();
  // GB18030 read leniently: how many bytes it cannot place, against how many Chinese characters it finds.
  const gb = new TextDecoder('gb18030', { fatal: false });
  let gbErrors = 0;
  let gbHan = 0;
  const count = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0xfffd) gbErrors++;
      else if (c >= 0x4e00 && c <= 0x9fff) gbHan++;
    }
  };
  for await (const chunk of readChunks(source, signal)) {
    analyzer.push(chunk);
    count(gb.decode(chunk, { stream: true }));
  }
  count(gb.decode(new Uint8Array(0)));
  const a = analyzer.end();
  const cut = a.truncatedAt === null ? '' : `; the file ends in the middle of a character at byte ${a.truncatedAt} (cut short, e.g. an interrupted download?), so its last character is replaced with �`;
  if (a.invalid === 0) return { encoding: 'utf-8', bom: false, lossy: a.truncatedAt !== null, note: `UTF-8${cut}` };
  if (a.invalid > a.multibyte) {
    // Not UTF-8. GB18030 when it reads the bytes as Chinese almost everywhere; otherwise a Western single-byte file.
    if (gbHan > 0 && gbErrors <= gbHan / 100) {
      const lossy = gbErrors > 0;
      return {
        encoding: 'gb18030',
        bom: false,
        lossy,
        note: `not UTF-8 (${a.invalid} invalid UTF-8 sequences against ${a.multibyte} valid multi-byte characters); decoded as GB18030 (GBK-compatible)${lossy ? `; ${gbErrors} bytes are not valid GB18030 either and were replaced with �` : ''}`,
      };
    }
    return {
      encoding: 'windows-1252',
      bom: false,
      lossy: false,
      note: `neither UTF-8 nor GB18030 (${gbErrors} bytes GB18030 cannot read); decoded as Windows-1252 (Latin-1); if Chinese text looks wrong, re-save the file as UTF-8`,
    };
  }
  const where = a.invalidOffsets.join(', ') + (a.invalid > a.invalidOffsets.length ? ', …' : '');
  return {
    encoding: 'utf-8',
    bom: false,
    lossy: true,
    note: `UTF-8 with ${a.invalid} invalid byte sequence${a.invalid === 1 ? '' : 's'} (at byte${a.invalid === 1 ? '' : 's'} ${where}), replaced with �; the other ${a.multibyte} multi-byte characters are valid UTF-8, so the file was kept as UTF-8${cut}`,
  };
}

/**
 * Decodes a byte source to text chunks. Without a forced encoding the head
 * decides (sniffEncoding); `info` is filled in before the first chunk is
 * yielded and updated if decoding turns lossy.
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
  const sniffed = sniffEncoding(head.subarray(0, SNIFF_BYTES));
  const chosen: DecodingInfo = options.encoding
    ? { encoding: options.encoding, bom: sniffed.encoding === options.encoding && sniffed.bom, lossy: false, note: options.note ?? `${options.encoding} (chosen by the caller)` }
    : sniffed;
  Object.assign(info, chosen);
  if (options.lossy) info.lossy = true;
  // A head that is not clean UTF-8 is only a hint: let the caller decide on the whole file.
  if (!options.encoding && options.restartOnInvalid && info.encoding !== 'utf-8' && !info.bom && !info.encoding.startsWith('utf-')) {
    throw new EncodingRestart('the head is not UTF-8');
  }
  if (!options.encoding && options.restartOnInvalid && info.encoding === 'utf-8' && info.lossy) throw new EncodingRestart('the head is not UTF-8');

  let decodeChunk: (bytes: Uint8Array, last: boolean) => string;
  if (info.encoding === 'utf-32le' || info.encoding === 'utf-32be') {
    const utf32 = new Utf32Decoder(info.encoding === 'utf-32le');
    let skipBom = info.bom;
    decodeChunk = (bytes, last) => {
      let text = utf32.decode(bytes, last);
      if (skipBom && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        skipBom = false;
      }
      if (utf32.invalid > 0 && !info.lossy) {
        info.lossy = true;
        info.note += '; some 4-byte units are not characters and were replaced with �';
      }
      return text;
    };
  } else {
    const label = info.encoding === 'binary' ? 'utf-8' : info.encoding;
    // A decision already known to be lossy decodes leniently from the start.
    let decoder = new TextDecoder(label, { fatal: !info.lossy });
    decodeChunk = (bytes, last) => {
      try {
        return decoder.decode(bytes, { stream: !last });
      } catch {
        if (info.encoding === 'utf-8' && options.restartOnInvalid) throw new EncodingRestart('invalid UTF-8 somewhere in the file');
        info.lossy = true;
        info.note += `; invalid bytes after byte ${bytesRead - bytes.byteLength} replaced with �`;
        decoder = new TextDecoder(label, { fatal: false });
        return decoder.decode(bytes, { stream: !last });
      }
    };
  }

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

/** Decompresses a gzip source into a Blob (DecompressionStream exists in browsers, workers and Node 18+). */
export async function gunzip(source: ByteSource, signal?: AbortSignal): Promise<Blob> {
  if (typeof DecompressionStream === 'undefined') {
    throw new MedfactError('UNSUPPORTED', 'This browser cannot decompress gzip files; decompress the file first.');
  }
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const parts: Uint8Array[] = [];
  const reading = (async () => {
    const reader = stream.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parts.push(value);
    }
  })();
  try {
    // A copy of each chunk: the stream may take the buffer over, and a chunk can be a view of the caller's bytes.
    for await (const chunk of readChunks(source, signal)) await writer.write(chunk.slice() as Uint8Array<ArrayBuffer>);
    await writer.close();
    await reading;
  } catch (e) {
    if (e instanceof MedfactError) throw e;
    reading.catch(() => undefined);
    throw new MedfactError('BAD_INPUT', 'The gzip-compressed file is damaged or cut short, so it cannot be decompressed; download or copy it again.');
  }
  return new Blob(parts as Uint8Array<ArrayBuffer>[]);
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  return joinBytes(parts, total);
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
