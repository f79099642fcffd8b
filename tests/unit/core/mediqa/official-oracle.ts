/**
 * The MEDIQA-CORR 2024 accuracy definitions transcribed from the official
 * evaluation script (abachaa/MEDIQA-CORR-2024, evaluation/, parse_run_submission_file
 * and compute_accuracy), written independently of src/core/mediqa so the
 * tests compare our scorer with the official rule, not with itself.
 */
import Papa from 'papaparse';

export interface OracleReference {
  flags: Map<string, string>;
  sentenceIds: Map<string, string>;
}

/** parse_reference_file: str() of the Error Flag and Error Sentence ID cells (pandas reads them as integers). */
export function oracleReference(csv: string): OracleReference {
  const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
  const flags = new Map<string, string>();
  const sentenceIds = new Map<string, string>();
  for (const row of parsed.data) {
    const id = row['Text ID'] as string;
    flags.set(id, String(Number(row['Error Flag'])));
    sentenceIds.set(id, String(Number(row['Error Sentence ID'])));
  }
  return { flags, sentenceIds };
}

/** parse_run_submission_file + compute_accuracy. */
export function oracleAccuracy(ref: OracleReference, submission: string): { flag: number; sentence: number } {
  const flags = new Map<string, string>();
  const sids = new Map<string, string>();
  for (const raw of submission.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (!/^[a-z0-9-]+\s[0-9]+\s-?[0-9]+\s.+$/.test(line)) continue;
    const items = line.split(/\s+/);
    flags.set(items[0] as string, items[1] as string);
    sids.set(items[0] as string, items[2] as string);
  }
  let f = 0;
  let s = 0;
  for (const [id, flag] of ref.flags) if (flags.get(id) === flag) f++;
  for (const [id, sid] of ref.sentenceIds) if (sids.get(id) === sid) s++;
  return { flag: f / ref.flags.size, sentence: s / ref.sentenceIds.size };
}
