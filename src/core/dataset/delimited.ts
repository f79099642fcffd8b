/**
 * CSV/TSV records, fed text chunk by chunk, written for damaged files.
 *
 * Why not papaparse: a general CSV parser reads a broken quote the only way
 * the grammar allows (an unclosed quote runs to the end of the file), so one
 * bad field silently swallows every row after it, and it fixes the line
 * ending once for the whole file. Here:
 * - line endings are recognised per line (LF, CRLF and lone CR may mix);
 * - a quoted field that is malformed (text after its closing quote), never
 *   closed, implausibly long, or that swallows lines looking like whole
 *   records, costs only its own physical line: that line is re-read with
 *   quotes taken literally (kept when its field count fits the header,
 *   otherwise rejected with its line number), and parsing resumes on the
 *   next line;
 * - TSV files are read without quote processing unless they are really
 *   quoted (see `tsvIsQuoted`), so `"阿司匹林"是…` stays text.
 * Lines without a quote take a split() fast path.
 */

export type QuoteMode = 'quoted' | 'literal';

export interface DelimitedRecord {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  /** The record's quotes were malformed and it was re-read literally. */
  literal?: boolean;
}

/** A quoted field spanning more lines than this is taken as an unclosed quote. */
export const MAX_QUOTED_LINES = 200;
/** ... or more characters than this. */
export const MAX_QUOTED_CHARS = 256 * 1024;

type Parsed =
  | { status: 'ok'; fields: string[]; next: number; lines: number }
  | { status: 'incomplete' }
  | { status: 'malformed' };

function isBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}

/** Position after the line break at i (CRLF counts as one); i must be at \r or \n. */
function afterBreak(s: string, i: number): number {
  return s.charCodeAt(i) === 0x0d && s.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
}

/** Index of the next \r or \n at or after `from`, or -1. */
function nextBreak(s: string, from: number): number {
  const n = s.indexOf('\n', from);
  const r = s.indexOf('\r', from);
  if (n < 0) return r;
  if (r < 0) return n;
  return Math.min(n, r);
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a) n++;
    else if (c === 0x0d && s.charCodeAt(i + 1) !== 0x0a) n++;
  }
  return n;
}

export class DelimitedParser {
  private buf = '';
  private line = 1;
  private headerWidth = 0;

  constructor(
    private readonly delimiter: ',' | '\t' | ';',
    private readonly quotes: QuoteMode,
  ) {}

  /** The header's field count, once known: used to judge multi-line quoted fields. */
  setHeaderWidth(width: number): void {
    this.headerWidth = width;
  }

  push(chunk: string): DelimitedRecord[] {
    this.buf += chunk;
    return this.drain(false);
  }

  end(): DelimitedRecord[] {
    return this.drain(true);
  }

  private drain(final: boolean): DelimitedRecord[] {
    const out: DelimitedRecord[] = [];
    const s = this.buf;
    let p = 0;
    while (p < s.length) {
      // A lone \r at the end of a chunk may be the first half of CRLF.
      const parsed = this.parseRecord(s, p, final);
      if (parsed.status === 'incomplete') break;
      if (parsed.status === 'ok') {
        out.push({ fields: parsed.fields, line: this.line });
        this.line += parsed.lines;
        p = parsed.next;
        continue;
      }
      // Malformed: this physical line alone, quotes taken literally.
      const br = nextBreak(s, p);
      if (br < 0 && !final) break;
      const end = br < 0 ? s.length : br;
      if (br >= 0 && s.charCodeAt(br) === 0x0d && br === s.length - 1 && !final) break;
      out.push({ fields: s.slice(p, end).split(this.delimiter), line: this.line, literal: true });
      this.line += br < 0 ? 0 : 1;
      p = br < 0 ? s.length : afterBreak(s, br);
    }
    this.buf = s.slice(p);
    return out;
  }

