/**
 * What kind of bytes a file holds, decided before any parsing: compressed,
 * Parquet, some other binary format, or text in one of the Unicode encodings
 * (with or without a byte-order mark). Misreading here is silent downstream
 * (mojibake with the right row count), so every rule is conservative and
 * every decision is reported in words.
 */

export type ByteKind =
  | { kind: 'gzip' }
  | { kind: 'parquet' }
  | { kind: 'binary'; what: string }
  | { kind: 'text'; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be' | 'undecided'; bom: number; note: string };

const MAGIC: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an Excel .xlsx or Word .docx file is one)' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Office document (.xls/.doc)' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program (ELF)' },
  { bytes: [0x4d, 0x5a], what: 'a Windows program' },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2 archive' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz archive' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive' },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], what: 'an SQLite database' },
  { bytes: [0x00, 0x61, 0x73, 0x6d], what: 'a WebAssembly module' },
];

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  if (head.length < bytes.length) return false;
  return bytes.every((b, i) => head[i] === b);
}

/** Zero bytes at each position modulo 4 in the first bytes (how UTF-16/32 without a BOM shows). */
function zeroProfile(head: Uint8Array): { zeros: number[]; total: number[] } {
  const n = Math.min(head.length, 8192) & ~3;
  const zeros = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    total[i & 3]! += 1;
    if (head[i] === 0) zeros[i & 3]! += 1;
  }
  return { zeros, total };
}

/** Control characters other than tab, LF, CR, FF and ESC: rare in any text file. */
function controlShare(head: Uint8Array): number {
  const n = Math.min(head.length, 8192);
  if (n === 0) return 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) bad++;
  }
  return bad / n;
}

/** Whether the first bytes, read as `encoding`, are mostly letters, CJK, digits, punctuation and white space. */
function readsAsText(head: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): boolean {
  const text = new TextDecoder(encoding, { fatal: false }).decode(head.subarray(0, Math.min(head.length, 8192) & ~1));
  if (text.length === 0) return false;
  let plausible = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (
      (c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d ||
      (c >= 0xa0 && c < 0x250) || // Latin
      (c >= 0x2000 && c < 0x2070) || // general punctuation
      (c >= 0x3000 && c < 0x30ff) || // CJK punctuation, kana
      (c >= 0x3400 && c < 0x9fff) || // CJK
      (c >= 0xff00 && c < 0xffef) || // full-width forms
      (c >= 0x0370 && c < 0x03ff) // Greek (α, β in medicine)
    )
      plausible++;
  }
  return plausible / [...text].length > 0.9;
}

export function sniffBytes(head: Uint8Array): ByteKind {
  if (startsWith(head, [0x1f, 0x8b])) return { kind: 'gzip' };
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) return { kind: 'parquet' };
  // Byte-order marks: UTF-32 first (its LE mark starts like UTF-16's).
  if (startsWith(head, [0xff, 0xfe, 0x00, 0x00])) return { kind: 'text', encoding: 'utf-32le', bom: 4, note: 'UTF-32 LE (byte-order mark)' };
  if (startsWith(head, [0x00, 0x00, 0xfe, 0xff])) return { kind: 'text', encoding: 'utf-32be', bom: 4, note: 'UTF-32 BE (byte-order mark)' };
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { kind: 'text', encoding: 'utf-8', bom: 3, note: 'UTF-8 with byte-order mark' };
  if (startsWith(head, [0xff, 0xfe])) return { kind: 'text', encoding: 'utf-16le', bom: 2, note: 'UTF-16 LE (byte-order mark)' };
  if (startsWith(head, [0xfe, 0xff])) return { kind: 'text', encoding: 'utf-16be', bom: 2, note: 'UTF-16 BE (byte-order mark)' };
  for (const m of MAGIC) if (startsWith(head, m.bytes)) return { kind: 'binary', what: m.what };

  const { zeros, total } = zeroProfile(head);
  const share = (i: number): number => (total[i] ? zeros[i]! / total[i]! : 0);
  const anyZero = zeros.some((z) => z > 0);
  if (anyZero && total[0]! >= 2) {
    // UTF-32: every BMP character has two zero high bytes.
    if (share(2) > 0.95 && share(3) > 0.95 && share(0) < 0.5) return { kind: 'text', encoding: 'utf-32le', bom: 0, note: 'UTF-32 LE (no byte-order mark; recognised from its zero bytes)' };
    if (share(0) > 0.95 && share(1) > 0.95 && share(3) < 0.5) return { kind: 'text', encoding: 'utf-32be', bom: 0, note: 'UTF-32 BE (no byte-order mark; recognised from its zero bytes)' };
    // UTF-16: ASCII characters (delimiters, digits, keys) put a zero in their high byte.
    const odd = (share(1) + share(3)) / 2;
    const even = (share(0) + share(2)) / 2;
    // ASCII in UTF-16 puts zeros on one side; mostly-Chinese UTF-16 has few zeros (一 is 00 4E), so the text itself decides.
    const le = readsAsText(head, 'utf-16le');
    const be = readsAsText(head, 'utf-16be');
    const note = (order: string): string => `UTF-16 ${order} (no byte-order mark; recognised from its zero bytes)`;
    if (le && (!be || odd >= even)) return { kind: 'text', encoding: 'utf-16le', bom: 0, note: note('LE') };
    if (be) return { kind: 'text', encoding: 'utf-16be', bom: 0, note: note('BE') };
    return { kind: 'binary', what: 'binary data (it holds zero bytes that no text encoding explains)' };
  }
  if (controlShare(head) > 0.02) return { kind: 'binary', what: 'binary data (it holds many control bytes)' };
  const start = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (/^<!doctype html|^<html|^<\?xml|^<(head|body|table|div|p|svg)[\s>]/.test(start)) {
    return { kind: 'binary', what: start.startsWith('<?xml') ? 'an XML document' : 'a web page (HTML), e.g. an error page saved instead of the download' };
  }
  return { kind: 'text', encoding: 'undecided', bom: 0, note: '' };
}

