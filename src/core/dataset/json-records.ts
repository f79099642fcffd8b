/**
 * Streams the records of a JSON document without parsing it whole: either a
 * top-level array, or the first array of objects inside a top-level object
 * ({"data": [...]}). Each record is parsed on its own, so one bad record is
 * reported with its number instead of failing the file.
 */
import { MedfactError } from '../../protocol/errors';

export type JsonRecord = { index: number; value: unknown } | { index: number; error: string };

/** Deepest nesting accepted in a record; deeper ones are rejected with a message, never a stack overflow. */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed value nests deeper than `limit` (iterative, so it cannot overflow the stack itself). */
export function nestingExceeds(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Most records are flat (no value is an object): answered without building the stack.
  if (limit >= 1 && isFlat(value)) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
  return false;
}

function isFlat(value: object): boolean {
  if (Array.isArray(value)) {
    for (const c of value) if (typeof c === 'object' && c !== null) return false;
    return true;
  }
  for (const k in value) {
    const c = (value as Record<string, unknown>)[k];
    if (typeof c === 'object' && c !== null) return false;
  }
  return true;
}

export class JsonRecordSplitter {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private root: 'unknown' | 'array' | 'object' | 'sequence' = 'unknown';
  /** The current record nests deeper than MAX_JSON_DEPTH. */
  private tooDeep = false;
  /** Something followed the end of the top-level array; it was ignored. */
  trailing = false;
  /** Depth at which array elements are records; null while none is open. */
  private recordDepth: number | null = null;
  private elementStart = -1;
  private done = false;
  private index = 0;
  // Wrapper-object bookkeeping (depth 1 of the root object).
  private keyStart = -1;
  private lastKey: string | undefined;
  private expectValue = false;
  private checkFirstElement = false;
  /** The key of the wrapper object that held the records. */
  key: string | undefined;

  /**
   * `sequence`: records are top-level values one after another (pretty-printed
   * objects saved as .jsonl), not elements of one array.
   */
  constructor(options: { sequence?: boolean } = {}) {
    if (options.sequence) this.root = 'sequence';
  }

  push(chunk: string): JsonRecord[] {
    this.buf += chunk;
    const out: JsonRecord[] = [];
    const s = this.buf;
    for (let i = this.pos; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.lastKey = safeParseString(s.slice(this.keyStart, i + 1));
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) continue;
      if (this.root === 'sequence') {
        if (this.depth === 0) {
          if (c !== 0x7b) throw new MedfactError('BAD_INPUT', `Expected a JSON object ({...}) to start record ${this.index + 1}, found "${String.fromCharCode(c)}".`);
          this.elementStart = i;
        }
        if (c === 0x22) this.inString = true;
        else if (c === 0x7b || c === 0x5b) {
          this.depth++;
          if (this.depth > MAX_JSON_DEPTH) this.tooDeep = true;
        } else if (c === 0x7d || c === 0x5d) {
          this.depth--;
          if (this.depth === 0) this.emit(s, i + 1, out);
        }
        continue;
      }
      if (this.done && this.root === 'array') {
        // Content after the array (a second document, a stray character): the records are kept; it is reported.
        this.trailing = true;
        break;
      }
      if (this.root === 'unknown') {
        if (c === 0x5b) {
          this.root = 'array';
          this.recordDepth = 1;
          this.depth = 1;
          continue;
        }
        if (c === 0x7b) {
          this.root = 'object';
          this.depth = 1;
          continue;
        }
        throw new MedfactError('BAD_INPUT', 'This JSON file is neither an array of records nor an object holding one.');
      }
      const atRecordLevel = this.recordDepth !== null && this.depth === this.recordDepth;
      if (atRecordLevel && this.elementStart < 0 && c !== 0x2c && c !== 0x5d) {
        if (this.checkFirstElement) {
          this.checkFirstElement = false;
          if (c !== 0x7b) {
            // An array of non-objects (e.g. column names): not the records.
            this.recordDepth = null;
            this.key = undefined;
          }
        }
        if (this.recordDepth !== null) this.elementStart = i;
      }
      if (this.root === 'object' && this.depth === 1 && this.recordDepth === null) {
        if (c === 0x22 && !this.expectValue) this.keyStart = i;
        else if (c === 0x3a) this.expectValue = true;
        else if (this.expectValue) {
          this.expectValue = false;
          if (c === 0x5b && this.key === undefined && !this.done) {
            this.recordDepth = 2;
            this.key = this.lastKey ?? '';
            this.checkFirstElement = true;
          }
        }
      }
      if (c === 0x22) {
        this.inString = true;
      } else if (c === 0x7b || c === 0x5b) {
        this.depth++;
        if (this.recordDepth !== null && this.depth - this.recordDepth > MAX_JSON_DEPTH) this.tooDeep = true;
      } else if (c === 0x7d || c === 0x5d) {
        if (c === 0x5d && this.recordDepth !== null && this.depth === this.recordDepth) {
          this.emit(s, i, out);
          this.recordDepth = null;
          this.done = this.root === 'array' || this.key !== undefined;
        }
        this.depth--;
      } else if (c === 0x2c && atRecordLevel) {
        this.emit(s, i, out);
      }
    }
    // Keep only the unfinished record.
    if (this.elementStart >= 0) {
      this.buf = s.slice(this.elementStart);
      this.pos = this.buf.length;
      this.elementStart = 0;
    } else if (this.keyStart >= 0) {
      this.buf = s.slice(this.keyStart);
      this.pos = this.buf.length;
      this.keyStart = 0;
    } else {
      this.buf = '';
      this.pos = 0;
    }
    return out;
  }

  /**
   * Call after the last chunk. A document cut short keeps every record read
   * so far: the unfinished one comes back as an error record. Throws only
   * when the file holds no records at all.
   */
  end(): JsonRecord[] {
    if (this.root === 'unknown') throw new MedfactError('BAD_INPUT', 'The JSON file is empty.');
    const cut = this.inString || this.depth !== 0;
    if (this.root === 'object' && this.key === undefined) {
      throw new MedfactError(
        'BAD_INPUT',
        cut
          ? 'The JSON file ends before any array of records was found (truncated file?).'
          : 'The JSON object holds no array of records; put the records in an array, e.g. {"data": [...]}.',
      );
    }
    if (cut && this.elementStart >= 0) {
      this.elementStart = -1;
      return [{ index: this.index + 1, error: 'the file ends in the middle of this record (cut short?); the records before it are kept' }];
    }
    return [];
  }

  private emit(s: string, i: number, out: JsonRecord[]): void {
    if (this.elementStart < 0) return;
    const raw = s.slice(this.elementStart, i);
    this.elementStart = -1;
    this.index++;
    if (this.tooDeep) {
      this.tooDeep = false;
      out.push({ index: this.index, error: `it is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it` });
      return;
    }
    try {
      out.push({ index: this.index, value: JSON.parse(raw) as unknown });
    } catch (e) {
      out.push({ index: this.index, error: e instanceof Error ? e.message : 'invalid JSON' });
    }
  }
}

function safeParseString(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}
