/**
 * One finding: the quoted fragment, its type, the suggested correction, the
 * reason, the confidence and badges for safety-critical, medication and
 * approximate or ambiguous placement. Hovering or focusing the card lights
 * up its highlight. Automation hook: data-testid="check-finding".
 */
import { memo } from 'react';
import { useLocaleStore, useT } from '../../../i18n';
import type { Finding } from '../check-contract';
import { ERROR_TYPE_COLOR } from '../error-type-style';
import { typeName, type FindingState } from '../report-export';
import type { CitedPassage } from '../../../core/evidence';
import { FindingEvidence } from './evidence';

export type AcceptBlock = 'unlocated' | 'accepted' | 'dismissed' | 'overlap' | 'stale' | 'no-correction' | null;

export interface FindingCardProps {
  finding: Finding;
  number: number;
  state: FindingState;
  active: boolean;
  acceptBlock: AcceptBlock;
  /** DOM id of the hidden description the highlight points at. */
  descriptionId: string;
  onActivate: (id: string | null) => void;
  onAccept: (id: string) => void;
  onDismiss: (id: string) => void;
  onRestore: (id: string) => void;
  /** Grounded checks: the passages this finding cites (empty: none); undefined for ungrounded checks. */
  evidence?: readonly CitedPassage[];
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function FindingCardInner(props: FindingCardProps) {
  const { finding: f, number, state, active, acceptBlock, descriptionId, onActivate, onAccept, onDismiss, onRestore } = props;
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const type = typeName(f.type, locale);
  const headingId = `${descriptionId}-h`;
  const blockHint = acceptBlock && acceptBlock !== 'accepted' ? t(`check.accept.blocked.${acceptBlock}`) : null;
  const blockHintId = `${descriptionId}-b`;
  const description = [
    t('check.finding.describe', { n: number, type }),
    f.severity === 'critical' ? t('check.finding.critical') : '',
    f.correction ? `${t('check.finding.correction')}: ${f.correction}` : '',
    `${t('check.finding.confidence')} ${pct(f.confidence)}`,
  ]
    .filter(Boolean)
    .join('; ');

  return (
    <article
      className={`finding-card${active ? ' is-active' : ''} state-${state}${f.severity === 'critical' ? ' is-critical' : ''}`}
      data-testid="check-finding"
      data-finding-id={f.id}
      data-state={state}
      data-type={f.type}
      data-critical={f.severity === 'critical' ? 'true' : undefined}
      data-start={f.span?.start}
      data-end={f.span?.end}
      data-confidence={f.confidence.toFixed(3)}
      data-source={f.source === 'rule' ? 'rule' : undefined}
      data-finding-nav=""
      tabIndex={0}
      aria-labelledby={headingId}
      onMouseEnter={() => onActivate(f.id)}
      onMouseLeave={() => onActivate(null)}
      onFocus={() => onActivate(f.id)}
    >
      <span id={descriptionId} hidden>
        {description}
      </span>
      <h4 id={headingId} className="finding-heading">
        <span className="finding-number">{number}.</span>{' '}
        <span className="type-swatch" style={{ background: ERROR_TYPE_COLOR[f.type] }} aria-hidden="true" />{' '}
        <span className="finding-type">{type}</span>
        <span className="visually-hidden">: </span>
        <q className="finding-quote" lang="zh-CN">
          {f.quote}
        </q>
      </h4>
      <ul className="badges" aria-label={t('check.finding.badges')}>
        {f.source === 'rule' && (
          <li className="badge badge-rule" data-testid="check-rule-badge" title={f.rule ? `${f.rule.drug} · ${f.rule.name}` : undefined}>
            {t('check.finding.rule')}
          </li>
        )}
        {f.severity === 'critical' && <li className="badge badge-critical">⚠ {t('check.finding.critical')}</li>}
        {f.medication && <li className="badge badge-medication">{t('check.finding.medication')}</li>}
        {f.span?.approximate && (
          <li className="badge badge-approximate" title={t('check.finding.approximate.hint')}>
            {t('check.finding.approximate')}
          </li>
        )}
        {f.span?.ambiguous && (
          <li className="badge badge-ambiguous" title={t('check.finding.ambiguous.hint')}>
            {t('check.finding.ambiguous')}
          </li>
        )}
        {!f.span && <li className="badge badge-unlocated">{t('check.finding.unlocated')}</li>}
        {state !== 'open' && <li className={`badge badge-${state}`}>{t(`check.finding.state.${state}`)}</li>}
      </ul>
      <dl className="finding-details">
        <dt>{t('check.finding.correction')}</dt>
        <dd lang="zh-CN">{f.correction || '—'}</dd>
        <dt>{t('check.finding.reason')}</dt>
        <dd lang="zh-CN" className="finding-reason">
          {f.reason || '—'}
        </dd>
        {f.rule && (
          <>
            <dt>{t('check.finding.rule.limit')}</dt>
            <dd lang="zh-CN">
              {f.rule.limit} · {t('check.finding.rule.found')} {f.rule.found}
            </dd>
          </>
        )}
        <dt>{t('check.finding.confidence')}</dt>
        <dd>
          <meter min={0} max={1} value={f.confidence} aria-label={t('check.finding.confidence')} /> {pct(f.confidence)}
          {f.rewardScore !== null && (
            <span className="finding-subscores">
              {' '}
              ({t('check.finding.reward')} {pct(f.rewardScore)} · {t('check.finding.support')} {pct(f.support)})
            </span>
          )}
        </dd>
      </dl>
      {props.evidence && <FindingEvidence passages={props.evidence} query={`${f.quote}${f.correction}`} />}
      <div className="finding-actions">
        {state === 'dismissed' ? (
          <button type="button" data-testid="check-restore" onClick={() => onRestore(f.id)}>
            {t('check.action.restore')}
          </button>
        ) : (
          <>
            <button
              type="button"
              data-testid="check-accept"
              disabled={acceptBlock !== null}
              aria-describedby={blockHint ? blockHintId : undefined}
              onClick={() => onAccept(f.id)}
            >
              {state === 'accepted' ? t('check.finding.state.accepted') : t('check.action.accept')}
            </button>
            {state === 'open' && (
              <button type="button" data-testid="check-dismiss" onClick={() => onDismiss(f.id)}>
                {t('check.action.dismiss')}
              </button>
            )}
          </>
        )}
        {blockHint && (
          <span id={blockHintId} className="hint">
            {blockHint}
          </span>
        )}
      </div>
    </article>
  );
}

export const FindingCard = memo(FindingCardInner);
