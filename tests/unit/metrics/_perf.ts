import { computeMetrics } from '../../../src/core/metrics';
import type { DatasetItem } from '../../../src/core/dataset';
import type { Prediction } from '../../../src/core/predictions';
const items: DatasetItem[] = [];
const preds: Prediction[] = [];
const types = ['conceptual','temporal','citation'];
for (let i = 0; i < 100000; i++) {
  const e = i % 2 === 0;
  items.push({ id: 'x' + i, text: '这是一个测试文本，包含若干字符。'.repeat(3), hasError: e, gold: e ? [{ start: 3, end: 8, text: '', placed: true, approximate: false }] : [], unit: 'span', errorType: e ? types[i % 3] : undefined, specialty: ['a','b','c','d'][i%4], style: ['s','t'][i%2], difficulty: 1 + (i % 5) });
  preds.push({ id: 'x' + i, hasError: i % 3 !== 0, spans: [{ start: 2 + (i % 4), end: 9, text: '' }] });
}
const t = performance.now();
const m = computeMetrics(items, preds);
console.log('ms', performance.now() - t, m.vc.f1, m.vc.intervals.f1, m.el.f1, m.el.intervals.f1);
