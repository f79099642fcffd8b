/** The capability probe as a two-column table: what this device offers the engines. */
import { useLocaleStore } from '../../../../i18n/locale-store';
import type { Capabilities } from '../../../../protocol/capabilities';
import { formatBytes } from '../../format';
import { useSelftestT } from '../use-selftest-t';
import { SelftestTable } from './selftest-table';

export function CapabilityTable({ caps }: { caps: Capabilities | null }) {
  const t = useSelftestT();
  const locale = useLocaleStore((s) => s.locale);
  if (!caps) {
    return (
      <p role="status" data-testid="selftest-caps-probing">
        {t('selftest.caps.probing')}
      </p>
    );
  }
  const yesNo = (v: boolean | null) => (v === null ? t('selftest.unknown') : v ? t('selftest.yes') : t('selftest.no'));
  const gpu = caps.webgpu;
  const adapter = gpu.adapter;
  const rows: [string, string, string][] = [
    ['webgpu', t('selftest.caps.webgpu'), gpu.available ? t('selftest.caps.webgpuYes') : t('selftest.caps.webgpuNo', { reason: gpu.reason ?? '' })],
  ];
  if (gpu.available) {
    const name = adapter ? [adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' · ') || t('selftest.unknown') : t('selftest.unknown');
    rows.push(
      ['adapter', t('selftest.caps.adapter'), `${name}${adapter?.isFallbackAdapter ? t('selftest.caps.fallback') : ''}`],
      ['shader-f16', t('selftest.caps.shaderF16'), yesNo(gpu.shaderF16)],
      ['max-buffer', t('selftest.caps.maxBuffer'), formatBytes(gpu.limits.maxBufferSize, locale)],
      ['max-storage-binding', t('selftest.caps.maxStorageBinding'), formatBytes(gpu.limits.maxStorageBufferBindingSize, locale)],
      ['max-workgroup-storage', t('selftest.caps.maxWorkgroupStorage'), formatBytes(gpu.limits.maxComputeWorkgroupStorageSize, locale)],
    );
  }
  rows.push(
    ['storage', t('selftest.caps.storage'), `${formatBytes(caps.storage.usage, locale)} / ${formatBytes(caps.storage.quota, locale)}`],
    ['persisted', t('selftest.caps.persisted'), yesNo(caps.storage.persisted)],
    ['isolated', t('selftest.caps.isolated'), yesNo(caps.crossOriginIsolated)],
    ['threads', t('selftest.caps.threads'), String(caps.threads)],
    ['memory', t('selftest.caps.memory'), caps.deviceMemoryGiB === null ? t('selftest.unknown') : `${caps.deviceMemoryGiB} GiB`],
  );
  return (
    <SelftestTable
      data-testid="selftest-caps"
      data-webgpu={gpu.available ? 'true' : 'false'}
      caption={t('selftest.caps.title')}
      headers={[t('selftest.caps.item'), t('selftest.caps.value')]}
    >
      {rows.map(([key, label, value]) => (
        <tr key={key} data-cap={key}>
          <th scope="row">{label}</th>
          <td>{value}</td>
        </tr>
      ))}
    </SelftestTable>
  );
}
