/**
 * Shown while no verifier is loaded: what this device can run, the proposed
 * model with its download size, and the plain statement that text stays on
 * this device. Installing is the models screen's job (its installer shows
 * progress and makes the app work offline afterwards); this panel links
 * there, or calls an installer the session provides.
 */
import { useEffect, useState } from 'react';
import { CatalogModelSchema, downloadBytes, type CatalogModel } from '../../../domain/catalog/schema';
import { mergeCatalog } from '../../../domain/catalog/catalog';
import { recommendDefaults, type Recommendation } from '../../../domain/catalog/recommend';
import { toModelSpec } from '../../../domain/catalog/model-spec';
import { deploymentRecommendOptions } from '../../../domain/catalog/recommend';
import { probeCapabilities } from '../../../client/probe-capabilities';
import { useLocaleStore, useT } from '../../../i18n';
import type { Capabilities } from '../../../protocol/capabilities';
import { formatBytes } from '../../../ui/format-bytes';
import { useAppStore } from '../../../stores/app-store';


/** The built-in catalog plus the deployment's extras, as the Models screen lists them. */
function catalogOf(entries: readonly unknown[]): readonly CatalogModel[] {
  const parsed = entries.flatMap((e) => {
    const r = CatalogModelSchema.safeParse(e);
    return r.success ? [r.data] : [];
  });
  return mergeCatalog(parsed);
}

/** Download size of the build this device would install (the dtype toModelSpec picks), as the Models screen shows it. */
function installBytes(entry: CatalogModel, caps: Readonly<Capabilities> | null): number {
  let dtype = entry.dtypes[0] ?? 'q8';
  if (caps) {
    try {
      dtype = toModelSpec(entry, caps, { hubHost: 'https://huggingface.co' }).dtype;
    } catch {
      // not runnable here: the first listed build is the honest estimate
    }
  }
  return downloadBytes(entry, dtype);
}

export function FirstRunPanel() {
  const t = useT();
  const locale = useLocaleStore((s) => s.locale);
  const configCatalog = useAppStore((s) => s.config.catalog);
  const [caps, setCaps] = useState<Readonly<Capabilities> | null>(null);
  const [plan, setPlan] = useState<Recommendation | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    probeCapabilities()
      .then((c) => {
        if (!live) return;
        setCaps(c);
        try {
          setPlan(recommendDefaults(c, catalogOf(configCatalog), deploymentRecommendOptions(useAppStore.getState().config)));
        } catch {
          setFailed(true);
        }
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [configCatalog]);

  const size = plan ? installBytes(plan.verifier, caps) : null;
  const rewardExtra = plan && plan.reward.id !== plan.verifier.id ? installBytes(plan.reward, caps) : 0;

  return (
    <section className="first-run" aria-labelledby="first-run-title" data-testid="check-first-run">
      <h2 id="first-run-title">{t('check.firstRun.title')}</h2>
      <p className="privacy-note">{t('check.firstRun.privacy')}</p>
      {!caps && !failed && <p className="muted">{t('check.firstRun.detecting')}</p>}
      {caps && (
        <p>
          {caps.webgpu.available && !caps.webgpu.adapter?.isFallbackAdapter
            ? t('check.firstRun.gpu', { name: caps.webgpu.adapter?.description || caps.webgpu.adapter?.vendor || 'WebGPU' })
            : t('check.firstRun.cpu')}
        </p>
      )}
      {plan && size !== null && (
        <p>
          {t('check.firstRun.proposal', { model: plan.verifier.label[locale === 'zh-CN' ? 'zh' : 'en'], size: formatBytes(size + rewardExtra, locale) })}
        </p>
      )}
      {failed && <p>{t('check.firstRun.noPlan')}</p>}
      <p>
        <a className="button-link" href="#/models">
          {t('check.firstRun.install')}
        </a>
      </p>
      <p className="hint">{t('check.firstRun.offline')}</p>
    </section>
  );
}
