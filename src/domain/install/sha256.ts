/**
 * SHA-256 of a file without holding it in memory at once: the blob is read
 * as a stream and fed to an incremental hasher (@noble/hashes), so a 1 GB
 * weights file costs one stream chunk of memory, not 1 GB. Small files use
 * the native crypto.subtle digest, which is faster.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MedfactError, throwIfAborted } from '../../protocol/errors';

/** Below this size the whole file is digested natively in one call. */
export const NATIVE_DIGEST_LIMIT = 64 * 1024 * 1024;

export async function sha256Hex(blob: Blob, signal?: AbortSignal): Promise<string> {
  if (blob.size <= NATIVE_DIGEST_LIMIT && typeof crypto !== 'undefined' && crypto.subtle) {
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    return bytesToHex(new Uint8Array(digest));
  }
  const hasher = sha256.create();
  const reader = blob.stream().getReader();
  for (;;) {
    throwIfAborted(signal);
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
  }
  return bytesToHex(hasher.digest());
}

export function hashMismatch(file: string, expected: string, actual: string): MedfactError {
  return new MedfactError(
    'HASH_MISMATCH',
    `The file ${file} does not match its published SHA-256 and was refused. It may be corrupted or tampered with: remove it and install again, or ask the mirror's administrator.`,
    { file, expected, actual },
  );
}
