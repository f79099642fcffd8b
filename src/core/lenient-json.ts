/**
 * A lenient JSON reader for model output. Hand-written rather than a repair
 * library because the caller must know exactly which repairs were needed
 * (they are stored with every result) and must be able to keep the complete
 * part of an answer cut off by the token limit.
 *
 * Accepted beyond strict JSON, each recorded as a repair:
 * trailing commas, missing commas, single-quoted and “smart”-quoted strings,
 * unquoted keys, Python literals (True/False/None), raw line breaks inside
 * strings, unescaped inner double quotes (a `"` not followed by a structural
 * character is content), full-width structural punctuation (｛｝［］：，),
 * and end of input inside any structure (everything open is closed).
 */

export type JsonRepair =
  | 'trailing_comma'
  | 'missing_comma'
  | 'single_quotes'
  | 'smart_quotes'
  | 'unquoted_keys'
  | 'python_literals'
  | 'control_chars'
  | 'inner_quotes'
  | 'fullwidth_punctuation'
  | 'truncated';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface LenientParse {
  value: JsonValue;
  /** Index just after the value in the input. */
  end: number;
  repairs: Set<JsonRepair>;
  /** True when the input ended inside the value. */
  truncated: boolean;
  /** Objects and arrays left open by the end of input. */
  incomplete: WeakSet<object>;
  /** Per object, the keys whose string value was cut by the end of input. */
  cutKeys: WeakMap<object, Set<string>>;
}

const OPEN_OBJ = new Set(['{', '｛']);
const CLOSE_OBJ = new Set(['}', '｝']);
const OPEN_ARR = new Set(['[', '［']);
const CLOSE_ARR = new Set([']', '］']);
const COMMA = new Set([',', '，']);
const COLON = new Set([':', '：']);
const FULLWIDTH = new Set(['｛', '｝', '［', '］', '，', '：']);
const STRUCTURAL_AFTER_STRING = new Set([',', '}', ']', ':', '，', '｝', '］', '：']);

class Reader {
  i: number;
  readonly repairs = new Set<JsonRepair>();
  truncated = false;
  readonly incomplete = new WeakSet<object>();
  readonly cutKeys = new WeakMap<object, Set<string>>();
  private lastStringCut = false;
  private depth = 0;

