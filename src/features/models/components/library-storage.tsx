/**
 * The reference library's share of local storage (issue 11), under the
 * Models/Storage panel's bar: documents, passages and about how many bytes.
 * The library code loads only when the panel shows (dynamic import).
 */
import { useEffect, useState } from 'react';
import type { LibraryUsage } from '../../../domain/library/library-usage';
import { useLocaleStore } from '../../../i18n';
import { useT } from '../../../i18n';
import { formatBytes } from '../format';

export function LibraryStorageLine() {
  const t = useT('models');
  const locale = useLocaleStore((s) => s.locale);
  const [usage, setUsage] = useState<LibraryUsage | null>(null);
  useEffect(() => {
    let live = true;
    void import('../../../domain/library/library-usage')
      .then((m) => m.libraryUsage())
      .then((u) => live && setUsage(u), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!usage) return null;
  return (
    <p data-testid="library-storage" data-bytes={usage.bytes} data-passages={usage.passages}>
      {usage.documents === 0 ? t('models.libraryStorage.empty') : t('models.libraryStorage.usage', { documents: usage.documents, passages: usage.passages, size: formatBytes(usage.bytes, locale) })}
    </p>
  );
}