  private parseRecord(s: string, p: number, final: boolean): Parsed {
    const d = this.delimiter;
    const dc = d.charCodeAt(0);
    // Fast path: the physical line holds no quote (or quotes are literal).
    const br = nextBreak(s, p);
    if (br < 0 && !final) return { status: 'incomplete' };
    const lineEnd = br < 0 ? s.length : br;
    if (br >= 0 && s.charCodeAt(br) === 0x0d && br === s.length - 1 && !final) return { status: 'incomplete' };
    const next = br < 0 ? s.length : afterBreak(s, br);
    const lineText = s.slice(p, lineEnd);
    if (this.quotes === 'literal' || lineText.indexOf('"') < 0) {
      return { status: 'ok', fields: lineText.split(d), next, lines: br < 0 ? 0 : 1 };
    }
    // Slow path: a field-by-field scan that may cross lines inside quotes.
    const fields: string[] = [];
    let i = p;
    let spannedLines = 0;
    for (;;) {
      if (s.charCodeAt(i) === 0x22) {
        let j = i + 1;
        let value = '';
        for (;;) {
          const k = s.indexOf('"', j);
          if (k < 0 || k - i > MAX_QUOTED_CHARS) {
            if (k < 0 && !final && s.length - i <= MAX_QUOTED_CHARS) return { status: 'incomplete' };
            return { status: 'malformed' };
          }
          if (s.charCodeAt(k + 1) === 0x22) {
            value += s.slice(j, k + 1);
            j = k + 2;
            continue;
          }
          if (k + 1 >= s.length && !final) return { status: 'incomplete' };
          value += s.slice(j, k);
          i = k + 1;
          break;
        }
        const inner = countBreaks(value);
        if (inner > 0) {
          spannedLines += inner;
          if (spannedLines > MAX_QUOTED_LINES || this.swallowsRecords(value)) return { status: 'malformed' };
        }
        fields.push(value);
        if (i >= s.length) return { status: 'ok', fields, next: i, lines: spannedLines };
        const c = s.charCodeAt(i);
        if (c === dc) {
          i++;
          continue;
        }
        if (isBreak(c)) {
          if (c === 0x0d && i === s.length - 1 && !final) return { status: 'incomplete' };
          return { status: 'ok', fields, next: afterBreak(s, i), lines: spannedLines + 1 };
        }
        return { status: 'malformed' };
      }
      // Unquoted field: up to the next delimiter or line break.
      let k = i;
      while (k < s.length) {
        const c = s.charCodeAt(k);
        if (c === dc || isBreak(c)) break;
        k++;
      }
      const value = s.slice(i, k);
      if (value.indexOf('"') >= 0 && spannedLines > 0) return { status: 'malformed' };
      fields.push(value);
      if (k >= s.length) {
        if (!final) return { status: 'incomplete' };
        return { status: 'ok', fields, next: k, lines: spannedLines };
      }
      const c = s.charCodeAt(k);
      if (c === dc) {
        i = k + 1;
        continue;
      }
      if (c === 0x0d && k === s.length - 1 && !final) return { status: 'incomplete' };
      return { status: 'ok', fields, next: afterBreak(s, k), lines: spannedLines + 1 };
    }
  }

  /** A quoted value holding a line that would be a whole record on its own is an unclosed quote, not text. */
  private swallowsRecords(value: string): boolean {
    if (this.headerWidth < 3) return false;
    const lines = value.split(/\r\n|\n|\r/);
    for (let i = 1; i < lines.length; i++) {
      if ((lines[i] ?? '').split(this.delimiter).length >= this.headerWidth) return true;
    }
    return false;
  }
}

/**
 * Whether a TSV file uses CSV-style quoting: some field in its first lines
 * starts with a quote, and every such field is a well-formed quoted field
 * (closing quote followed by a tab or a line end). Otherwise quotes are text.
 */
export function tsvIsQuoted(head: string): boolean {
  let wellFormed = 0;
  const lines = head.split(/\r\n|\n|\r/).slice(0, 200);
  let open = false;
  for (const line of lines) {
    const fields = line.split('\t');
    for (let f = 0; f < fields.length; f++) {
      let field = fields[f] ?? '';
      if (open) {
        // Continuation of a quoted field that spans lines.
        const close = field.replace(/""/g, '').indexOf('"');
        if (close < 0) continue;
        open = false;
        if (!/"\s*$/.test(field.replace(/""/g, ''))) return false;
        wellFormed++;
        continue;
      }
      if (!field.startsWith('"')) continue;
      field = field.slice(1).replace(/""/g, '');
      const close = field.indexOf('"');
      if (close < 0) {
        if (f === fields.length - 1) {
          open = true;
          continue;
        }
        return false;
      }
      if (close !== field.length - 1) return false;
      wellFormed++;
    }
  }
  return wellFormed > 0;
}
