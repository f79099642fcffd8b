/**
 * `medfact inspect … | head -1`: a reader that closes the pipe early ends
 * the CLI quietly. A real shell pipeline, with output far larger than a
 * pipe's buffer, so the CLI is still writing when `head` goes away.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');

function sh(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('medfact and a pipe closed early', () => {
  it('inspect | head -1 prints one line and ends without a stack trace; the CLI exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medfact-epipe-'));
    const dataset = join(dir, 'many-rejected.csv');
    // 30,000 rows, every other one without text: inspect lists each rejected row, over 1 MB of output.
    const rows = Array.from({ length: 30_000 }, (_, i) => `r${i},${i % 2 === 0 ? '' : '阿司匹林可以预防血栓形成'},${i % 3 === 0 ? 1 : 0}`);
    writeFileSync(dataset, `id,text,label\n${rows.join('\n')}\n`, 'utf8');
    const full = await sh(`"${tsx}" src/cli/medfact.ts inspect "${dataset}" | wc -c`);
    expect(Number(full.stdout.trim())).toBeGreaterThan(1_000_000);
    const r = await sh(`set -o pipefail; "${tsx}" src/cli/medfact.ts inspect "${dataset}" 2>"${dir}/err.txt" | head -1; echo "status \${PIPESTATUS[0]}"; cat "${dir}/err.txt"`);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^format {8}csv$/);
    expect(lines[1]).toBe('status 0');
    expect(r.stdout).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(lines.slice(2).join('').trim()).toBe('');
  });
});
