/**
 * Turns one raw row into a DatasetItem, or says exactly why it cannot.
 * Kept rows with a problem (unplaced gold, unknown label name) get warnings.
 */
import { alignQuote } from '../align';
import { normalizeDifficulty, normalizeErrorType, normalizeSpecialty, normalizeStyle, readLabel, type LabelPolarity } from './normalize-labels';
import type { DatasetItem, FieldMapping, GoldSpan, GoldUnit, RejectReason, RowWarning, WarningReason } from './types';

export interface BuildContext {
  mapping: FieldMapping;
  unit: GoldUnit;
  /** What a bare yes/no (1/0, true/false, 是/否) in the label column means; see readLabel. */
  labelPolarity: LabelPolarity;
  /** Mapped columns: every other key of a row is copied into `extra`. */
  mappedColumns: Set<string>;
  seenIds: Set<string>;
  /** Distinct label values that could not be read for lack of a polarity (for the mapping screen's question). */
  ambiguousLabels: Map<string, number>;
}

export type BuildOutcome =
  | { ok: true; item: DatasetItem; warnings: RowWarning[] }
  | { ok: false; reason: RejectReason; message: string; id?: string };

const EMPTY_MARKERS = /^(na|n\/a|null|none|nan|-|-1)$/i;

/** A cell as text: null → '', objects as JSON. */
export function cellToString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    // A value too deep or cyclic to write out: say so rather than fail the row.
    return '[unreadable value]';
  }
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

interface GoldInput {
  text: string;
  start: number | undefined;
  end: number | undefined;
  startRaw: string;
  endRaw: string;
}

function toInt(v: unknown): { value: number | undefined; raw: string } {
  const raw = cellToString(v).trim();
  if (raw === '' || EMPTY_MARKERS.test(raw)) return { value: undefined, raw: '' };
  const n = Number(raw);
  return { value: Number.isInteger(n) ? n : Number.NaN, raw };
}

/** Gold error(s) as given: a text, offsets, or (JSON) objects/arrays of {text,start,end}. */
function goldInputs(values: Record<string, unknown>, m: FieldMapping): GoldInput[] {
  const spanValue = m.errorSpan === undefined ? undefined : values[m.errorSpan];
  const structured = Array.isArray(spanValue) ? spanValue : spanValue !== null && typeof spanValue === 'object' && !(spanValue instanceof Date) ? [spanValue] : undefined;
  if (structured) {
    return structured.map((g): GoldInput => {
      if (typeof g === 'string') return { text: g, start: undefined, end: undefined, startRaw: '', endRaw: '' };
      const o = (g ?? {}) as Record<string, unknown>;
      const s = toInt(o.start ?? o.begin ?? o.char_start);
      const e = toInt(o.end ?? o.char_end);
      return { text: cellToString(o.text ?? o.span ?? o.error_text ?? ''), start: s.value, end: e.value, startRaw: s.raw, endRaw: e.raw };
    });
  }
  const text = cellToString(spanValue);
  const s = toInt(m.start === undefined ? undefined : values[m.start]);
  const e = toInt(m.end === undefined ? undefined : values[m.end]);
  const hasText = text.trim() !== '' && !EMPTY_MARKERS.test(text.trim());
  if (!hasText && s.value === undefined && e.value === undefined) return [];
  return [{ text: hasText ? text : '', start: s.value, end: e.value, startRaw: s.raw, endRaw: e.raw }];
}

/** The sentence with a given id from MEDEC's "Sentences" column ("<id> <sentence>" a line). */
function sentenceById(sentences: string, id: string): string | undefined {
  for (const line of sentences.split(/\r?\n/)) {
    const m = /^(\d+)\s(.*)$/.exec(line);
    if (m && m[1] === id) return m[2];
  }
  return undefined;
}

/** Module-level rather than a closure per row: this runs for every row of a 100 MB file. */
function addWarning(warnings: RowWarning[], row: number, id: string, reason: WarningReason, message: string): void {
  warnings.push({ row, id, reason, message });
}

