/**
 * The self-test's functional checks: a verdict table, then streaming, judge
 * scores, interrupt and (when chosen) reward-classifier scores, per device.
 * Rows carry data attributes (device, figures, status) so a support person or
 * a test can read the numbers without parsing the localized text.
 */
import { useLocaleStore } from '../../../../i18n/locale-store';
import type { ClassifierDeviceRun } from '../classifier-check';
import { formatMs, formatScore } from '../format';
import type { CheckVerdict, DeviceRun, SelfTestReport } from '../run-self-test';
import type { ScoreAgreement } from '../score-agreement';
import { deviceName } from './device-results';
import { useT, type Translate } from '../../../../i18n';

const bool = (v: boolean): 'true' | 'false' => (v ? 'true' : 'false');
const num = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

function verdictText(t: Translate<'selftest'>, v: CheckVerdict): string {
  return t(`selftest.verdict.${v}`);
}

export function ChecksSummary({ report }: { report: SelfTestReport }) {
  const t = useT('selftest');
  const rows: [keyof SelfTestReport['checks'], string][] = [
    ['generation', t('selftest.checks.generation')],
    ['streaming', t('selftest.checks.streaming')],
    ['judge', t('selftest.checks.judge')],
    ['interrupt', t('selftest.checks.interrupt')],
    ['classifier', t('selftest.checks.classifier')],
  ];
  return (
    <table className="selftest-table" data-testid="selftest-checks">
      <caption className="visually-hidden">{t('selftest.checks.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('selftest.checks.check')}</th>
          <th scope="col">{t('selftest.checks.verdict')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, label]) => (
          <tr key={key} data-check={key} data-status={report.checks[key]}>
            <th scope="row">{label}</th>
            <td className={report.checks[key] === 'fail' ? 'error-text' : undefined}>{verdictText(t, report.checks[key])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StreamTable({ runs }: { runs: readonly DeviceRun[] }) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  const rows = runs.filter((r) => r.streaming);
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="selftest-stream-title">
      <h3 id="selftest-stream-title">{t('selftest.stream.title')}</h3>
      <p className="muted">{t('selftest.stream.note')}</p>
      <div className="selftest-scroll">
        <table className="selftest-table">
          <thead>
            <tr>
              <th scope="col">{t('selftest.results.device')}</th>
              <th scope="col">{t('selftest.stream.chunks')}</th>
              <th scope="col">{t('selftest.stream.minChunks')}</th>
              <th scope="col">{t('selftest.stream.firstChunk')}</th>
              <th scope="col">{t('selftest.stream.firstBefore')}</th>
              <th scope="col">{t('selftest.stream.concat')}</th>
              <th scope="col">{t('selftest.checks.verdict')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ device, streaming: s }) =>
              s ? (
                <tr
                  key={device}
                  data-testid="selftest-stream"
                  data-device={device}
                  data-chunks={s.totalChunks}
                  data-min-chunks={s.minChunks}
                  data-first-chunk-ms={num(s.meanFirstChunkMs)}
                  data-first-before-result={bool(s.allFirstBeforeResult)}
                  data-concat-match={bool(s.allConcatMatch)}
                  data-status={s.passed ? 'pass' : 'fail'}
                >
                  <th scope="row">{deviceName(t, device)}</th>
                  <td>{s.totalChunks}</td>
                  <td>{s.minChunks}</td>
                  <td>{formatMs(s.meanFirstChunkMs, locale)}</td>
                  <td>{s.allFirstBeforeResult ? t('selftest.yes') : t('selftest.no')}</td>
                  <td>{s.allConcatMatch ? t('selftest.yes') : t('selftest.no')}</td>
                  <td>{verdictText(t, s.passed ? 'pass' : 'fail')}</td>
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface ScoreRow {
  caseId: string;
  byDevice: Partial<Record<DeviceRun['device'], number>>;
}

/** Rows of scores per case and device, in case order of first appearance. */
function scoreRows(sides: readonly { device: DeviceRun['device']; scores: readonly { caseId: string; score: number }[] }[]): ScoreRow[] {
  const rows: ScoreRow[] = [];
  for (const side of sides) {
    for (const s of side.scores) {
      let row = rows.find((r) => r.caseId === s.caseId);
      if (!row) {
        row = { caseId: s.caseId, byDevice: {} };
        rows.push(row);
      }
      row.byDevice[side.device] = s.score;
    }
  }
  return rows;
}

function ScoreTable(props: {
  testId: 'selftest-judge' | 'selftest-classify';
  caseLabel: string;
  devices: readonly DeviceRun['device'][];
  rows: readonly ScoreRow[];
  agreement: ScoreAgreement | null;
}) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  const { testId, devices, rows, agreement } = props;
  return (
    <>
      <div className="selftest-scroll">
        <table className="selftest-table">
          <thead>
            <tr>
              <th scope="col">{props.caseLabel}</th>
              {devices.map((d) => (
                <th scope="col" key={d}>
                  {deviceName(t, d)}
                </th>
              ))}
              <th scope="col">{t('selftest.judge.diff')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const compared = agreement?.perCase.find((c) => c.caseId === row.caseId);
              return (
                <tr key={row.caseId} data-case={row.caseId} data-status={compared ? (compared.passed ? 'pass' : 'fail') : ''}>
                  <th scope="row">{row.caseId}</th>
                  {devices.map((d) => {
                    const score = row.byDevice[d];
                    return (
                      <td key={d} data-testid={testId} data-device={d} data-case={row.caseId} data-score={num(score)}>
                        {formatScore(score, locale)}
                      </td>
                    );
                  })}
                  <td className={compared && !compared.passed ? 'error-text' : undefined}>{formatScore(compared?.diff, locale)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {agreement ? (
        <p
          data-testid={`${testId}-agreement`}
          data-max-diff={num(agreement.maxDiff)}
          data-tolerance={agreement.tolerance}
          data-status={agreement.passed ? 'pass' : 'fail'}
          className={agreement.passed ? undefined : 'error-text'}
        >
          <strong>{verdictText(t, agreement.passed ? 'pass' : 'fail')}</strong>
          {' · '}
          {t('selftest.judge.summary', { diff: formatScore(agreement.maxDiff, locale), tolerance: formatScore(agreement.tolerance, locale) })}
        </p>
      ) : null}
    </>
  );
}

function JudgeSection({ runs, agreement }: { runs: readonly DeviceRun[]; agreement: ScoreAgreement | null }) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  const judged = runs.filter((r) => r.judge);
  if (judged.length === 0) return null;
  const rows = scoreRows(judged.map((r) => ({ device: r.device, scores: r.judge?.scores ?? [] })));
  return (
    <section aria-labelledby="selftest-judge-title">
      <h3 id="selftest-judge-title">{t('selftest.judge.title')}</h3>
      <p className="muted">{t('selftest.judge.note', { tolerance: formatScore(agreement?.tolerance ?? 0.02, locale) })}</p>
      <ScoreTable testId="selftest-judge" caseLabel={t('selftest.judge.case')} devices={judged.map((r) => r.device)} rows={rows} agreement={agreement} />
      {judged.map((r) =>
        r.judge?.error ? (
          <p key={r.device} className="error-text" role="alert" data-testid="selftest-judge-error" data-device={r.device} data-code={r.judge.error.code}>
            {t('selftest.judge.failed', { device: deviceName(t, r.device), message: r.judge.error.message })}
          </p>
        ) : null,
      )}
    </section>
  );
}

function InterruptTable({ runs }: { runs: readonly DeviceRun[] }) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  const rows = runs.filter((r) => r.interrupt);
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="selftest-interrupt-title">
      <h3 id="selftest-interrupt-title">{t('selftest.interrupt.title')}</h3>
      <p className="muted">{t('selftest.interrupt.note')}</p>
      <div className="selftest-scroll">
        <table className="selftest-table">
          <thead>
            <tr>
              <th scope="col">{t('selftest.results.device')}</th>
              <th scope="col">{t('selftest.interrupt.cancelled')}</th>
              <th scope="col">{t('selftest.interrupt.chunksAfter')}</th>
              <th scope="col">{t('selftest.interrupt.stop')}</th>
              <th scope="col">{t('selftest.interrupt.followUp')}</th>
              <th scope="col">{t('selftest.checks.verdict')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ device, interrupt: i }) =>
              i ? (
                <tr
                  key={device}
                  data-testid="selftest-interrupt"
                  data-device={device}
                  data-cancelled={i.cancelled}
                  data-abort-error={bool(i.cancelled === 'abort-error')}
                  data-chunks-after-abort={i.chunksAfterAbort}
                  data-stop-ms={num(i.stopMs)}
                  data-stopped-promptly={i.stoppedPromptly === null ? '' : bool(i.stoppedPromptly)}
                  data-follow-up={i.followUp.ok ? 'ok' : 'failed'}
                  data-follow-up-text={i.followUp.ok ? i.followUp.text : ''}
                  data-status={i.passed ? 'pass' : 'fail'}
                >
                  <th scope="row">{deviceName(t, device)}</th>
                  <td>
                    {i.cancelled === 'other-error'
                      ? t('selftest.interrupt.other-error', { code: i.cancelError?.code ?? '' })
                      : t(`selftest.interrupt.${i.cancelled}`)}
                  </td>
                  <td>{i.chunksAfterAbort}</td>
                  <td>{`${formatMs(i.stopMs, locale)} (≤ ${formatMs(i.stopBoundMs, locale)})`}</td>
                  <td>
                    {i.followUp.ok
                      ? t('selftest.interrupt.followUpOk', { tokens: i.followUp.completionTokens })
                      : t('selftest.interrupt.followUpFailed', { code: i.followUp.error.code })}
                  </td>
                  <td className={i.passed ? undefined : 'error-text'}>{verdictText(t, i.passed ? 'pass' : 'fail')}</td>
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ClassifierSection({ runs, agreement, modelId }: { runs: readonly ClassifierDeviceRun[]; agreement: ScoreAgreement | null; modelId: string | null }) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  if (runs.length === 0) return null;
  const scored = runs.filter((r) => r.status !== 'skipped');
  const rows = scoreRows(scored.map((r) => ({ device: r.device, scores: r.scores })));
  return (
    <section aria-labelledby="selftest-classify-title">
      <h3 id="selftest-classify-title">{t('selftest.classify.title')}</h3>
      <p className="muted">{t('selftest.classify.note', { model: modelId ?? '', tolerance: formatScore(agreement?.tolerance ?? 0.02, locale) })}</p>
      <ScoreTable testId="selftest-classify" caseLabel={t('selftest.classify.case')} devices={scored.map((r) => r.device)} rows={rows} agreement={agreement} />
      {runs.map((r) =>
        r.error ? (
          <p key={r.device} className={r.status === 'failed' ? 'error-text' : 'muted'} data-testid="selftest-classify-error" data-device={r.device} data-code={r.error.code}>
            {t('selftest.classify.failed', { device: deviceName(t, r.device), message: r.error.message })}
          </p>
        ) : null,
      )}
    </section>
  );
}

/** Everything below the device table: shown as each device finishes, agreement once the report is in. */
export function ChecksPanel(props: { runs: readonly DeviceRun[]; classifierRuns: readonly ClassifierDeviceRun[]; report: SelfTestReport | null; classifierId: string | null }) {
  const t = useT('selftest');
  const { runs, classifierRuns, report } = props;
  const any = runs.some((r) => r.streaming || r.judge || r.interrupt) || classifierRuns.length > 0;
  if (!any) return null;
  return (
    <section className="panel" aria-labelledby="selftest-checks-title">
      <h2 id="selftest-checks-title">{t('selftest.checks.title')}</h2>
      {report ? <ChecksSummary report={report} /> : null}
      <StreamTable runs={runs} />
      <JudgeSection runs={runs} agreement={report?.judgeAgreement ?? null} />
      <InterruptTable runs={runs} />
      <ClassifierSection runs={classifierRuns} agreement={report?.classifier?.agreement ?? null} modelId={report?.classifier?.model.id ?? props.classifierId} />
    </section>
  );
}
