/**
 * .docx to library text with mammoth (raw text: paragraphs as lines).
 * mammoth is loaded lazily, so it never lands in the first-paint bundle.
 */
import { ExtractError } from './extract-error';

export async function extractDocxText(data: Uint8Array, fileName: string): Promise<string> {
  const mammoth = (await import('mammoth')).default;
  try {
    // Node's build reads `buffer`, the browser build `arrayBuffer`.
    const arrayBuffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    const input = { buffer: data, arrayBuffer } as unknown as Parameters<typeof mammoth.extractRawText>[0];
    const result = await mammoth.extractRawText(input);
    return result.value.replace(/\n{3,}/g, '\n\n').trim();
  } catch (error) {
    throw new ExtractError('CORRUPT', `${fileName} could not be read as a Word .docx file (${error instanceof Error ? error.message : String(error)}); save it again as .docx and retry.`);
  }
}