export function buildItem(row: number, values: Record<string, unknown>, ctx: BuildContext): BuildOutcome {
  const m = ctx.mapping;
  const warnings: RowWarning[] = [];
  let id: string;
  if (m.id !== undefined) {
    id = cellToString(values[m.id]).trim();
    if (id === '') return { ok: false, reason: 'missing_id', message: `The id column "${m.id}" is empty in this row.` };
  } else {
    id = String(row);
  }
  if (ctx.seenIds.has(id)) return { ok: false, reason: 'duplicate_id', message: `The id "${clip(id)}" was already used by an earlier row; the first one is kept.`, id };

  const text = m.text === undefined ? '' : cellToString(values[m.text]);
  if (text.trim() === '') return { ok: false, reason: 'missing_text', message: `The text column "${m.text ?? 'text'}" is empty in this row.`, id };

  const golds = goldInputs(values, m);
  let hasError: boolean;
  if (m.label !== undefined) {
    const raw = values[m.label];
    const reading = readLabel(raw);
    if (reading.kind === 'empty') return { ok: false, reason: 'empty_label', message: `The label column "${m.label}" is empty in this row.`, id };
    if (reading.kind === 'unknown') {
      return { ok: false, reason: 'unparseable_label', message: `The label "${clip(cellToString(raw))}" is not understood; use 1/0, true/false, yes/no, 是/否, 有误/正确, correct/incorrect.`, id };
    }
    if (reading.kind === 'meaning') hasError = reading.hasError;
    else if (ctx.labelPolarity === 'error') hasError = reading.yes;
    else if (ctx.labelPolarity === 'correct') hasError = !reading.yes;
    else if (reading.numeric) hasError = reading.yes; // 1/0 and ±1 in a plain "label" column: 1 = has an error, the positive class
    else {
      const shown = clip(cellToString(raw));
      ctx.ambiguousLabels.set(shown, (ctx.ambiguousLabels.get(shown) ?? 0) + 1);
      return {
        ok: false,
        reason: 'ambiguous_label',
        message: `The label "${shown}" in column "${m.label}" could mean either "has an error" or "is correct"; say which value means "has an error" (import screen, or --label-error-value in the CLI).`,
        id,
      };
    }
  } else {
    hasError = golds.length > 0;
  }

  const correction = m.correction === undefined ? '' : cellToString(values[m.correction]).trim();
  let gold: GoldSpan[] = [];
  if (hasError) {
    for (const g of golds) {
      const placed = placeGold(text, g, correction, values, m, warnings, row, id);
      if (placed === 'bad_offsets') {
        return { ok: false, reason: 'bad_offsets', message: `The offsets [${g.startRaw || '?'}, ${g.endRaw || '?'}) are not whole numbers with 0 ≤ start < end ≤ ${text.length} (the text length).`, id };
      }
      // One span (the usual case) as a literal: a push onto [] reserves 17 slots, kept for the item's lifetime (issue 15).
      if (golds.length === 1) gold = [placed];
      else gold.push(placed);
    }
    if (gold.length === 0) addWarning(warnings, row, id, 'no_gold_span', 'Marked as erroneous but no gold error span is given; it counts for VC only.');
  } else if (golds.length > 0) {
    addWarning(warnings, row, id, 'gold_on_correct_text', 'Marked as correct but a gold error span is given; the span is ignored.');
  }

  let errorType: string | undefined;
  let specialty: string | undefined;
  let style: string | undefined;
  let difficulty: number | undefined;
  if (hasError && m.errorType !== undefined) {
    const t = normalizeErrorType(cellToString(values[m.errorType]));
    if (t) {
      errorType = t.code;
      if (!t.known) addWarning(warnings, row, id, 'unknown_error_type', `Unknown error type "${clip(t.code)}"; kept as written.`);
    }
  }
  if (m.specialty !== undefined) {
    const s = normalizeSpecialty(cellToString(values[m.specialty]));
    if (s) {
      specialty = s.code;
      if (!s.known) addWarning(warnings, row, id, 'unknown_specialty', `Unknown specialty "${clip(s.code)}"; kept as written.`);
    }
  }
  if (m.style !== undefined) {
    const s = normalizeStyle(cellToString(values[m.style]));
    if (s) {
      style = s.code;
      if (!s.known) addWarning(warnings, row, id, 'unknown_style', `Unknown writing style "${clip(s.code)}"; kept as written.`);
    }
  }
  if (m.difficulty !== undefined) {
    const d = normalizeDifficulty(values[m.difficulty]);
    if (d === null) addWarning(warnings, row, id, 'bad_difficulty', `Difficulty "${clip(cellToString(values[m.difficulty]))}" is not 1–5, a 20-point bin or a share; left empty.`);
    else if (d !== undefined) difficulty = d;
  }
  // The row's own keys, not every column seen so far: JSON rows that each bring new keys stay linear.
  let extra: Record<string, string> | undefined;
  for (const c in values) {
    if (ctx.mappedColumns.has(c)) continue;
    const v = cellToString(values[c]);
    if (v !== '') (extra ??= {})[c] = v;
  }
  const fields: OptionalFields = {
    errorType,
    specialty,
    style,
    difficulty,
    correction: hasError && correction !== '' && !EMPTY_MARKERS.test(correction) ? correction : undefined,
    extra,
  };
  const item = newItem(id, text, hasError, gold, ctx.unit, fields);
  ctx.seenIds.add(id);
  return { ok: true, item, warnings };
}

