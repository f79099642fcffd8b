/**
 * `medfact score` and `inspect` read a dataset file into memory in one read
 * and stream it to the importer in the chunks Node's file Blob gives (issue
 * 15: no thread-pool round trip per 64 KiB). The importer must see exactly
 * what it saw from the file Blob: the same items, rejections, notes and
 * messages, including the ones that depend on where chunks begin (a
 * damaged UTF-16 file names the byte offset of the chunk it broke in).
 */
import { openAsBlob, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { inMemory } from '../../../src/cli/memory-source';
import { importDataset } from '../../../src/core/dataset/import-dataset';
import { makeHostileScoringFiles } from '../../fixtures/hostile-scoring';

const dir = mkdtempSync(join(tmpdir(), 'medfact-memory-source-'));

async function bothWays(name: string, bytes: Uint8Array | string): Promise<{ fromDisk: unknown; fromMemory: unknown }> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const read = async (source: Parameters<typeof importDataset>[0]): Promise<unknown> => importDataset(source, { fileName: path }).catch((e: unknown) => ({ error: String(e) }));
  const blob = await openAsBlob(path);
  const memory = inMemory(path, blob);
  expect(memory).not.toBe(blob);
  return { fromDisk: await read(blob), fromMemory: await read(memory) };
}

describe('a dataset read into memory', () => {
  it('imports exactly as from the file: a large JSONL file with every kind of bad row', async () => {
    const { fromDisk, fromMemory } = await bothWays('hostile.jsonl', makeHostileScoringFiles(2000).dataset);
    expect(fromMemory).toEqual(fromDisk);
    expect((fromDisk as { rejected: unknown[] }).rejected.length).toBeGreaterThan(5);
  });

  it('streams the chunks the file Blob streams, and reads a damaged UTF-16 file the same way', async () => {
    const text = `\uFEFFid,text,label\n${Array.from({ length: 6000 }, (_, i) => `${i},患者服用阿司匹林第${i}次。,${i % 2}`).join('\n')}\n`;
    const bytes = new Uint8Array(Buffer.from(text, 'utf16le'));
    // An unpaired low surrogate about 200 KB in, past the first chunks.
    bytes[200_000] = 0x00;
    bytes[200_001] = 0xdc;
    const { fromDisk, fromMemory } = await bothWays('damaged-utf16.csv', bytes);
    expect(fromMemory).toEqual(fromDisk);
    const path = join(dir, 'damaged-utf16.csv');
    const sizes = async (blob: { stream: () => ReadableStream<Uint8Array> }): Promise<number[]> => {
      const out: number[] = [];
      for await (const chunk of blob.stream() as unknown as AsyncIterable<Uint8Array>) out.push(chunk.byteLength);
      return out;
    };
    const fileBlob = await openAsBlob(path);
    const fileSizes = await sizes(fileBlob);
    expect(fileSizes.length).toBeGreaterThan(4);
    expect(await sizes(inMemory(path, fileBlob))).toEqual(fileSizes);
    // The importer takes the chunks without a stream (BlobLike.chunks): the same sizes and bytes.
    const handed = [...(inMemory(path, fileBlob).chunks?.() ?? [])];
    expect(handed.map((c) => c.byteLength)).toEqual(fileSizes);
    expect(Buffer.concat(handed)).toEqual(Buffer.from(bytes));
  });

  it('imports gzip and Parquet files (read by ranges) the same way', async () => {
    const csv = `id,text,label\n${Array.from({ length: 500 }, (_, i) => `${i},文本${i}。,${i % 2}`).join('\n')}\n`;
    const gz = await bothWays('data.csv.gz', gzipSync(csv));
    expect(gz.fromMemory).toEqual(gz.fromDisk);
    const parquet = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'id', data: ['p1', 'p2'] }, { name: 'text', data: ['文本一。', '文本二。'] }, { name: 'has_error', data: [0, 1] }] }));
    const pq = await bothWays('data.parquet', parquet);
    expect(pq.fromMemory).toEqual(pq.fromDisk);
    expect((pq.fromDisk as { items: unknown[] }).items).toHaveLength(2);
  });
});
