import { describe, expect, it } from 'vitest';
import { mdFence, reportFileName, reportView, toJson, toJsonReport, toMarkdown } from '../../../../src/features/check/report-export';
import { findingAt, makeRecord, makeResult } from '../../../kit/check-records';

const text = '华法林过量出血时可注射鱼精蛋白。儿童退热首选阿司匹林。';
const drug = findingAt(text, '鱼精蛋白', { id: 'a', correction: '维生素K1', reason: '鱼精蛋白拮抗肝素。', severity: 'critical', medication: true, confidence: 0.92 });
const kids = findingAt(text, '阿司匹林', { id: 'b', correction: '对乙酰氨基酚', reason: '瑞氏综合征风险。', confidence: 0.4 });
const lost = { ...findingAt(text, '华法林', { id: 'c', correction: 'x', confidence: 0.8 }), quote: '不存在的片段', span: null };

describe('report export', () => {
  it('Markdown holds the verdict, models, prompt, and each shown finding with correction, reason and confidence', () => {
    const record = makeRecord(text, makeResult([drug, kids, lost]), { threshold: 0.5, review: { accepted: ['a'], dismissed: [] } });
    const md = toMarkdown(record, 'zh-CN');
    expect(md).toContain('# MedFact Lens 核查报告');
    expect(md).toContain('**有误**');
    expect(md).toContain('fixture/tiny-verifier');
    expect(md).toContain('鱼精蛋白');
    expect(md).toContain('维生素K1');
    expect(md).toContain('92%');
    expect(md).toContain('安全关键');
    expect(md).toContain(`${text.indexOf('鱼精蛋白')}–${text.indexOf('鱼精蛋白') + 4}`);
    expect(md).toContain('已采纳');
    expect(md).toContain('未能定位');
    // The below-threshold finding is listed apart, and the corrected text is included.
    expect(md).toContain('低于阈值的发现（1）');
    expect(md).toContain(text.replace('鱼精蛋白', '维生素K1'));
    expect(toMarkdown(record, 'en')).toContain('Suggested correction: 维生素K1');
  });

  it('Markdown keeps user text inert: a fence cannot be closed from inside, inline syntax is escaped', () => {
    const evil = '```\n# 标题\n<script>alert(1)</script>';
    expect(mdFence(evil).startsWith('````text\n')).toBe(true);
    const f = findingAt(evil, '<script>', { id: 'x', correction: '*bold*' });
    const md = toMarkdown(makeRecord(evil, makeResult([f])), 'zh-CN');
    expect(md).toContain('\\<script\\>');
    expect(md).toContain('\\*bold\\*');
  });

  it('JSON holds every finding with its state and kept flag at the chosen threshold', () => {
    const record = makeRecord(text, makeResult([drug, kids, lost]), { threshold: 0.5, review: { accepted: [], dismissed: ['c'] } });
    const report = JSON.parse(toJson(record, new Date('2026-01-01T00:00:00Z'))) as ReturnType<typeof toJsonReport>;
    expect(report.format).toBe('medfact-lens.check-report');
    expect(report.exportedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(report.check.text).toBe(text);
    expect(report.check.threshold).toBe(0.5);
    const byId = Object.fromEntries(report.findings.map((f) => [f.id, f]));
    expect(byId.a).toMatchObject({ quote: '鱼精蛋白', kept: true, state: 'open', span: { start: text.indexOf('鱼精蛋白') } });
    expect(byId.b).toMatchObject({ kept: false, state: 'open' });
    expect(byId.c).toMatchObject({ state: 'dismissed', span: null });
    // Raising the threshold in the record changes the exported view, not the stored result.
    const strict = toJsonReport({ ...record, threshold: 0.95 });
    expect(strict.findings.every((f) => !f.kept)).toBe(true);
    expect(strict.check.verdict).toBe('no_error');
  });

  it('the view splits shown, dismissed and below-threshold findings; file names are safe', () => {
    const record = makeRecord(text, makeResult([drug, kids]), { review: { accepted: [], dismissed: ['a'] }, createdAt: Date.UTC(2026, 0, 2, 3, 4, 5) });
    const view = reportView(record);
    expect(view.shown.map((f) => f.id)).toEqual([]);
    expect(view.dismissed.map((f) => f.id)).toEqual(['a']);
    expect(view.belowThreshold.map((f) => f.id)).toEqual(['b']);
    expect(reportFileName(record, 'md')).toBe('medfact-check-2026-01-02T03-04-05.md');
  });
});
