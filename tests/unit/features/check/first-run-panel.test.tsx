// @vitest-environment happy-dom
// The first-run panel proposes from the same catalog as the Models screen: built-in, deployment and the user's own models.
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customEntry } from '../../../../src/domain/catalog/custom-entry';
import { DEFAULT_APP_CONFIG } from '../../../../src/domain/config/types';
import { FirstRunPanel } from '../../../../src/features/check/components/first-run-panel';
import { useLocaleStore } from '../../../../src/i18n';
import { useAppStore } from '../../../../src/stores/app-store';
import { addCustomModel, setCustomModels } from '../../../../src/stores/catalog-store';
import { enableReactAct } from '../../../fixtures/app-db';

beforeAll(enableReactAct);

describe('FirstRunPanel', () => {
  beforeEach(() => {
    useAppStore.getState().reset();
    useLocaleStore.getState().reset();
    setCustomModels([]);
  });
  afterEach(cleanup);

  it('proposes a model the user added on the Models screen when the deployment names it as the default', async () => {
    // IT names the hospital's own model as the default; the user added it by its mirror URL on the Models screen.
    const entry = customEntry({ engine: 'transformers', hubIdOrUrl: 'https://mirror.hospital.example/med-org/med-verifier-onnx/resolve/main/', label: '院内核查模型' });
    useAppStore.getState().setConfig({ config: { ...DEFAULT_APP_CONFIG, catalog: [], defaultVerifier: entry.id }, issues: [], source: 'file' });
    render(<FirstRunPanel />);
    // Without the user's entry the proposal is a built-in model.
    await waitFor(() => expect(screen.getByTestId('check-first-run').textContent).toContain('推荐模型'));
    expect(screen.getByTestId('check-first-run').textContent).not.toContain('院内核查模型');
    addCustomModel(entry);
    await waitFor(() => expect(screen.getByTestId('check-first-run').textContent).toContain('推荐模型：院内核查模型'));
  });
});
