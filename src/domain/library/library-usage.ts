/**
 * What the reference library holds on this device, for the Models/Storage
 * panel: documents, passages, and the size of its stored texts and passages
 * (two bytes a character, as the browser holds strings) and index (its
 * segments' typed arrays and strings), plus the embedder's passage vectors
 * (four bytes a dimension); IndexedDB's on-disk size differs, hence "about".
 */
import { getLibrary } from './library-instance';

export interface LibraryUsage {
  documents: number;
  passages: number;
  /** Approximate bytes of texts, passages and the persisted index. */
  bytes: number;
}

export async function libraryUsage(): Promise<LibraryUsage> {
  const repo = getLibrary().repo;
  const docs = await repo.listDocuments();
  if (docs.length === 0) return { documents: 0, passages: 0, bytes: 0 };
  let chars = 0;
  for (const d of docs) chars += (await repo.getText(d.id))?.text.length ?? 0;
  const passages = await repo.allPassages();
  for (const p of passages) chars += p.text.length + p.id.length + p.docId.length;
  const indexBytes = (await repo.getIndex())?.manifest?.segments.reduce((n, s) => n + s.bytes, 0) ?? 0;
  // The embedder's vectors: 4 bytes a dimension (the model key ends in `#<dims>`).
  const vectorBytes = (await repo.vectorModels()).reduce((n, v) => n + v.count * Number(v.model.split('#').pop() ?? 0) * 4, 0);
  return { documents: docs.length, passages: passages.length, bytes: chars * 2 + indexBytes + vectorBytes };
}
