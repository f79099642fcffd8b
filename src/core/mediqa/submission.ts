/**
 * The MEDIQA-CORR 2024 run submission format, one text a line:
 *   <text_id> <error_flag> <error_sentence_id> <corrected_sentence>
 * with "0 -1 NA" for a text without error. Read the way the official
 * evaluation script (abachaa/MEDIQA-CORR-2024, evaluation/) reads it, so our
 * numbers agree with it: a line must match
 *   [a-z0-9-]+ <space> [0-9]+ <space> -?[0-9]+ <space> anything
 * or it is skipped; fields are split on white space; surrounding double
 * quotes are removed from the correction; flag 0 forces the correction to
 * NA; for an id given twice the last line counts. One deliberate difference:
 * a flag other than 0 or 1 (which that script keeps but can never match) is
 * reported as an error for its line.
 */
import type { PredictionIssue } from '../predictions';

export interface MediqaRow {
  id: string;
  /** '1' has an error, '0' none; compared as text, as the official script does. */
  flag: string;
  /** The error sentence id, '-1' for none; compared as text. */
  sentenceId: string;
  /** The corrected sentence, or 'NA'. */
  correction: string;
}

export interface MediqaLine extends MediqaRow {
  line: number;
}

const OFFICIAL_LINE = /^[a-z0-9-]+\s[0-9]+\s-?[0-9]+\s.+$/;
const LOOSE_LINE = /^\S+\s+\d+\s+-?\d+(\s|$)/;

/** True when the first non-empty line reads as a submission line rather than JSON. */
export function looksLikeMediqaSubmission(head: string): boolean {
  const first = head
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  return first !== undefined && !first.startsWith('{') && !first.startsWith('[') && LOOSE_LINE.test(first);
}

export function parseMediqaSubmission(text: string): { lines: MediqaLine[]; issues: PredictionIssue[] } {
  const lines: MediqaLine[] = [];
  const issues: PredictionIssue[] = [];
  text.replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const line = i + 1;
      const s = raw.trim();
      if (s === '') return;
      if (!OFFICIAL_LINE.test(s)) {
        issues.push({
          line,
          skipped: true,
          message:
            'not a MEDIQA-CORR submission line "<text_id> <flag> <sentence_id> <corrected sentence or NA>" (ids are lower-case letters, digits and hyphens; flag and sentence id are whole numbers); the official script skips it too, so the text counts as wrong',
        });
        return;
      }
      const parts = s.split(/\s+/);
      const [id, flag, sentenceId] = parts as [string, string, string];
      let correction = parts.slice(3).join(' ').trim();
      while (correction.startsWith('"') && correction.length > 1) correction = correction.slice(1);
      while (correction.endsWith('"') && correction.length > 1) correction = correction.slice(0, -1);
      if (flag !== '0' && flag !== '1') {
        issues.push({ line, skipped: true, message: `id ${id}: error flag "${flag}" is neither 0 nor 1; line skipped (the text counts as wrong)` });
        return;
      }
      lines.push({ id, flag, sentenceId, correction: flag === '0' ? 'NA' : correction, line });
    });
  return { lines, issues };
}

/** True when the official script would read this id (lower-case letters, digits, hyphens). */
export function isOfficialId(id: string): boolean {
  return /^[a-z0-9-]+$/.test(id);
}

/** A submission file: one line per row, corrections on one line. */
export function writeMediqaSubmission(rows: Iterable<MediqaRow>): string {
  let out = '';
  for (const r of rows) {
    const correction = r.flag === '0' ? 'NA' : r.correction.replace(/\s+/g, ' ').trim() || 'NA';
    out += `${r.id} ${r.flag} ${r.flag === '0' ? '-1' : r.sentenceId} ${correction}\n`;
  }
  return out;
}
