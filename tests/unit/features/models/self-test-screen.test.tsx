// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogModel } from '../../../../src/domain/catalog/schema';
import { SelfTestScreen } from '../../../../src/features/models/self-test-screen';
import { setSelfTestEngineFactoryForTesting } from '../../../../src/features/models/self-test/self-test-service';
import { useSelfTestStore } from '../../../../src/features/models/self-test/self-test-store';
import { SELFTEST_PROMPTS } from '../../../../src/features/models/self-test/prompts';
import { useLocaleStore } from '../../../../src/i18n';
import { useAppStore } from '../../../../src/stores/app-store';
import { fixtureVerifierEntry } from '../../../kit/catalog-entries';
import { createScriptedEngine } from '../../../kit/scripted-engine';

const ANSWER = '{"has_error":false,"errors":[]}';
const FIXTURE = fixtureVerifierEntry({ dtypes: ['fp32'], sizeBytes: 1000, label: { zh: '测试用微型核查模型', en: 'Tiny test verifier' } });

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

describe('SelfTestScreen (happy-dom has no WebGPU: WASM only)', () => {
  let created = 0;
  beforeEach(() => {
    created = 0;
    useSelfTestStore.getState().reset();
    useLocaleStore.getState().reset();
    useAppStore.getState().reset();
    const config = useAppStore.getState().config;
    useAppStore.getState().setConfig({ config: { ...config, catalog: [FIXTURE], defaultVerifier: FIXTURE.id }, issues: [], source: 'file' });
    setSelfTestEngineFactoryForTesting(() => {
      created++;
      return createScriptedEngine([ANSWER], { charsPerToken: 2, chunkDelayMs: 1 });
    });
  });
  afterEach(() => {
    cleanup();
    setSelfTestEngineFactoryForTesting(null);
  });

  it('shows the probe, runs on WASM, and explains why WebGPU was skipped with its remedy', async () => {
    render(<SelfTestScreen />);
    screen.getByRole('heading', { level: 1, name: '硬件自检' });
    const caps = await screen.findByTestId('selftest-caps');
    expect(caps.getAttribute('data-webgpu')).toBe('false');
    expect(within(caps).getByText('CPU 线程')).toBeTruthy();

    const picker = screen.getByLabelText('模型') as HTMLSelectElement;
    expect(picker.value).toBe(`transformers:${FIXTURE.id}`);
    fireEvent.click(screen.getByTestId('selftest-run'));
    await waitFor(() => expect(screen.getByTestId('selftest-status').getAttribute('data-state')).toBe('done'));

    expect(created).toBe(1);
    const outputs = screen.getAllByTestId('selftest-result');
    expect(outputs.map((o) => [o.getAttribute('data-device'), o.getAttribute('data-text')])).toEqual(SELFTEST_PROMPTS.map(() => ['wasm', ANSWER]));
    const error = screen.getByTestId('selftest-error');
    expect(error.getAttribute('data-code')).toBe('NO_WEBGPU');
    expect(error.textContent).toContain('改用 WASM（CPU）');
    expect(screen.getByTestId('selftest-agreement').getAttribute('data-outcome')).toBe('incomplete');
    const report = JSON.parse((screen.getByTestId('selftest-report') as HTMLTextAreaElement).value) as { devices: { device: string; status: string }[] };
    expect(report.devices.map((d) => `${d.device}:${d.status}`)).toEqual(['webgpu:skipped', 'wasm:ok']);
  });

  it('shows streaming, judge, interrupt and the optional reward classifier per device, with the checks verdicts', async () => {
    const reward: CatalogModel = { ...FIXTURE, id: 'fixture/tiny-reward', role: 'reward', task: 'text-classification', label: { zh: '测试用奖励模型', en: 'Tiny reward' } };
    const config = useAppStore.getState().config;
    useAppStore.getState().setConfig({ config: { ...config, catalog: [FIXTURE, reward], defaultVerifier: FIXTURE.id }, issues: [], source: 'file' });
    setSelfTestEngineFactoryForTesting(() =>
      createScriptedEngine([ANSWER], { charsPerToken: 2, score: (params) => (params.kind === 'judge' ? 0.5 : params.textPair === '剂量正确' ? 0.31 : 0.57) }),
    );
    render(<SelfTestScreen />);
    await screen.findByTestId('selftest-caps');
    const picker = screen.getByLabelText('奖励分类模型（可选）') as HTMLSelectElement;
    // Optional: nothing is chosen until the user picks one.
    expect(picker.value).toBe('');
    fireEvent.change(picker, { target: { value: `transformers:${reward.id}` } });
    fireEvent.click(screen.getByTestId('selftest-run'));
    await waitFor(() => expect(screen.getByTestId('selftest-status').getAttribute('data-state')).toBe('done'));

    const stream = screen.getByTestId('selftest-stream');
    expect(stream.getAttribute('data-device')).toBe('wasm');
    expect(stream.getAttribute('data-status')).toBe('pass');
    expect(Number(stream.getAttribute('data-min-chunks'))).toBe(Math.ceil(ANSWER.length / 2));
    for (const r of screen.getAllByTestId('selftest-result')) expect(r.getAttribute('data-concat-match')).toBe('true');

    const judge = screen.getAllByTestId('selftest-judge');
    expect(judge.map((j) => [j.getAttribute('data-device'), j.getAttribute('data-score')])).toEqual(SELFTEST_PROMPTS.map(() => ['wasm', '0.5']));
    const interrupt = screen.getByTestId('selftest-interrupt');
    expect([interrupt.getAttribute('data-abort-error'), interrupt.getAttribute('data-follow-up'), interrupt.getAttribute('data-status')]).toEqual(['true', 'ok', 'pass']);

    const classify = screen.getAllByTestId('selftest-classify');
    expect(classify.map((c) => [c.getAttribute('data-device'), c.getAttribute('data-case'), c.getAttribute('data-score')])).toEqual([
      ['wasm', 'dose-tenfold', '0.57'],
      ['wasm', 'dose-correct', '0.31'],
    ]);
    // WASM only here: the classifier's WebGPU run is skipped with its reason.
    expect(screen.getByTestId('selftest-classify-error').getAttribute('data-code')).toBe('NO_WEBGPU');

    const checks = screen.getByTestId('selftest-checks');
    const verdict = (key: string) => checks.querySelector(`tr[data-check="${key}"]`)?.getAttribute('data-status');
    expect(['generation', 'streaming', 'judge', 'interrupt', 'classifier'].map(verdict)).toEqual(['incomplete', 'pass', 'incomplete', 'pass', 'incomplete']);
    const report = JSON.parse((screen.getByTestId('selftest-report') as HTMLTextAreaElement).value) as { classifier: { model: { id: string } } };
    expect(report.classifier.model.id).toBe(reward.id);
  });

  it('cancels a running self-test', async () => {
    setSelfTestEngineFactoryForTesting(() => createScriptedEngine([ANSWER.repeat(20)], { charsPerToken: 1, chunkDelayMs: 5 }));
    render(<SelfTestScreen />);
    await screen.findByTestId('selftest-caps');
    fireEvent.click(screen.getByTestId('selftest-run'));
    const cancel = await screen.findByTestId('selftest-cancel');
    await act(async () => {
      fireEvent.click(cancel);
    });
    await waitFor(() => expect(screen.getByTestId('selftest-status').getAttribute('data-state')).toBe('cancelled'));
    expect(screen.getByTestId('selftest-status').textContent).toBe('自检已取消。');
    expect(screen.queryByTestId('selftest-report')).toBeNull();
  });

  it('refuses an empty token limit and speaks English when asked', async () => {
    act(() => useLocaleStore.getState().setLocale('en'));
    render(<SelfTestScreen />);
    await screen.findByTestId('selftest-caps');
    const tokens = screen.getByLabelText('Tokens to generate per prompt (at most)');
    fireEvent.change(tokens, { target: { value: '' } });
    expect((screen.getByRole('button', { name: 'Run self-test' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(tokens, { target: { value: '16' } });
    expect((screen.getByRole('button', { name: 'Run self-test' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
