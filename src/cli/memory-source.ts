/**
 * A dataset file read into memory with one read and handed to the importer
 * as a Blob-like source that streams 64 KiB chunks, as fs.openAsBlob's Blob
 * does: the importer sees the same chunks (so it words every message the
 * same), but no longer waits for one thread-pool file read per chunk (870
 * round trips for a 57 MB file, while the other core runs the predictions
 * thread: the main thread sat idle for a third of the import). Files larger
 * than IN_MEMORY_LIMIT, or that cannot be read this way, stream from disk
 * as before.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BlobLike } from '../core/dataset/byte-source';

/** Largest file read into memory at once. */
export const IN_MEMORY_LIMIT = 512 * 1024 * 1024;
/** The chunk size of Node's file-backed Blob stream. */
const CHUNK = 64 * 1024;

/** `blob` (from fs.openAsBlob for `path`), or the same bytes from memory when the file is small enough. */
export function inMemory(path: string, blob: Blob): BlobLike {
  if (blob.size > IN_MEMORY_LIMIT) return blob;
  let bytes: Uint8Array;
  try {
    const buffer = readFileSync(path);
    // A plain Uint8Array view: Buffer's slice() shares memory, Uint8Array's copies (as the reads below need).
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch {
    return blob;
  }
  // Views, not copies (57 MB less to copy, and no ArrayBuffer per chunk): the importer's only reader that
  // takes chunk buffers over (gunzip, for DecompressionStream) copies them first.
  function* chunks(): Generator<Uint8Array> {
    for (let at = 0; at < bytes.byteLength; at += CHUNK) yield bytes.subarray(at, Math.min(bytes.byteLength, at + CHUNK));
  }
  return {
    size: bytes.byteLength,
    chunks,
    stream: () => {
      let at = 0;
      return new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (at >= bytes.byteLength) {
              controller.close();
              return;
            }
            const end = Math.min(bytes.byteLength, at + CHUNK);
            // A copy, as the file Blob gives: a reader may transfer a chunk's buffer (DecompressionStream does).
            controller.enqueue(bytes.slice(at, end));
            at = end;
          },
        },
        { highWaterMark: 0 },
      );
    },
    slice: (start?: number, end?: number) => {
      const part = bytes.slice(start ?? 0, end ?? bytes.byteLength);
      return { arrayBuffer: async () => part.buffer };
    },
  };
}

/** Node's SHA-256 of a string's UTF-8 bytes, for the importer's content hash (ImportOptions.sha256): no Web Crypto buffer per block. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
