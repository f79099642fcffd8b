/**
 * Opens a stored check named in the address (`#/check?open=<id>`), which is
 * how the history screen hands a check to the checker without importing it.
 */
import { useEffect } from 'react';
import { toMedfactError } from '../../protocol/errors';
import { getCheck } from '../../storage/checks-repo';
import { OPEN_PARAM } from '../../ui/check-link';
import { useCheckStore } from './check-store';

function requestedId(): string | null {
  const query = location.hash.split('?')[1];
  return query ? new URLSearchParams(query).get(OPEN_PARAM) : null;
}

export function useOpenFromHash(): void {
  useEffect(() => {
    let live = true;
    const load = () => {
      const id = requestedId();
      if (!id) return;
      // Drop the parameter so a reload or a later visit does not reopen it over new work.
      history.replaceState(history.state, '', location.hash.split('?')[0] ?? '#/check');
      getCheck(id)
        .then((record) => {
          if (live && record) useCheckStore.getState().open(record);
        })
        .catch((error: unknown) => {
          if (live) useCheckStore.setState({ error: toMedfactError(error) });
        });
    };
    load();
    window.addEventListener('hashchange', load);
    return () => {
      live = false;
      window.removeEventListener('hashchange', load);
    };
  }, []);
}
