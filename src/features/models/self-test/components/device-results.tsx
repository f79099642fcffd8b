/**
 * Per-device figures (load, warm-up, prefill and decode speed, WebLLM's own
 * stats), typed errors with their remedy, and each prompt's output.
 */
import { useT } from '../../../../i18n/use-t';
import { useLocaleStore } from '../../../../i18n/locale-store';
import type { MessageKey } from '../../../../i18n/messages';
import { REMEDY_BY_CODE, type SerializedError } from '../../../../protocol/errors';
import { formatMs, formatRate } from '../format';
import type { DeviceRun, PromptOutput, SelfTestDevice } from '../run-self-test';
import { useSelftestT, type SelftestT } from '../use-selftest-t';
import { SelftestTable } from './selftest-table';

export function deviceName(t: SelftestT, device: string): string {
  return device === 'webgpu' ? t('selftest.device.webgpu') : device === 'wasm' ? t('selftest.device.wasm') : device;
}

function ErrorLine({ device, error }: { device: SelfTestDevice; error: SerializedError }) {
  const t = useSelftestT();
  const tApp = useT();
  const remedy = REMEDY_BY_CODE[error.code];
  return (
    <div className="panel panel-warning" role="alert" data-testid="selftest-error" data-device={device} data-code={error.code}>
      <p>{t('selftest.error.title', { device: deviceName(t, device), message: tApp(`error.${error.code}` as MessageKey) })}</p>
      {remedy !== 'none' ? <p>{t('selftest.error.remedy', { remedy: tApp(`remedy.${remedy}` as MessageKey) })}</p> : null}
      <details>
        <summary>{error.code}</summary>
        <p className="muted">{error.message}</p>
      </details>
    </div>
  );
}

export function DeviceSummary({ runs }: { runs: readonly DeviceRun[] }) {
  const t = useSelftestT();
  const locale = useLocaleStore((s) => s.locale);
  if (runs.length === 0) return null;
  const stateLabel = (s: DeviceRun['status']) => t(s === 'ok' ? 'selftest.results.ok' : s === 'failed' ? 'selftest.results.failed' : 'selftest.results.skipped');
  const headers = (
    ['device', 'state', 'loadedOn', 'dtype', 'load', 'warmup', 'prefill', 'decode', 'engineStats', 'library'] as const
  ).map((column) => t(`selftest.results.${column}`));
  return (
    <>
      <SelftestTable data-testid="selftest-devices" caption={t('selftest.results.title')} headers={headers}>
        {runs.map((run) => (
          <tr key={run.device} data-testid="selftest-device" data-device={run.device} data-status={run.status} data-loaded-device={run.load?.device ?? ''}>
            <th scope="row">{deviceName(t, run.device)}</th>
            <td>{stateLabel(run.status)}</td>
            <td>{run.load ? deviceName(t, run.load.device) : '—'}</td>
            <td>{run.load?.dtype ?? run.dtype ?? '—'}</td>
            <td>{formatMs(run.load?.loadMs, locale)}</td>
            <td>{formatMs(run.load?.warmupMs, locale)}</td>
            <td>{formatRate(run.throughput?.prefillTokensPerSec, locale)}</td>
            <td>{formatRate(run.throughput?.decodeTokensPerSec, locale)}</td>
            <td>
              {run.engineStats
                ? `${formatRate(run.engineStats.prefillTokensPerSec, locale)} / ${formatRate(run.engineStats.decodeTokensPerSec, locale)}`
                : '—'}
            </td>
            <td>{run.load?.library ?? '—'}</td>
          </tr>
        ))}
      </SelftestTable>
      {runs.map((run) =>
        run.load && run.ranOnRequestedDevice === false ? (
          <p key={`${run.device}-wrong`} className="error-text">
            {t('selftest.results.wrongDevice', { actual: deviceName(t, run.load.device), requested: deviceName(t, run.device) })}
          </p>
        ) : null,
      )}
      {runs.map((run) => (run.error ? <ErrorLine key={`${run.device}-error`} device={run.device} error={run.error} /> : null))}
    </>
  );
}

export function DeviceOutputs({ device, outputs }: { device: SelfTestDevice; outputs: readonly PromptOutput[] }) {
  const t = useSelftestT();
  if (outputs.length === 0) return null;
  const headingId = `selftest-outputs-${device}`;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>{t('selftest.results.outputs', { device: deviceName(t, device) })}</h3>
      <ol className="selftest-outputs">
        {outputs.map((o) => (
          <li
            key={o.promptId}
            data-testid="selftest-result"
            data-device={device}
            data-prompt={o.promptId}
            data-text={o.text}
            data-chunks={o.stream.chunks}
            data-concat-match={o.stream.concatMatches ? 'true' : 'false'}
          >
            <p className="muted">
              {t('selftest.results.prompt', { id: o.promptId })} ·{' '}
              {t('selftest.results.tokens', { prompt: o.promptTokens, completion: o.completionTokens, reason: o.finishReason })}
            </p>
            <pre lang="zh-CN">{o.text}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
