import type { ConfigIssue } from '../domain/config/types';
import { useT } from '../i18n';
import { useAppStore } from '../stores/app-store';

export function ConfigIssueList({ issues }: { issues: readonly ConfigIssue[] }) {
  const t = useT();
  return (
    <ul className="issue-list">
      {issues.map((issue, i) => (
        <li key={`${issue.path}-${i}`}>
          {t(`config.issue.${issue.kind}`, { path: '\u0000' })
            .split('\u0000')
            .flatMap((part, j) => (j === 0 ? [part] : [<code key={j}>{issue.path}</code>, part]))}{' '}
          <span className="muted">{t('config.issue.detail', { message: issue.message })}</span>
        </li>
      ))}
    </ul>
  );
}

/** Shown on every screen while app-config.json has problems or the CSP blocks a configured host. */
export function ConfigBanner() {
  const t = useT();
  const issues = useAppStore((s) => s.configIssues);
  const csp = useAppStore((s) => s.csp);
  if (issues.length === 0 && csp.state !== 'blocked') return null;
  return (
    <section className="panel panel-warning" role="alert" aria-labelledby="config-banner-title">
      <h2 id="config-banner-title">{issues.length > 0 ? t('config.banner.title') : t('csp.title')}</h2>
      {issues.length > 0 ? (
        <>
          <p>{t('config.banner.body')}</p>
          <ConfigIssueList issues={issues} />
        </>
      ) : null}
      {csp.state === 'blocked' ? <CspBlocked hosts={csp.hosts} /> : null}
    </section>
  );
}

export function CspBlocked({ hosts }: { hosts: readonly string[] }) {
  const t = useT();
  return (
    <>
      <p>{t('csp.blocked', { hosts: hosts.join(', ') })}</p>
      <p>
        <code>{t('csp.fix')}</code>
      </p>
    </>
  );
}
