/** Per-prompt agreement between the WebGPU and WASM outputs, with the verdict first. */
import { useLocaleStore } from '../../../../i18n/locale-store';
import { formatPercent } from '../format';
import type { SelfTestReport } from '../run-self-test';
import { useSelftestT } from '../use-selftest-t';
import { SelftestTable } from './selftest-table';

export function AgreementPanel({ report }: { report: SelfTestReport }) {
  const t = useSelftestT();
  const locale = useLocaleStore((s) => s.locale);
  const { agreement } = report;
  if (!agreement) {
    return (
      <section className="panel" aria-labelledby="selftest-agreement-title" data-testid="selftest-agreement" data-outcome={report.outcome}>
        <h2 id="selftest-agreement-title">{t('selftest.agreement.title')}</h2>
        <p>{t('selftest.agreement.none')}</p>
      </section>
    );
  }
  const { summary, perPrompt } = agreement;
  const agree = report.outcome === 'agree';
  return (
    <section
      className={agree ? 'panel' : 'panel panel-warning'}
      aria-labelledby="selftest-agreement-title"
      data-testid="selftest-agreement"
      data-outcome={report.outcome}
      data-exact-share={summary.exactShare}
      data-token-agreement={summary.meanTokenAgreement}
    >
      <h2 id="selftest-agreement-title">{t('selftest.agreement.title')}</h2>
      <p>
        <strong>{agree ? t('selftest.agreement.agree') : t('selftest.agreement.disagree')}</strong>
      </p>
      <p>
        {t('selftest.agreement.summary', {
          exact: formatPercent(summary.exactShare, locale),
          tokens: formatPercent(summary.meanTokenAgreement, locale),
        })}
      </p>
      <SelftestTable
        caption={t('selftest.agreement.title')}
        headers={[t('selftest.agreement.prompt'), t('selftest.agreement.exact'), t('selftest.agreement.tokens'), t('selftest.agreement.divergence')]}
      >
        {perPrompt.map((p) => (
          <tr key={p.promptId} data-prompt={p.promptId} data-exact={p.exact ? 'true' : 'false'}>
            <th scope="row">{p.promptId}</th>
            <td>{p.exact ? t('selftest.yes') : t('selftest.no')}</td>
            <td>{formatPercent(p.tokenAgreement, locale)}</td>
            <td>{p.firstDivergence === null ? '—' : String(p.firstDivergence)}</td>
          </tr>
        ))}
      </SelftestTable>
    </section>
  );
}
