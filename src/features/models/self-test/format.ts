/** Number formats of the self-test tables. */
export function formatMs(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms).toLocaleString(locale)} ms`;
  return `${(ms / 1000).toLocaleString(locale, { maximumFractionDigits: 2 })} s`;
}

export function formatRate(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString(locale, { maximumFractionDigits: value < 10 ? 2 : 1 });
}

export function formatPercent(share: number, locale: string): string {
  return share.toLocaleString(locale, { style: 'percent', maximumFractionDigits: 1 });
}

/** A probability or a difference of probabilities, to 4 decimals ('—' when missing or not a number). */
export function formatScore(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString(locale, { minimumFractionDigits: 4, maximumFractionDigits: 4 });
}
