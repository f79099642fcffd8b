/**
 * The run log's crash recovery on real files: a torn last line is dropped,
 * failed items are dropped (retried), duplicates and foreign ids are dropped,
 * and concurrent appends each land as one whole line. Failed lines are
 * reported by the predictions reader, never scored.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePredictionsJsonl } from '../../../../src/core/predictions';
import { openLog, recoverLog } from '../../../../src/cli/run/prediction-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medfact-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, has_error: false, spans: [], ...extra });

describe('recoverLog', () => {
  it('keeps one line per done item and drops a torn tail, failures, duplicates and unknown ids', async () => {
    const path = join(dir, 'predictions.jsonl');
    const content = [line('a'), line('b', { status: 'failed', error: { code: 'SERVER_ERROR', message: 'x' } }), line('a', { has_error: true }), line('zz'), line('c')].join('\n') + '\n' + line('d').slice(0, 9);
    await writeFile(path, content);
    const r = await recoverLog(path, new Set(['a', 'b', 'c', 'd']));
    expect([...r.done.keys()]).toEqual(['a', 'c']);
    expect(r.tornBytes).toBe(9);
    expect(r.droppedFailed).toBe(1);
    expect(r.droppedOther).toBe(2);
    expect(await readFile(path, 'utf8')).toBe(`${line('a')}\n${line('c')}\n`);
  });

  it('a missing file is an empty log', async () => {
    const r = await recoverLog(join(dir, 'none.jsonl'), new Set(['a']));
    expect(r.done.size).toBe(0);
  });
});

describe('openLog', () => {
  it('group-commits concurrent appends as whole lines', async () => {
    const path = join(dir, 'p.jsonl');
    const log = await openLog(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(line(`i${i}`, { text: '医'.repeat(i) }))));
    await log.close();
    const ls = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    expect(ls).toHaveLength(200);
    expect(new Set(ls.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(200);
  });

  it('rejects a line with a newline (it would break the one-line-per-item rule)', async () => {
    const log = await openLog(join(dir, 'q.jsonl'));
    await expect(log.append('a\nb')).rejects.toThrow();
    await log.close();
  });
});

describe('predictions reader and failed lines', () => {
  it('reports a failed item with its reason and does not score it', () => {
    const r = parsePredictionsJsonl(`${line('a')}\n${JSON.stringify({ id: 'b', status: 'failed', error: { code: 'TIMEOUT', message: 'No answer' } })}\n`);
    expect(r.predictions.map((p) => p.id)).toEqual(['a']);
    expect(r.issues).toEqual([expect.objectContaining({ line: 2, message: 'item b failed in the run: TIMEOUT No answer; not scored (counts as missing)' })]);
  });
});
