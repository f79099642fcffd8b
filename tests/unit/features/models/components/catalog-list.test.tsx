// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../../../../src/domain/catalog/catalog';
import { recommendDefaults } from '../../../../../src/domain/catalog/recommend';
import { CatalogList } from '../../../../../src/features/models/components/catalog-list';
import { useModelsStore } from '../../../../../src/features/models/models-store';
import { loadNamespaces, useLocaleStore } from '../../../../../src/i18n';
import type { ModelInstallRecord } from '../../../../../src/storage/models-repo';
import { makeCaps } from '../../../../kit/capabilities';
import { fixtureVerifierEntry } from '../../../../kit/catalog-entries';

const SOURCE = { hubHost: 'https://huggingface.co', libHost: 'https://libs.example/' };
const FIXTURE = fixtureVerifierEntry();
const ENTRIES = [...DEFAULT_CATALOG, FIXTURE];
const CPU_ONLY = makeCaps({ gpu: 'none', memoryGiB: 8 });

function renderList(caps = CPU_ONLY) {
  return render(
    <CatalogList
      entries={ENTRIES}
      caps={caps}
      source={SOURCE}
      recommendation={caps ? recommendDefaults(caps, ENTRIES) : null}
      configKeys={new Set([`transformers:${FIXTURE.id}`])}
      customKeys={new Set()}
    />,
  );
}

const rows = () => screen.getAllByTestId('catalog-entry');
const row = (id: string) => rows().find((r) => r.getAttribute('data-model-id') === id);

// Rendered alone, outside the app's Suspense boundary: load the screen's namespace first.
beforeAll(() => loadNamespaces('models'));
beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

describe('CatalogList', () => {
  beforeEach(() => {
    useLocaleStore.getState().reset();
    useModelsStore.getState().reset();
  });
  afterEach(cleanup);

  it('is a table whose first row is the recommended model, marked, with what it costs and where it runs', () => {
    renderList();
    const table = screen.getByRole('table', { name: '可用模型' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual(['模型', '引擎', '用途', '量化', '下载', '显存', '本设备', '许可证', '安装']);
    const first = rows()[0] as HTMLElement;
    expect(first.getAttribute('data-model-id')).toBe('onnx-community/Qwen3-0.6B-ONNX');
    expect(within(first).getByTestId('catalog-recommended').textContent).toContain('推荐：核查与评分');
    expect(within(first).getByRole('rowheader').textContent).toContain('Qwen3 0.6B');
    const cells = within(first)
      .getAllByRole('cell')
      .map((c) => c.querySelector('.cell-value')?.textContent);
    expect(cells.slice(0, 7)).toEqual(['transformers.js', '核查、评分', 'q8', '约 760 MiB', '不需要', '✓ 可运行（CPU）', 'Apache-2.0']);
    expect(within(first).getByTestId('install-button').hasAttribute('disabled')).toBe(false);
    expect(screen.getAllByTestId('catalog-recommended')).toHaveLength(1);
  });

  it('shows only what runs here by default, keeps the deployment entry, and shows the rest with the reason on request', () => {
    renderList();
    expect(row('Qwen3-0.6B-q4f32_1-MLC')).toBeUndefined();
    const fixture = row(FIXTURE.id) as HTMLElement;
    expect(within(fixture).getByText('部署配置')).toBeTruthy();
    expect(within(fixture).getByTestId('install-button').getAttribute('aria-label')).toBe('安装 测试核查模型');
    // 4 ONNX verifiers, the fixture and the 2 embedders run here
    expect(screen.getByTestId('catalog-count').textContent).toBe('显示 7 / 21 个模型；另有 14 个无法在本设备运行，已隐藏');
    expect(within(row('Xenova/bge-small-zh-v1.5') as HTMLElement).getByText('检索向量')).toBeTruthy();

    fireEvent.click(screen.getByLabelText('只显示能在本设备运行的模型'));
    expect(rows()).toHaveLength(21);
    const webllm = row('Qwen3-0.6B-q4f32_1-MLC') as HTMLElement;
    expect(webllm.textContent).toContain('不可运行：需要 WebGPU');
    expect(within(webllm).getByTestId('install-button').hasAttribute('disabled')).toBe(true);
    // runnable models stay above the ones that cannot run
    expect(rows().findIndex((r) => r.getAttribute('data-runs') === 'no')).toBe(7);
  });

  it('filters by text, engine and role', () => {
    renderList(makeCaps({ gpu: 'hardware', shaderF16: true, memoryGiB: 8 }));
    fireEvent.change(screen.getByRole('searchbox', { name: '搜索' }), { target: { value: 'qwen3 8b' } });
    expect(rows().map((r) => r.getAttribute('data-model-id'))).toEqual(['Qwen3-8B-q4f16_1-MLC', 'Qwen3-8B-q4f32_1-MLC']);
    expect(rows()[0]?.textContent).toContain('可能超出本机内存');
    fireEvent.change(screen.getByRole('searchbox', { name: '搜索' }), { target: { value: '' } });

    fireEvent.change(screen.getByRole('combobox', { name: '引擎' }), { target: { value: 'transformers' } });
    expect(rows().every((r) => r.getAttribute('data-engine') === 'transformers')).toBe(true);
    fireEvent.change(screen.getByRole('combobox', { name: '用途' }), { target: { value: 'reward' } });
    expect(row(FIXTURE.id)).toBeUndefined();
    expect(rows()).toHaveLength(4);

    fireEvent.change(screen.getByRole('searchbox', { name: '搜索' }), { target: { value: '没有这个模型' } });
    expect(screen.queryAllByTestId('catalog-entry')).toHaveLength(0);
    expect(screen.getByText('没有符合条件的模型。请清除搜索词或放宽筛选条件。')).toBeTruthy();
  });

  it('opens the description under the row on demand', () => {
    renderList();
    const first = rows()[0] as HTMLElement;
    const toggle = within(first).getByRole('button', { name: /说明/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('catalog-details')).toBeNull();
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const details = screen.getByTestId('catalog-details');
    expect(toggle.getAttribute('aria-controls')).toBe(details.id);
    expect(details.textContent).toContain('Qwen3 0.6B 的 ONNX 量化版');
    expect(details.textContent).toContain('onnx-community/Qwen3-0.6B-ONNX');
    fireEvent.click(toggle);
    expect(screen.queryByTestId('catalog-details')).toBeNull();
  });

  it('marks an installed model instead of offering its install button', () => {
    const record: ModelInstallRecord = {
      id: `transformers:${FIXTURE.id}:q8`,
      modelId: FIXTURE.id,
      engine: 'transformers',
      dtype: 'q8',
      source: SOURCE,
      origin: 'download',
      files: [],
      totalBytes: 1,
      state: 'installed',
      installedAt: 1,
      updatedAt: 1,
    };
    useModelsStore.getState().setRecords([record]);
    renderList();
    const fixture = row(FIXTURE.id) as HTMLElement;
    expect(within(fixture).queryByTestId('install-button')).toBeNull();
    expect(fixture.textContent).toContain('已安装');
    expect(within(row('onnx-community/Qwen3-0.6B-ONNX') as HTMLElement).getByTestId('install-button')).toBeTruthy();
  });

  it('speaks English when the locale is English', () => {
    useLocaleStore.getState().setLocale('en');
    renderList();
    expect(screen.getByRole('table').querySelector('thead')?.textContent).toContain('This device');
    expect(within(rows()[0] as HTMLElement).getByTestId('catalog-recommended').textContent).toContain('Recommended: verifier and reward');
  });
});
