/**
 * Stable short hash (FNV-1a, 32-bit, over UTF-16 code units) for provenance
 * ids such as a prompt template's hash. Not cryptographic; no dependency.
 */
export function shortHash(input: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
