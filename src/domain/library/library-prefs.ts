/**
 * Whether checks use the reference library: the user's switch, or (until
 * they touch it) on whenever the library has documents. The document count
 * is read lazily, so the checker's first paint loads no library code.
 */
import { create } from 'zustand';

interface LibraryPrefs {
  /** null: follow the library (on when it is not empty). */
  useLibrary: boolean | null;
  documents: number | null;
  setUseLibrary: (on: boolean) => void;
  refresh: () => Promise<void>;
}

export const useLibraryPrefs = create<LibraryPrefs>()((set) => ({
  useLibrary: null,
  documents: null,
  setUseLibrary: (on) => set({ useLibrary: on }),
  refresh: async () => {
    try {
      const { getLibrary } = await import('./library-instance');
      set({ documents: (await getLibrary().repo.listDocuments()).length });
    } catch {
      set({ documents: 0 });
    }
  },
}));

/** The switch's effective state. */
export function libraryEnabled(p: Pick<LibraryPrefs, 'useLibrary' | 'documents'> = useLibraryPrefs.getState()): boolean {
  return p.useLibrary ?? (p.documents ?? 0) > 0;
}
