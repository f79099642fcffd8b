// @vitest-environment happy-dom
// The benchmark's model picker lists each model once, by its label (issue 14 point 7); ids stay in tooltips and specs.
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_CONFIG } from '../../../../src/domain/config/types';
import type { CatalogEntry } from '../../../../src/domain/config/schema';
import { useModelChoices } from '../../../../src/features/bench/model-choices';
import { useLocaleStore } from '../../../../src/i18n';
import { modelsRepo } from '../../../../src/storage/models-repo';
import { useAppStore } from '../../../../src/stores/app-store';
import { enableReactAct, wipeAppDb } from '../../../fixtures/app-db';

const VERIFIER = 'hospital/med-verifier';
const CATALOG: CatalogEntry[] = [
  {
    id: VERIFIER,
    engine: 'transformers',
    role: 'verifier',
    task: 'text-generation',
    dtypes: ['q4f16', 'q8'],
    sizeBytes: 500_000_000,
    label: { zh: '院内核查模型', en: 'Hospital verifier' },
    description: { zh: '院内部署', en: 'Deployed in the hospital' },
  },
];

beforeAll(enableReactAct);

function Picker() {
  const { verifiers } = useModelChoices();
  return (
    <select data-testid="picker">
      {verifiers.map((m) => (
        <option key={m.key} value={m.key} title={m.spec.id}>
          {m.label}
        </option>
      ))}
    </select>
  );
}

describe('benchmark model choices', () => {
  beforeEach(async () => {
    await wipeAppDb();
    useLocaleStore.getState().reset();
    useAppStore.getState().setConfig({ config: { ...DEFAULT_APP_CONFIG, catalog: CATALOG, inferenceEndpoints: [] }, issues: [], source: 'file' });
  });
  afterEach(cleanup);

  it('lists an installed deployment model once, by its label, with the id in the tooltip', async () => {
    const now = Date.now();
    await modelsRepo.put({
      id: `transformers:${VERIFIER}:q4f16`,
      modelId: VERIFIER,
      engine: 'transformers',
      dtype: 'q4f16',
      task: 'text-generation',
      source: { hubHost: 'https://mirror.hospital.example' },
      origin: 'download',
      files: [],
      totalBytes: 0,
      state: 'installed',
      installedAt: now,
      updatedAt: now,
    });
    render(<Picker />);
    await waitFor(() => expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['院内核查模型 · q4f16']));
    const option = screen.getByRole('option');
    expect(option.getAttribute('title')).toBe(VERIFIER);
    expect(option.textContent).not.toContain(VERIFIER);
  });

  it('offers a deployment model that is not installed yet, by its label', async () => {
    render(<Picker />);
    await waitFor(() => expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['院内核查模型 · q8']));
  });
});
