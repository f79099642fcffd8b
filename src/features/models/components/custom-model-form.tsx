/** Adds a model by hub id or URL for either engine (validated by the catalog's customEntry). */
import { useId, useState, type FormEvent } from 'react';
import { useT } from '../../../i18n';
import { customEntry } from '../../../domain/catalog/custom-entry';
import type { EngineKind } from '../../../protocol/engine';
import { serializeError } from '../../../protocol/errors';
import { addCustomModel } from '../../../stores/catalog-store';
import { useModelsStore } from '../models-store';

export function CustomModelForm() {
  const t = useT('models');
  const id = useId();
  const [value, setValue] = useState('');
  const [engine, setEngine] = useState<EngineKind>('transformers');
  const [role, setRole] = useState<'verifier' | 'reward'>('verifier');
  const { setNotice, setSuccess } = useModelsStore();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    try {
      const entry = customEntry({ engine, hubIdOrUrl: value, role, task: role === 'reward' && engine === 'transformers' ? 'text-classification' : 'text-generation' });
      addCustomModel(entry);
      setNotice(null);
      setSuccess({ key: 'models.custom.added', name: entry.id });
      setValue('');
    } catch (err) {
      setNotice({ error: serializeError(err) });
    }
  };
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('models.custom.title')}</h2>
      <form onSubmit={submit} className="stack">
        <label htmlFor={`${id}-value`}>{t('models.custom.id')}</label>
        <input id={`${id}-value`} value={value} onChange={(e) => setValue(e.currentTarget.value)} required placeholder="org/model" data-testid="custom-model-id" />
        <label htmlFor={`${id}-engine`}>{t('models.custom.engine')}</label>
        <select id={`${id}-engine`} value={engine} onChange={(e) => setEngine(e.currentTarget.value === 'webllm' ? 'webllm' : 'transformers')} data-testid="custom-model-engine">
          <option value="transformers">transformers.js</option>
          <option value="webllm">WebLLM</option>
        </select>
        <label htmlFor={`${id}-role`}>{t('models.custom.role')}</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.currentTarget.value === 'reward' ? 'reward' : 'verifier')} data-testid="custom-model-role">
          <option value="verifier">{t('models.custom.role.verifier')}</option>
          <option value="reward">{t('models.custom.role.reward')}</option>
        </select>
        <button type="submit" data-testid="custom-model-add">
          {t('models.custom.add')}
        </button>
      </form>
    </section>
  );
}
