/**
 * MEDEC's sentence list ("<id> <sentence>" a line, in the "Sentences"
 * column) placed in the item text, so a predicted span can be named by the
 * sentence id that MEDIQA-CORR scores, and a sentence id turned back into a
 * span. In the raw data some sentences run over several lines; a line only
 * starts a new sentence when it begins with the next id in sequence.
 */
import { alignQuote } from '../align';

export interface ListedSentence {
  id: string;
  text: string;
}

/** A sentence of the item text: [start, end) in UTF-16 code units. */
export interface PlacedSentence {
  id: string;
  start: number;
  end: number;
}

export function parseSentenceList(list: string): ListedSentence[] {
  const out: ListedSentence[] = [];
  for (const line of list.split(/\r?\n/)) {
    const m = /^(\d+)\s(.*)$/.exec(line);
    const expected = out.length === 0 ? null : String(Number(out[out.length - 1]?.id) + 1);
    if (m && (expected === null || m[1] === expected)) {
      out.push({ id: m[1] as string, text: (m[2] as string).trim() });
      continue;
    }
    const last = out[out.length - 1];
    if (last && line.trim() !== '') last.text = `${last.text} ${line.trim()}`.trim();
  }
  return out;
}

/**
 * Places each listed sentence in the text, in order: a sentence runs from
 * where its first words are found to where the next sentence starts (the
 * last one to the end of the text), trailing white space trimmed. A
 * sentence that cannot be found is left out; its words then fall inside its
 * predecessor, which is the closest honest answer.
 */
export function placeSentences(text: string, list: readonly ListedSentence[]): PlacedSentence[] {
  const starts: { id: string; start: number }[] = [];
  let cursor = 0;
  for (const s of list) {
    if (s.text === '') continue;
    const head = s.text.slice(0, Math.min(s.text.length, 24));
    let at = text.indexOf(head, cursor);
    if (at < 0) {
      const a = alignQuote(text.slice(cursor), s.text);
      at = a ? cursor + a.start : -1;
    }
    if (at < 0) continue;
    starts.push({ id: s.id, start: at });
    cursor = at + 1;
  }
  const out: PlacedSentence[] = [];
  starts.forEach((s, i) => {
    let end = starts[i + 1]?.start ?? text.length;
    while (end > s.start && /\s/.test(text[end - 1] ?? '')) end--;
    if (end > s.start) out.push({ id: s.id, start: s.start, end });
  });
  return out;
}

/** The sentence that overlaps [start, end) most (the first on a tie); undefined when none does. */
export function sentenceAt(sentences: readonly PlacedSentence[], start: number, end: number): PlacedSentence | undefined {
  let best: PlacedSentence | undefined;
  let bestOverlap = 0;
  for (const s of sentences) {
    const overlap = Math.min(end, s.end) - Math.max(start, s.start);
    if (overlap > bestOverlap) {
      best = s;
      bestOverlap = overlap;
    }
  }
  return best;
}
