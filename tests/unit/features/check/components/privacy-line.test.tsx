// @vitest-environment happy-dom
/**
 * The checker's privacy line: "stays on this device" with local models, the
 * server's label and host whenever a model on an inference server is
 * selected (verifier or judge), in Chinese first.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PrivacyLine } from '../../../../../src/features/check/components/privacy-line';
import { useEngineSession } from '../../../../../src/features/check/engine-session';
import { privacyLine } from '../../../../../src/features/check/report-export';
import { translate, useLocaleStore } from '../../../../../src/i18n';
import { createScriptedEngine } from '../../../../kit/scripted-engine';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  cleanup();
  useEngineSession.getState().reset();
});

describe('PrivacyLine', () => {
  it('says the text stays on the device with a local model', () => {
    useLocaleStore.setState({ locale: 'zh-CN' });
    useEngineSession.getState().attachVerifier({ engine: createScriptedEngine(['{}']), id: 'fixture/tiny-verifier' });
    render(<PrivacyLine />);
    const line = screen.getByTestId('check-privacy');
    expect(line.dataset.remote).toBe('false');
    expect(line.textContent).toBe('文本只在本设备上处理，不会离开本设备。');
  });

  it('names the server label and host whenever a server model is selected', () => {
    useLocaleStore.setState({ locale: 'zh-CN' });
    useEngineSession.getState().attachVerifier({ engine: createScriptedEngine(['{}']), id: 'fixture/tiny-verifier' });
    useEngineSession.getState().attachReward({ engine: createScriptedEngine(['{}']), id: 'openai:gpu1/judge', mode: 'judge', remote: { label: '院内 GPU 服务器', host: 'gpu1.hospital.internal:8000' } });
    render(<PrivacyLine />);
    const line = screen.getByTestId('check-privacy');
    expect(line.dataset.remote).toBe('true');
    expect(line.dataset.host).toBe('gpu1.hospital.internal:8000');
    expect(line.textContent).toBe('文本将发送到 院内 GPU 服务器（gpu1.hospital.internal:8000），位于您的网络内。');
  });

  it('in English too', () => {
    useLocaleStore.setState({ locale: 'en' });
    useEngineSession.getState().attachVerifier({ engine: createScriptedEngine(['{}']), id: 'openai:gpu1/m', remote: { label: 'GPU server', host: 'gpu1:8000' } });
    render(<PrivacyLine />);
    expect(screen.getByTestId('check-privacy').textContent).toBe('The text is sent to GPU server (gpu1:8000) inside your network.');
    useLocaleStore.setState({ locale: 'zh-CN' });
  });
});

describe('report privacy sentence', () => {
  it('says which server got the text when a server model checked it', () => {
    const tr = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);
    expect(privacyLine({ models: { verifier: 'fixture/tiny-verifier', reward: null } }, tr)).toContain('did not leave');
    expect(privacyLine({ models: { verifier: 'openai:gpu1/Qwen3-32B', reward: null } }, tr)).toContain('openai:gpu1/Qwen3-32B');
  });
});
