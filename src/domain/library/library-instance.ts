/**
 * The app's one reference library: storage in IndexedDB, extraction in the
 * worker. Created on first use, so nothing of it loads at first paint.
 */
import { extractInWorker } from '../../client/extract-client';
import { LibraryService } from './library-service';

let instance: LibraryService | undefined;

export function getLibrary(): LibraryService {
  instance ??= new LibraryService({ extract: extractInWorker });
  return instance;
}
