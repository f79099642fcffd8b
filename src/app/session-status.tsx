/** Which models are loaded for checking, per role, with load progress and errors. */
import { useId, useState } from 'react';
import { useT } from '../i18n';
import { useAppStore } from '../stores/app-store';
import { isEndpointChoice, resolveEndpointChoice, setEndpointKey } from './endpoint-session';
import { useModelSession } from '../stores/model-session-store';
import { selectModel as select, type Role } from './model-session';
import type { SessionRole } from '../stores/model-session-store';

/** The API key for an inference server that refused access: memory only, for this session. */
function EndpointKeyForm({ role, choiceId }: { role: Role; choiceId: string }) {
  const t = useT();
  const id = useId();
  const [key, setKey] = useState('');
  const endpoints = useAppStore((s) => s.config.inferenceEndpoints);
  const resolved = resolveEndpointChoice(endpoints ?? [], choiceId);
  if (!resolved) return null;
  return (
    <form
      className="endpoint-key"
      data-testid="endpoint-key-form"
      onSubmit={(e) => {
        e.preventDefault();
        setEndpointKey(resolved.endpoint.id, key);
        setKey('');
        void select(role, choiceId);
      }}
    >
      <label htmlFor={id}>{t('session.key.label', { label: resolved.endpoint.label })}</label>
      <input id={id} data-testid="endpoint-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.currentTarget.value)} />
      <button type="submit">{t('session.key.apply')}</button>
    </form>
  );
}

function RoleLine({ role }: { role: SessionRole }) {
  const t = useT();
  const status = useModelSession((s) => s[role]);
  const choiceId = status.choiceId;
  // The deployment's label; the id stays in the tooltip and in data-model for scripts.
  const model = status.label ?? status.modelId ?? '';
  let text: string;
  switch (status.state) {
    case 'loading':
      text = t('session.loading', { model, percent: Math.floor(status.progress * 100) });
      break;
    case 'ready':
      text = t('session.ready', { model, device: status.device ?? '' });
      break;
    case 'error':
      text = t('session.error', { model, message: status.error ? t(`error.${status.error.code}`) : '' });
      break;
    default:
      text = t('session.none');
  }
  return (
    <li data-testid={`session-${role}`} data-state={status.state} data-model={status.modelId ?? ''} title={status.modelId ?? undefined}>
      <span className="session-role">{t(`session.role.${role}`)}：</span>
      <span>{text}</span>
      {status.state === 'loading' ? <progress max={1} value={status.progress} aria-label={text} /> : null}
      {status.state === 'error' && role !== 'embedder' && isEndpointChoice(choiceId) && status.error?.code === 'AUTH' ? <EndpointKeyForm role={role} choiceId={choiceId} /> : null}
      {status.state === 'error' && choiceId ? (
        <button type="button" className="link-button" onClick={() => void select(role, choiceId)}>
          {t('session.retry')}
        </button>
      ) : null}
    </li>
  );
}

export function SessionStatus() {
  const t = useT();
  // The embedder's line shows once one is chosen (it only serves the reference library).
  const embedder = useModelSession((s) => s.embedder.state !== 'none' || s.embedder.choiceId !== null);
  return (
    <div role="status" aria-label={t('session.label')}>
      <ul className="session-status">
        <RoleLine role="verifier" />
        <RoleLine role="reward" />
        {embedder ? <RoleLine role="embedder" /> : null}
      </ul>
    </div>
  );
}
