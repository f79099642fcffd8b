/**
 * The folder map is enforced by lint (issue 14): these run the project's own
 * ESLint config over small probe sources placed (virtually) in a folder, and
 * check that a wrong-way import is refused and a right-way one is accepted.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOLDERS } from '../../../eslint/zones.js';

const ROOT = join(__dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-restricted-paths' || m.ruleId === 'arch/through-index').map((m) => m.message);
}

describe('folder zones', () => {
  it('every folder under src/ has a zone with a purpose', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const folders = readdirSync(join(ROOT, 'src')).filter((f) => statSync(join(ROOT, 'src', f)).isDirectory());
    for (const folder of folders) expect(Object.keys(FOLDERS), `src/${folder} has no lint zone`).toContain(`src/${folder}`);
  });

  it('refuses core importing storage, and a feature importing another feature or the app shell', async () => {
    expect(await problems('src/core/probe.ts', "import { RunsRepo } from '../storage/runs-repo';\nexport const x = RunsRepo;\n")).toEqual([expect.stringContaining('src/core')]);
    expect(await problems('src/features/check/probe.ts', "import { HistoryScreen } from '../history/history-screen';\nexport const x = HistoryScreen;\n")).toEqual([expect.stringContaining('another feature')]);
    expect(await problems('src/features/check/probe.ts', "import { App } from '../../app/app';\nexport const x = App;\n")).toEqual([expect.stringContaining('src/app')]);
    expect(await problems('src/storage/probe.ts', "import { runOneItem } from '../domain/bench/run-item';\nexport const x = runOneItem;\n")).toEqual([expect.stringContaining('src/domain')]);
  });

  it('accepts the right direction', async () => {
    expect(await problems('src/features/check/probe.ts', "import { check } from '../../core/check';\nexport const x = check;\n")).toEqual([]);
    expect(await problems('src/storage/probe.ts', "import { isLocale } from '../domain/config/types';\nexport const x = isLocale;\n")).toEqual([]);
  });

  it('a folder with an index.ts is imported through it', async () => {
    expect(await problems('src/features/check/probe.ts', "import { tokenize } from '../../core/evidence/tokenizer';\nexport const x = tokenize;\n")).toEqual([expect.stringContaining('index.ts')]);
    expect(await problems('src/features/check/probe.ts', "import * as evidence from '../../core/evidence';\nexport const x = evidence;\n")).toEqual([]);
  });
});
