/** The References screen with the app's model session: its embedder picker loads the chosen model (or none). */
import { LibraryScreen } from '../features/library/library-screen';
import { selectModel } from './model-session';

const selectEmbedder = (choiceId: string | null): void => void selectModel('embedder', choiceId);

export function LibraryRoute() {
  return <LibraryScreen onSelectEmbedder={selectEmbedder} />;
}
