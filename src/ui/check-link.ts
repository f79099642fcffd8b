/**
 * The address that opens a stored check in the checker (`#/check?open=<id>`):
 * how the history hands a check to the checker without importing it. One
 * definition for the link (history) and its reader (check/open-from-hash).
 */
export const OPEN_PARAM = 'open';

export function checkHref(id: string): string {
  return `#/check?${OPEN_PARAM}=${encodeURIComponent(id)}`;
}