  constructor(
    readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  private eof(): boolean {
    return this.i >= this.s.length;
  }

  private skipWs(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3000 || c === 0xa0 || c === 0xfeff) this.i++;
      else break;
    }
  }

  private note(c: string): void {
    if (FULLWIDTH.has(c)) this.repairs.add('fullwidth_punctuation');
  }

  value(): JsonValue {
    this.skipWs();
    if (this.eof()) {
      this.truncated = true;
      return null;
    }
    const c = this.s[this.i] ?? '';
    if (OPEN_OBJ.has(c)) return this.object();
    if (OPEN_ARR.has(c)) return this.array();
    if (c === '"') return this.string('"');
    if (c === "'") {
      this.repairs.add('single_quotes');
      return this.string("'");
    }
    if (c === '“') {
      this.repairs.add('smart_quotes');
      return this.string('”');
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    return this.bare();
  }

  /** The text ended inside this container: keep what was read, flagged as truncated. */
  private cutOff(container: JsonValue): void {
    this.truncated = true;
    if (container !== null && typeof container === 'object') this.incomplete.add(container);
    this.repairs.add('truncated');
  }

  private object(): JsonValue {
    const obj: { [key: string]: JsonValue } = {};
    this.items(obj, CLOSE_OBJ, CLOSE_ARR, () => {
      const key = this.key();
      this.skipWs();
      if (this.eof()) {
        this.cutOff(obj);
        return false;
      }
      const sep = this.s[this.i] ?? '';
      if (COLON.has(sep)) {
        this.note(sep);
        this.i++;
      }
      this.lastStringCut = false;
      obj[key] = this.value();
      if (this.lastStringCut) {
        const set = this.cutKeys.get(obj) ?? new Set<string>();
        set.add(key);
        this.cutKeys.set(obj, set);
        this.lastStringCut = false;
      }
      return true;
    });
    return obj;
  }

  private key(): string {
    const c = this.s[this.i] ?? '';
    if (c === '"' || c === "'" || c === '“') {
      const v = this.value();
      return typeof v === 'string' ? v : String(v);
    }
    this.repairs.add('unquoted_keys');
    const start = this.i;
    while (!this.eof()) {
      const d = this.s[this.i] ?? '';
      if (COLON.has(d) || COMMA.has(d) || CLOSE_OBJ.has(d) || /\s/.test(d)) break;
      this.i++;
    }
    return this.s.slice(start, this.i);
  }

  private array(): JsonValue {
    const arr: JsonValue[] = [];
    this.items(arr, CLOSE_ARR, CLOSE_OBJ, () => {
      arr.push(this.value());
      return true;
    });
    return arr;
  }

  /**
   * The loop objects and arrays share: separators, a trailing or missing
   * comma, the closing bracket (a stray one of the other kind also ends the
   * container), and the end of input. `entry` reads one member or element and
   * returns false when the input ended inside it.
   */
  private items(container: JsonValue[] | { [key: string]: JsonValue }, close: ReadonlySet<string>, stray: ReadonlySet<string>, entry: () => boolean): void {
    this.note(this.s[this.i] ?? '');
    this.i++;
    this.depth++;
    let expectingValue = true; // right after the opening bracket or a comma
    let sawComma = false;
    for (;;) {
      this.skipWs();
      if (this.eof()) {
        this.cutOff(container);
        break;
      }
      const c = this.s[this.i] ?? '';
      if (close.has(c)) {
        this.note(c);
        if (sawComma && expectingValue) this.repairs.add('trailing_comma');
        this.i++;
        break;
      }
      if (COMMA.has(c)) {
        this.note(c);
        this.i++;
        expectingValue = true;
        sawComma = true;
        continue;
      }
      if (stray.has(c)) {
        // A stray ']' where '}' belongs (or the reverse): treat it as the end of this container.
        this.i++;
        break;
      }
      if (!expectingValue) this.repairs.add('missing_comma');
      if (!entry()) break;
      if (this.truncated) {
        this.incomplete.add(container);
        break;
      }
      expectingValue = false;
      sawComma = false;
    }
    this.depth--;
  }

  private string(close: string): string {
    this.i++; // opening delimiter
    let out = '';
    const s = this.s;
    for (;;) {
      if (this.i >= s.length) {
        this.truncated = true;
        this.lastStringCut = true;
        this.repairs.add('truncated');
        return out;
      }
      const c = s[this.i] ?? '';
      if (c === '\\') {
        const n = s[this.i + 1];
        if (n === undefined) {
          this.i++;
          continue;
        }
        this.i += 2;
        switch (n) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'u': {
            const hex = s.slice(this.i, this.i + 4);
            if (/^[0-9a-fA-F]{4}$/.test(hex)) {
              out += String.fromCharCode(parseInt(hex, 16));
              this.i += 4;
            } else out += 'u';
            break;
          }
          default:
            out += n; // \" \\ \/ \' and unknown escapes keep the character
        }
        continue;
      }
      if (c === close || (close === '”' && c === '"')) {
        // Is this really the end? A closing mark must be followed by structure or the end.
        let j = this.i + 1;
        while (j < s.length && /[\s\u3000]/.test(s[j] ?? '')) j++;
        const next = s[j];
        if (next === undefined || STRUCTURAL_AFTER_STRING.has(next) || this.depth === 0) {
          this.i++;
          return out;
        }
        this.repairs.add('inner_quotes');
        out += c;
        this.i++;
        continue;
      }
      if (c === '\n' || c === '\r' || c === '\t') this.repairs.add('control_chars');
      out += c;
      this.i++;
    }
  }

  private number(): JsonValue {
    const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) return this.bare();
    this.i += m[0].length;
    return Number(m[0]);
  }

  /** A bare word: a literal, or an unquoted string up to the next structural character. */
  private bare(): JsonValue {
    const start = this.i;
    while (!this.eof()) {
      const d = this.s[this.i] ?? '';
      if (COMMA.has(d) || CLOSE_OBJ.has(d) || CLOSE_ARR.has(d) || d === '\n') break;
      this.i++;
    }
    const word = this.s.slice(start, this.i).trim();
    switch (word) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'True':
        this.repairs.add('python_literals');
        return true;
      case 'False':
        this.repairs.add('python_literals');
        return false;
      case 'None':
        this.repairs.add('python_literals');
        return null;
      default:
        this.repairs.add('unquoted_keys');
        if (this.eof()) {
          this.truncated = true;
          this.lastStringCut = true;
          this.repairs.add('truncated');
        }
        return word;
    }
  }
}

/** Reads one JSON value starting at `start` (which must be a `{` or `[`, full-width allowed). */
export function parseLenientJson(text: string, start: number): LenientParse {
  const r = new Reader(text, start);
  const value = r.value();
  return { value, end: r.i, repairs: r.repairs, truncated: r.truncated, incomplete: r.incomplete, cutKeys: r.cutKeys };
}
