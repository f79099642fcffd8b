/**
 * Joins the model session's embedder role with the reference library: when
 * an embedder is ready, the library gets it (and computes the passage
 * vectors it lacks); when it goes away, retrieval is lexical again. The
 * library code loads only once an embedder is ready, so the first paint
 * stays free of it.
 */
import { MedfactError } from '../protocol/errors';
import { useModelSession, type RoleState } from '../stores/model-session-store';
import { sessionEngine } from '../stores/session-engines';

let linked = false;

async function embedWithSession(texts: string[], kind: 'query' | 'passage', signal?: AbortSignal): Promise<Float32Array[]> {
  const engine = sessionEngine('embedder');
  if (!engine?.embed) throw new MedfactError('MODEL_NOT_LOADED', 'No embedder is loaded. Choose one on the References screen.');
  return (await engine.embed({ texts, kind }, signal ? { signal } : {})).vectors;
}

/** Follows the embedder role from now on (once per page). */
export function linkEmbedder(): void {
  if (linked) return;
  linked = true;
  let current: string | null = null;
  let library: Promise<typeof import('../domain/library/dense-library')> | null = null;
  const follow = (role: RoleState): void => {
    const ready = role.state === 'ready' && role.modelId !== null && role.dims !== null ? { modelId: role.modelId, dims: role.dims } : null;
    const key = ready ? `${ready.modelId}#${ready.dims}` : null;
    if (key === current) return;
    current = key;
    if (!ready && !library) return;
    library ??= import('../domain/library/dense-library');
    void library.then(({ getDenseLibrary }) => {
      // A later change may have superseded this one while the module loaded.
      if (current !== key) return;
      return getDenseLibrary().setEmbedder(ready ? { ...ready, embed: embedWithSession } : null);
    });
  };
  useModelSession.subscribe((state, previous) => {
    if (state.embedder !== previous.embedder) follow(state.embedder);
  });
  follow(useModelSession.getState().embedder);
}
