/**
 * Terminal lines that say how a predictions file was read (coverage, the
 * missing-prediction and duplicate rules, warnings) and the MEDIQA-CORR
 * measures; placed under the header of the metrics report so nobody reads a
 * score without them.
 */
import type { PredictionCoverage } from '../core/metrics/coverage';
import type { MediqaMeasures } from '../core/mediqa';
import type { Interval } from '../core/metrics/stats-utils';

const f3 = (x: number): string => x.toFixed(3);
const ci = (i: Interval): string => `[${f3(i.low)}, ${f3(i.high)}]`;

export function formatCoverage(c: PredictionCoverage): string[] {
  const lines = [
    `predictions   ${c.predictions} read, ${c.rejected_lines} line(s) skipped as errors; ${c.matched} of ${c.dataset_items} dataset items have one, ${c.missing} missing (${(100 * c.missing_share).toFixed(1)}%), ${c.unknown} unknown id(s), ${c.duplicates.length} duplicate id(s)`,
    `missing rule  ${c.missing_rule}`,
    `duplicates    ${c.duplicate_rule}`,
  ];
  for (const d of c.duplicates.slice(0, 20)) lines.push(`  ${JSON.stringify(d.id)}: lines ${d.lines.join(', ')}; line ${d.used_line} used`);
  if (c.duplicates.length > 20) lines.push(`  … and ${c.duplicates.length - 20} more duplicate ids (all in --json)`);
  for (const w of c.warnings) lines.push(`WARNING: ${w}`);
  return lines;
}

export function formatMediqa(m: MediqaMeasures): string[] {
  return [
    'MEDIQA-CORR 2024 official measures (a text without a prediction counts as wrong)',
    `  error flag accuracy      ${f3(m.error_flag_accuracy)} ${ci(m.intervals.error_flag_accuracy)}  (${m.flag_correct}/${m.texts} texts)`,
    `  error sentence accuracy  ${f3(m.error_sentence_accuracy)} ${ci(m.intervals.error_sentence_accuracy)}  (${m.sentence_correct}/${m.texts} texts)`,
    `  texts without prediction ${m.missing}`,
  ];
}