/** An item's optional fields; undefined ones are left out of the item. */
interface OptionalFields {
  errorType: string | undefined;
  specialty: string | undefined;
  style: string | undefined;
  difficulty: number | undefined;
  correction: string | undefined;
  extra: Record<string, string> | undefined;
}

/**
 * The item in one object literal for the usual shapes: a property added after
 * the object is made lives in a separate backing store, one more heap object
 * per item for the garbage collector to copy (issue 15). Other shapes are
 * built up field by field. The keys and their order are the same either way.
 */
function newItem(id: string, text: string, hasError: boolean, gold: GoldSpan[], unit: GoldUnit, f: OptionalFields): DatasetItem {
  const { errorType, specialty, style, difficulty, correction, extra } = f;
  if (extra === undefined && specialty !== undefined && style !== undefined && difficulty !== undefined) {
    if (errorType === undefined && correction === undefined) return { id, text, hasError, gold, unit, specialty, style, difficulty };
    if (errorType !== undefined && correction !== undefined) return { id, text, hasError, gold, unit, errorType, specialty, style, difficulty, correction };
  }
  const item: DatasetItem = { id, text, hasError, gold, unit };
  if (errorType !== undefined) item.errorType = errorType;
  if (specialty !== undefined) item.specialty = specialty;
  if (style !== undefined) item.style = style;
  if (difficulty !== undefined) item.difficulty = difficulty;
  if (correction !== undefined) item.correction = correction;
  if (extra !== undefined) item.extra = extra;
  return item;
}

function placeGold(
  text: string,
  g: GoldInput,
  correction: string,
  values: Record<string, unknown>,
  m: FieldMapping,
  warnings: RowWarning[],
  row: number,
  id: string,
): GoldSpan | 'bad_offsets' {
  const hasOffsets = g.start !== undefined || g.end !== undefined;
  if (hasOffsets) {
    let { start, end } = g;
    if (start === undefined || end === undefined || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > text.length) {
      return 'bad_offsets';
    }
    // Offsets inside a surrogate pair (an emoji, a rare CJK character) would cut a character in half: widen to whole characters.
    const splitsAt = (i: number): boolean => i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
    if (splitsAt(start) || splitsAt(end)) {
      const given = `[${start}, ${end})`;
      if (splitsAt(start)) start--;
      if (splitsAt(end)) end++;
      addWarning(warnings, row, id, 'offsets_split_character', `The offsets ${given} cut a character in half (UTF-16 surrogate pair); widened to [${start}, ${end}). Offsets are UTF-16 code units.`);
    }
    const slice = text.slice(start, end);
    if (g.text === '' || g.text === slice) return { start, end, text: slice, placed: true, approximate: false };
    // Offsets and text disagree: offsets are often in another unit (code points, bytes); trust the text when it can be placed.
    const aligned = alignQuote(text, g.text, correction || undefined);
    if (aligned) {
      addWarning(warnings, row, id, 'offsets_text_mismatch', `The offsets [${start}, ${end}) do not select the gold text; placed by the text at [${aligned.start}, ${aligned.end}).`);
      return { start: aligned.start, end: aligned.end, text: g.text, placed: true, approximate: !aligned.exact };
    }
    addWarning(warnings, row, id, 'offsets_text_mismatch', `The offsets [${start}, ${end}) do not select the gold text, which is not found in the text; the offsets are kept.`);
    return { start, end, text: g.text, placed: true, approximate: true };
  }
  let quote = g.text;
  let aligned = alignQuote(text, quote, correction || undefined);
  if (!aligned && m.sentences !== undefined && m.errorSentenceId !== undefined) {
    // MEDEC: fall back to the sentence listed under the error sentence id.
    const listed = sentenceById(cellToString(values[m.sentences]), cellToString(values[m.errorSentenceId]).trim());
    if (listed) {
      aligned = alignQuote(text, listed);
      if (aligned) quote = listed;
    }
  }
  if (!aligned) {
    addWarning(warnings, row, id, 'gold_not_placed', `The gold error "${clip(g.text)}" was not found in the text; it is kept unplaced and left out of localization scores.`);
    return { start: -1, end: -1, text: g.text, placed: false, approximate: false };
  }
  if (!aligned.exact) addWarning(warnings, row, id, 'gold_approximate', `The gold error "${clip(quote)}" matched the text only approximately at [${aligned.start}, ${aligned.end}).`);
  if (aligned.ambiguous) addWarning(warnings, row, id, 'gold_ambiguous', `The gold error "${clip(quote)}" occurs more than once; the first occurrence is used.`);
  return { start: aligned.start, end: aligned.end, text: g.text, placed: true, approximate: !aligned.exact };
}
