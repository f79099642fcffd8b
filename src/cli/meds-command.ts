/**
 * medfact meds --formulary <file> <texts.jsonl> [--json]
 * Runs the formulary's medication rules over every text. Findings go to
 * stdout (plain lines, or the JSON shape issue 12 fixes); bad formulary rows,
 * unreadable lines and progress go to stderr. Exit 0 on full success, 1 when
 * the formulary has no usable row or a line of the texts file was unreadable.
 */
import { readFile } from 'node:fs/promises';
import { MedfactError } from '../protocol/errors';
import { checkMedications, importFormulary, FormularyFileError, type MedFinding } from '../core/meds';

export interface MedsCommandOptions {
  formulary: string;
  texts: string;
  json: boolean;
}

interface TextLine {
  /** As written in the file (a string or a number), echoed unchanged in the results. */
  id: string | number;
  text: string;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    throw new MedfactError('NOT_FOUND', `Cannot open ${path}: no such file or not readable.`);
  }
}

function parseTexts(raw: string, path: string): { lines: TextLine[]; problems: string[] } {
  const lines: TextLine[] = [];
  const problems: string[] = [];
  raw
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        problems.push(`${path} line ${i + 1}: invalid JSON; skipped.`);
        return;
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        problems.push(`${path} line ${i + 1}: not an object with "id" and "text"; skipped.`);
        return;
      }
      const o = v as Record<string, unknown>;
      if (typeof o.text !== 'string') {
        problems.push(`${path} line ${i + 1}: missing "text" (a string); skipped.`);
        return;
      }
      const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : undefined;
      if (id === undefined) {
        problems.push(`${path} line ${i + 1}: missing "id"; skipped.`);
        return;
      }
      lines.push({ id, text: o.text });
    });
  return { lines, problems };
}

const publicFinding = (f: MedFinding) => ({
  start: f.start,
  end: f.end,
  text: f.text,
  drug: f.drug,
  rule: f.rule,
  limit: f.limit,
  found: f.found,
  correction: f.correction,
  reason: f.reason,
  source: f.source,
});

export async function runMedsCommand(opts: MedsCommandOptions, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  // `medfact meds … | head` closes the pipe early: end quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let formulary;
  try {
    formulary = await importFormulary(await readBytes(opts.formulary), { fileName: opts.formulary });
  } catch (e) {
    if (e instanceof FormularyFileError) throw new MedfactError('BAD_INPUT', `${opts.formulary}: ${e.message}`);
    throw e;
  }
  for (const b of formulary.bad) console.error(`formulary ${opts.formulary}: ${b.message}`);
  if (formulary.rows.length === 0) throw new MedfactError('BAD_INPUT', `${opts.formulary}: no usable formulary row (see the messages above).`);
  console.error(`formulary ${opts.formulary}: ${formulary.rows.length} rows used, ${formulary.bad.length} bad, sha256 ${formulary.hash.slice(0, 12)}…`);

  const { lines, problems } = parseTexts(new TextDecoder().decode(await readBytes(opts.texts)), opts.texts);
  for (const p of problems) console.error(p);
  const tty = process.stderr.isTTY === true;
  const results: { id: string | number; findings: ReturnType<typeof publicFinding>[] }[] = [];
  let flagged = 0;
  lines.forEach((line, i) => {
    const findings = checkMedications(line.text, formulary.rows).map(publicFinding);
    if (findings.length > 0) flagged++;
    results.push({ id: line.id, findings });
    if (tty && (i + 1) % 500 === 0) process.stderr.write(`\r${i + 1}/${lines.length} texts`);
  });
  if (tty && lines.length >= 500) process.stderr.write('\n');

  if (opts.json) out(`${JSON.stringify({ results }, null, 2)}\n`);
  else {
    for (const r of results) {
      if (r.findings.length === 0) {
        out(`${r.id}: no finding\n`);
        continue;
      }
      for (const f of r.findings) out(`${r.id}: [${f.start},${f.end}) 「${f.text}」 ${f.rule} ${f.drug}: ${f.reason}\n`);
    }
  }
  console.error(`${lines.length} texts checked, ${flagged} with findings${problems.length > 0 ? `, ${problems.length} lines skipped` : ''}.`);
  return problems.length > 0 ? 1 : 0;
}
