/**
 * Reads a formulary file (CSV, TSV, JSON, XLSX) into rows. Libraries do the
 * file formats: papaparse for CSV/TSV (already used for datasets) and
 * read-excel-file for XLSX (maintained, typed, pure JS over fflate, works in
 * Node, browsers and workers, reads only what we need: cell values). Both
 * load on first use so neither weighs on start-up.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseFormularyRecords } from './formulary';
import type { Formulary, FormularyField } from './types';

export type FormularyFormat = 'csv' | 'tsv' | 'json' | 'xlsx';

export interface ImportedFormulary extends Formulary {
  format: FormularyFormat;
  /** SHA-256 (hex) of the file's bytes: the version's identity. */
  hash: string;
}

export class FormularyFileError extends Error {
  override name = 'FormularyFileError';
}

export function detectFormularyFormat(fileName: string | undefined, bytes: Uint8Array): FormularyFormat {
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext === 'xlsx') return 'xlsx';
  if (ext === 'json') return 'json';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'csv') return 'csv';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'xlsx'; // "PK": a zip
  const head = decodeText(bytes.subarray(0, 4096)).trimStart();
  if (head.startsWith('[') || head.startsWith('{')) return 'json';
  const first = head.split(/\r?\n/, 1)[0] ?? '';
  return first.split('\t').length > first.split(',').length ? 'tsv' : 'csv';
}

function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

async function readTable(text: string, delimiter: ',' | '\t'): Promise<{ columns: string[]; records: Record<string, unknown>[] }> {
  const Papa = (await import('papaparse')).default;
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: false });
  const [header = [], ...body] = parsed.data;
  const columns = header.map((h) => String(h).trim());
  const records = body.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])));
  // A trailing newline gives one empty record; it is not a row anyone wrote.
  while (records.length > 0 && Object.values(records[records.length - 1] ?? {}).every((v) => String(v).trim() === '')) records.pop();
  return { columns, records };
}

async function readXlsx(bytes: Uint8Array): Promise<{ columns: string[]; records: Record<string, unknown>[] }> {
  const { readSheet } = await import('read-excel-file/universal');
  let data;
  try {
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    data = await readSheet(copy.buffer);
  } catch (e) {
    throw new FormularyFileError(`无法读取 XLSX 文件（${e instanceof Error ? e.message : String(e)}）。请确认文件未损坏，或另存为 CSV 后再导入。`);
  }
  const [header = [], ...body] = data;
  const columns = header.map((h) => (h === null ? '' : String(h).trim()));
  const records = body.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])));
  return { columns, records };
}

function readJson(text: string): { columns?: string[]; records: Record<string, unknown>[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FormularyFileError(`JSON 无法解析（${e instanceof Error ? e.message : String(e)}）。请检查文件格式。`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    value = obj.rows ?? obj.formulary ?? obj.drugs ?? obj.data;
  }
  if (!Array.isArray(value)) throw new FormularyFileError('JSON 应为对象数组，或含 rows / formulary / drugs 数组的对象。');
  return { records: value.map((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})) };
}

/** Reads a formulary file. Throws FormularyFileError only when the file as a whole is unreadable. */
export async function importFormulary(
  bytes: Uint8Array,
  options: { fileName?: string; mapping?: Partial<Record<FormularyField, string>> } = {},
): Promise<ImportedFormulary> {
  const format = detectFormularyFormat(options.fileName, bytes);
  const hash = bytesToHex(sha256(bytes));
  if (format === 'json') {
    const { records } = readJson(decodeText(bytes));
    return { ...parseFormularyRecords(records, { mapping: options.mapping, rowNumber: (i) => i + 1 }), format, hash };
  }
  const table = format === 'xlsx' ? await readXlsx(bytes) : await readTable(decodeText(bytes), format === 'tsv' ? '\t' : ',');
  return { ...parseFormularyRecords(table.records, { columns: table.columns, mapping: options.mapping }), format, hash };
}