/** Text of a UTF-32 file, chunk by chunk (TextDecoder has no UTF-32). */
export class Utf32Decoder {
  private carry = new Uint8Array(0);
  /** Code units that were not valid code points (replaced with U+FFFD). */
  invalid = 0;
  constructor(private readonly littleEndian: boolean) {}

  decode(chunk: Uint8Array, last: boolean): string {
    let bytes = chunk;
    if (this.carry.length > 0) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
    }
    const whole = bytes.length & ~3;
    const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
    const parts: string[] = [];
    let codes: number[] = [];
    for (let i = 0; i < whole; i += 4) {
      let cp = view.getUint32(i, this.littleEndian);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        cp = 0xfffd;
        this.invalid++;
      }
      codes.push(cp);
      if (codes.length >= 8192) {
        parts.push(String.fromCodePoint(...codes));
        codes = [];
      }
    }
    if (codes.length > 0) parts.push(String.fromCodePoint(...codes));
    this.carry = bytes.slice(whole);
    if (last && this.carry.length > 0) {
      this.invalid++;
      this.carry = new Uint8Array(0);
      parts.push('\uFFFD');
    }
    return parts.join('');
  }
}

export interface Utf8Analysis {
  /** Invalid byte sequences (a truncated last character is not counted here). */
  invalid: number;
  /** Byte offsets of the first invalid sequences. */
  invalidOffsets: number[];
  /** Valid multi-byte characters (Chinese text in UTF-8 is mostly these). */
  multibyte: number;
  /** The file ends inside a multi-byte character (a cut download). */
  truncatedAt: number | null;
}

/** Streaming UTF-8 validator that counts rather than stops, so the decision can rest on the whole file. */
export class Utf8Analyzer {
  private need = 0;
  private seqStart = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private offset = 0;
  readonly result: Utf8Analysis = { invalid: 0, invalidOffsets: [], multibyte: 0, truncatedAt: null };

  private bad(at: number): void {
    this.result.invalid++;
    if (this.result.invalidOffsets.length < 10) this.result.invalidOffsets.push(at);
  }

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const at = this.offset + i;
      if (this.need === 0) {
        if (b < 0x80) continue;
        this.seqStart = at;
        this.lower = 0x80;
        this.upper = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) this.need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.lower = 0xa0;
          if (b === 0xed) this.upper = 0x9f;
          this.need = 2;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.lower = 0x90;
          if (b === 0xf4) this.upper = 0x8f;
          this.need = 3;
        } else this.bad(at);
        continue;
      }
      if (b < this.lower || b > this.upper) {
        this.bad(this.seqStart);
        this.need = 0;
        i--; // re-read this byte as the start of something new
        continue;
      }
      this.lower = 0x80;
      this.upper = 0xbf;
      this.need--;
      if (this.need === 0) this.result.multibyte++;
    }
    this.offset += bytes.length;
  }

  end(): Utf8Analysis {
    if (this.need > 0) this.result.truncatedAt = this.seqStart;
    return this.result;
  }
}
