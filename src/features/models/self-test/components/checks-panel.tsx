/**
 * The self-test's functional checks: a verdict table, then streaming, judge
 * scores, interrupt and (when chosen) reward-classifier scores, per device.
 * Rows carry data attributes (device, figures, status) so a support person or
 * a test can read the numbers without parsing the localized text.
 */
import type { ReactNode } from 'react';
import { useLocaleStore } from '../../../../i18n';
import type { ClassifierDeviceRun } from '../classifier-check';
import { formatMs, formatScore } from '../format';
import type { CheckVerdict, DeviceRun, SelfTestReport } from '../run-self-test';
import type { ScoreAgreement } from '../score-agreement';
import { deviceName } from './device-results';
import { CheckSection, SelftestTable } from './selftest-table';
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
    ['prefixReuse', t('selftest.checks.prefixReuse')],
    ['classifier', t('selftest.checks.classifier')],
  ];
  return (
    <SelftestTable data-testid="selftest-checks" caption={t('selftest.checks.title')} headers={[t('selftest.checks.check'), t('selftest.checks.verdict')]}>
      {rows.map(([key, label]) => (
        <tr key={key} data-check={key} data-status={report.checks[key]}>
          <th scope="row">{label}</th>
          <td className={report.checks[key] === 'fail' ? 'error-text' : undefined}>{verdictText(t, report.checks[key])}</td>
        </tr>
      ))}
    </SelftestTable>
  );
}

/** One row per device that ran `check`: the device first, then the check's own cells; the row carries its figures as data attributes. */
function DeviceCheckTable<K extends 'streaming' | 'interrupt' | 'prefixReuse'>(props: {
  runs: readonly DeviceRun[];
  check: K;
  id: string;
  title: string;
  note: string;
  headers: readonly string[];
  testId: string;
  data: (result: NonNullable<DeviceRun[K]>) => Record<`data-${string}`, string | number>;
  cells: (result: NonNullable<DeviceRun[K]>) => ReactNode;
}) {
  const t = useT('selftest');
  const rows = props.runs.flatMap((run) => {
    const result = run[props.check];
    return result ? [{ device: run.device, result: result as NonNullable<DeviceRun[K]> }] : [];
  });
  if (rows.length === 0) return null;
  return (
    <CheckSection id={props.id} title={props.title} note={props.note}>
      <SelftestTable scroll headers={[t('selftest.results.device'), ...props.headers, t('selftest.checks.verdict')]}>
        {rows.map(({ device, result }) => (
          <tr key={device} data-testid={props.testId} data-device={device} {...props.data(result)} data-status={result.passed ? 'pass' : 'fail'}>
            <th scope="row">{deviceName(t, device)}</th>
            {props.cells(result)}
          </tr>
        ))}
      </SelftestTable>
    </CheckSection>
  );
}

function StreamTable({ runs }: { runs: readonly DeviceRun[] }) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  return (
    <DeviceCheckTable
      runs={runs}
      check="streaming"
      id="selftest-stream"
      title={t('selftest.stream.title')}
      note={t('selftest.stream.note')}
      headers={[t('selftest.stream.chunks'), t('selftest.stream.minChunks'), t('selftest.stream.firstChunk'), t('selftest.stream.firstBefore'), t('selftest.stream.concat')]}
      testId="selftest-stream"
      data={(s) => ({
        'data-chunks': s.totalChunks,
        'data-min-chunks': s.minChunks,
        'data-first-chunk-ms': num(s.meanFirstChunkMs),
        'data-first-before-result': bool(s.allFirstBeforeResult),
        'data-concat-match': bool(s.allConcatMatch),
      })}
      cells={(s) => (
        <>
          <td>{s.totalChunks}</td>
          <td>{s.minChunks}</td>
          <td>{formatMs(s.meanFirstChunkMs, locale)}</td>
          <td>{s.allFirstBeforeResult ? t('selftest.yes') : t('selftest.no')}</td>
          <td>{s.allConcatMatch ? t('selftest.yes') : t('selftest.no')}</td>
          <td>{verdictText(t, s.passed ? 'pass' : 'fail')}</td>
        </>
      )}
    />
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
      <SelftestTable scroll headers={[props.caseLabel, ...devices.map((d) => deviceName(t, d)), t('selftest.judge.diff')]}>
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
      </SelftestTable>
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
    <CheckSection id="selftest-judge" title={t('selftest.judge.title')} note={t('selftest.judge.note', { tolerance: formatScore(agreement?.tolerance ?? 0.02, locale) })}>
      <ScoreTable testId="selftest-judge" caseLabel={t('selftest.judge.case')} devices={judged.map((r) => r.device)} rows={rows} agreement={agreement} />
      {judged.map((r) =>
        r.judge?.error ? (
          <p key={r.device} className="error-text" role="alert" data-testid="selftest-judge-error" data-device={r.device} data-code={r.judge.error.code}>
            {t('selftest.judge.failed', { device: deviceName(t, r.device), message: r.judge.error.message })}
          </p>
        ) : null,
      )}
    </CheckSection>
  );
}

