/** Human-readable sizes and durations for the Models screen (binary units, locale-aware digits). */
export { formatBytes } from '../../ui/format-bytes';

export function formatDuration(seconds: number | null, locale = 'zh-CN'): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const zh = locale.startsWith('zh');
  if (s < 60) return zh ? `${s} 秒` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return zh ? `${m} 分 ${s % 60} 秒` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return zh ? `${h} 小时 ${m % 60} 分` : `${h} h ${m % 60} min`;
}
