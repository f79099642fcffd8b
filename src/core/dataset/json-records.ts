/**
 * Streams the records of a JSON document without parsing it whole: either a
 * top-level array, or the first array of objects inside a top-level object
 * ({"data": [...]}). Each record is parsed on its own, so one bad record is
 * reported with its number instead of failing the file.
 */
import { MedfactError } from '../../protocol/errors';

export type JsonRecord = { index: number; value: unknown } | { index: number; error: string };

export class JsonRecordSplitter {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private root: 'unknown' | 'array' | 'object' = 'unknown';
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
      if (this.done && this.root === 'array') throw new MedfactError('BAD_INPUT', 'Unexpected content after the end of the JSON array.');
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

  /** Call after the last chunk; throws when the document was cut short. */
  end(): void {
    if (this.root === 'unknown') throw new MedfactError('BAD_INPUT', 'The JSON file is empty.');
    if (this.root === 'object' && this.key === undefined) {
      throw new MedfactError('BAD_INPUT', 'The JSON object holds no array of records; put the records in an array, e.g. {"data": [...]}.');
    }
    if (this.inString || this.depth !== 0) throw new MedfactError('BAD_INPUT', 'The JSON file ends in the middle of a value (truncated file?).');
  }

  private emit(s: string, i: number, out: JsonRecord[]): void {
    if (this.elementStart < 0) return;
    const raw = s.slice(this.elementStart, i);
    this.elementStart = -1;
    this.index++;
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
