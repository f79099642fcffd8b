/**
 * Reads MEDEC's "Sentences" and "Error Sentence ID" cells for the MEDIQA-CORR
 * measures. The importer maps those columns (to place gold sentences) and so
 * does not keep them on the items; until an item carries its sentence list,
 * a second import with the two columns unmapped brings them back as extra
 * columns, keyed by the same ids. MEDEC files are small, so the second
 * pass costs little.
 */
import { importDataset, type ImportOptions } from '../dataset/import-dataset';
import type { ByteSource } from '../dataset/byte-source';
import type { DatasetItem, ImportResult } from '../dataset/types';
import { mediqaReference, type MediqaReference } from './measures';

/** Sentence cells from items whose `extra` holds the two columns. */
export function sentenceCellsFromExtra(items: readonly DatasetItem[], sentencesColumn: string, errorSentenceIdColumn: string): Map<string, { sentences: string; errorSentenceId: string }> {
  const cells = new Map<string, { sentences: string; errorSentenceId: string }>();
  for (const it of items) {
    const sentences = it.extra?.[sentencesColumn];
    if (sentences === undefined) continue;
    cells.set(it.id, { sentences, errorSentenceId: it.extra?.[errorSentenceIdColumn] ?? '-1' });
  }
  return cells;
}

/** The MEDIQA-CORR reference of an imported dataset, or null when it has no sentence ids. */
export async function readMediqaReference(source: ByteSource, imported: ImportResult, options: ImportOptions = {}): Promise<MediqaReference | null> {
  const sentencesColumn = imported.mapping.sentences;
  const idColumn = imported.mapping.errorSentenceId;
  if (sentencesColumn === undefined || idColumn === undefined) return null;
  const again = await importDataset(source, { ...options, mapping: { ...options.mapping, sentences: null, errorSentenceId: null } });
  const reference = mediqaReference(imported.items, sentenceCellsFromExtra(again.items, sentencesColumn, idColumn));
  return reference.size > 0 ? reference : null;
}