function InterruptTable({ runs }: { runs: readonly DeviceRun[] }) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  return (
    <DeviceCheckTable
      runs={runs}
      check="interrupt"
      id="selftest-interrupt"
      title={t('selftest.interrupt.title')}
      note={t('selftest.interrupt.note')}
      headers={[t('selftest.interrupt.cancelled'), t('selftest.interrupt.chunksAfter'), t('selftest.interrupt.stop'), t('selftest.interrupt.followUp')]}
      testId="selftest-interrupt"
      data={(i) => ({
        'data-cancelled': i.cancelled,
        'data-abort-error': bool(i.cancelled === 'abort-error'),
        'data-chunks-after-abort': i.chunksAfterAbort,
        'data-stop-ms': num(i.stopMs),
        'data-stopped-promptly': i.stoppedPromptly === null ? '' : bool(i.stoppedPromptly),
        'data-follow-up': i.followUp.ok ? 'ok' : 'failed',
        'data-follow-up-text': i.followUp.ok ? i.followUp.text : '',
      })}
      cells={(i) => (
        <>
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
        </>
      )}
    />
  );
}

function PrefixReuseTable({ runs }: { runs: readonly DeviceRun[] }) {
  const t = useT('selftest');
  return (
    <DeviceCheckTable
      runs={runs}
      check="prefixReuse"
      id="selftest-prefix-reuse"
      title={t('selftest.prefixReuse.title')}
      note={t('selftest.prefixReuse.note')}
      headers={[t('selftest.prefixReuse.identical'), t('selftest.prefixReuse.prefill')]}
      testId="selftest-prefix-reuse"
      data={(r) => ({
        'data-identical': r.prompts.filter((p) => p.identical).length,
        'data-prompts': r.prompts.length,
        'data-prefill-on': r.prefillOn,
        'data-prefill-off': r.prefillOff,
        'data-error': r.error?.code ?? '',
      })}
      cells={(r) => (
        <>
          <td>{r.error ? t('selftest.prefixReuse.failed', { message: r.error.message }) : `${r.prompts.filter((p) => p.identical).length} / ${r.prompts.length}`}</td>
          <td>{t('selftest.prefixReuse.tokens', { on: r.prefillOn, off: r.prefillOff })}</td>
          <td className={r.passed ? undefined : 'error-text'}>{verdictText(t, r.passed ? 'pass' : 'fail')}</td>
        </>
      )}
    />
  );
}

function ClassifierSection({ runs, agreement, modelId }: { runs: readonly ClassifierDeviceRun[]; agreement: ScoreAgreement | null; modelId: string | null }) {
  const t = useT('selftest');
  const locale = useLocaleStore((s) => s.locale);
  if (runs.length === 0) return null;
  const scored = runs.filter((r) => r.status !== 'skipped');
  const rows = scoreRows(scored.map((r) => ({ device: r.device, scores: r.scores })));
  return (
    <CheckSection
      id="selftest-classify"
      title={t('selftest.classify.title')}
      note={t('selftest.classify.note', { model: modelId ?? '', tolerance: formatScore(agreement?.tolerance ?? 0.02, locale) })}
    >
      <ScoreTable testId="selftest-classify" caseLabel={t('selftest.classify.case')} devices={scored.map((r) => r.device)} rows={rows} agreement={agreement} />
      {runs.map((r) =>
        r.error ? (
          <p key={r.device} className={r.status === 'failed' ? 'error-text' : 'muted'} data-testid="selftest-classify-error" data-device={r.device} data-code={r.error.code}>
            {t('selftest.classify.failed', { device: deviceName(t, r.device), message: r.error.message })}
          </p>
        ) : null,
      )}
    </CheckSection>
  );
}

/** Everything below the device table: shown as each device finishes, agreement once the report is in. */
export function ChecksPanel(props: { runs: readonly DeviceRun[]; classifierRuns: readonly ClassifierDeviceRun[]; report: SelfTestReport | null; classifierId: string | null }) {
  const t = useT('selftest');
  const { runs, classifierRuns, report } = props;
  const any = runs.some((r) => r.streaming || r.judge || r.interrupt || r.prefixReuse) || classifierRuns.length > 0;
  if (!any) return null;
  return (
    <section className="panel" aria-labelledby="selftest-checks-title">
      <h2 id="selftest-checks-title">{t('selftest.checks.title')}</h2>
      {report ? <ChecksSummary report={report} /> : null}
      <StreamTable runs={runs} />
      <JudgeSection runs={runs} agreement={report?.judgeAgreement ?? null} />
      <InterruptTable runs={runs} />
      <PrefixReuseTable runs={runs} />
      <ClassifierSection runs={classifierRuns} agreement={report?.classifier?.agreement ?? null} modelId={report?.classifier?.model.id ?? props.classifierId} />
    </section>
  );
}
