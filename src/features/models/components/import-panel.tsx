/**
 * Import from a folder or files (USB stick, no network). `<input
 * webkitdirectory>` works in every browser; showDirectoryPicker is offered
 * where it exists.
 */
import { useId, useState, type ChangeEvent } from 'react';
import { useT } from '../../../i18n';
import { useLocaleStore } from '../../../i18n';
import type { CatalogModel } from '../../../domain/catalog/schema';
import type { Capabilities } from '../../../protocol/capabilities';
import type { ModelSource } from '../../../protocol/engine';
import { pickedFromDirectoryHandle, pickedFromFileList, type PickedFile } from '../../../domain/install/import-files';
import { importPicked, targetFor } from '../install-service';
import { useModelsStore } from '../models-store';

type DirPicker = () => Promise<Parameters<typeof pickedFromDirectoryHandle>[0]>;

export function ImportPanel({ entries, caps, source }: { entries: readonly CatalogModel[]; caps: Capabilities | null; source: ModelSource }) {
  const t = useT('models');
  const locale = useLocaleStore((s) => s.locale);
  const active = useModelsStore((s) => s.active);
  const id = useId();
  const usable = entries.filter((e) => targetFor(e, caps, source));
  const [selected, setSelected] = useState('');
  const entry = usable.find((e) => `${e.engine}:${e.id}` === selected) ?? usable[0];
  const picker = (globalThis as { showDirectoryPicker?: DirPicker }).showDirectoryPicker;

  const run = (picked: PickedFile[]): void => {
    if (!entry || picked.length === 0) return;
    const target = targetFor(entry, caps, source);
    if (target) void importPicked(target, picked, entry.id);
  };
  const onFiles = (e: ChangeEvent<HTMLInputElement>): void => {
    const files = e.currentTarget.files;
    if (files) run(pickedFromFileList(Array.from(files)));
    e.currentTarget.value = '';
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('models.import.title')}</h2>
      <p className="muted">{t('models.import.help')}</p>
      <label htmlFor={`${id}-target`}>{t('models.import.target')}</label>{' '}
      <select id={`${id}-target`} value={entry ? `${entry.engine}:${entry.id}` : ''} onChange={(e) => setSelected(e.currentTarget.value)} data-testid="import-target">
        {usable.map((e) => (
          <option key={`${e.engine}:${e.id}`} value={`${e.engine}:${e.id}`}>
            {e.label[locale === 'en' ? 'en' : 'zh']} ({e.id})
          </option>
        ))}
      </select>
      <div className="button-row">
        <label>
          {t('models.import.folder')}{' '}
          {/* webkitdirectory is not in React's types; set as a plain attribute */}
          <input type="file" multiple disabled={!entry || !!active} onChange={onFiles} data-testid="import-folder" {...{ webkitdirectory: '', directory: '' }} />
        </label>
        <label>
          {t('models.import.files')} <input type="file" multiple disabled={!entry || !!active} onChange={onFiles} data-testid="import-files" />
        </label>
        {picker ? (
          <button type="button" disabled={!entry || !!active} onClick={() => void picker().then(pickedFromDirectoryHandle).then(run, () => undefined)}>
            {t('models.import.picker')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
