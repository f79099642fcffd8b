/**
 * The check report as Markdown (for people: print, e-mail to a colleague,
 * paste into a record) and as JSON (for machines: audits, acceptance
 * scripts). Both are built from the stored record at the user's threshold,
 * so what is exported is what the screen shows. Pure: no DOM.
 */
import type { Locale } from '../../domain/config/schema';
import { ERROR_TYPE_INFO } from '../../core/labels';
import { translate } from '../../i18n';
import type { CheckRecord } from '../../storage/checks-repo';
import { thresholdView, type CheckResult, type Finding } from './check-contract';
import { applyCorrections } from './review';

export const REPORT_FORMAT = 'medfact-lens.check-report';
export const REPORT_FORMAT_VERSION = 1;

export type FindingState = 'open' | 'accepted' | 'dismissed';

export interface ReportFinding extends Finding {
  state: FindingState;
}

export interface ReportView {
  result: CheckResult;
  /** Kept and located or unlocated, not dismissed. */
  shown: ReportFinding[];
  dismissed: ReportFinding[];
  belowThreshold: ReportFinding[];
  correctedText: string;
}

export function findingState(record: { review: { accepted: readonly string[]; dismissed: readonly string[] } }, id: string): FindingState {
  if (record.review.accepted.includes(id)) return 'accepted';
  if (record.review.dismissed.includes(id)) return 'dismissed';
  return 'open';
}

/** The record as the screen shows it at its threshold (core's thresholdView, the one place the threshold is applied). */
export function reportView(record: CheckRecord): ReportView {
  const view = thresholdView(record.result, record.threshold, record.review.dismissed);
  const withState = (f: Finding): ReportFinding => ({ ...f, state: findingState(record, f.id) });
  return {
    result: view.result,
    shown: view.shown.map(withState),
    dismissed: view.dismissed.map(withState),
    belowThreshold: view.belowThreshold.map(withState),
    correctedText: applyCorrections(record.text, view.result.findings, record.review.accepted),
  };
}

export function typeName(type: Finding['type'], locale: Locale): string {
  const info = ERROR_TYPE_INFO[type];
  return locale === 'zh-CN' ? info.zh : info.en;
}

/** Escapes Markdown syntax in a single-line value so user text stays text. */
export function mdInline(value: string): string {
  return value.replace(/[\\`*_{}[\]()<>#+!|~]/g, '\\$&').replace(/\r?\n/g, ' ');
}

/** A fenced block whose fence is longer than any backtick run inside, so the text cannot close it. */
export function mdFence(value: string): string {
  const longest = Math.max(2, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${value}\n${fence}`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function findingMarkdown(f: ReportFinding, n: number, locale: Locale): string {
  const tr = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(locale, key, params);
  const badges = [
    f.severity === 'critical' ? tr('check.finding.critical') : null,
    f.medication ? tr('check.finding.medication') : null,
    f.span?.approximate ? tr('check.finding.approximate') : null,
    f.span?.ambiguous ? tr('check.finding.ambiguous') : null,
    f.span ? null : tr('check.finding.unlocated'),
  ].filter((b): b is string => b !== null);
  const lines = [
    `### ${n}. ${mdInline(f.quote)} — ${typeName(f.type, locale)}${badges.length ? ` (${badges.join(', ')})` : ''}`,
    '',
    `- ${tr('check.finding.position')}: ${f.span ? `${f.span.start}–${f.span.end}` : tr('check.finding.unlocated')}`,
    `- ${tr('check.finding.correction')}: ${f.correction ? mdInline(f.correction) : '—'}`,
    `- ${tr('check.finding.reason')}: ${f.reason ? mdInline(f.reason) : '—'}`,
    `- ${tr('check.finding.confidence')}: ${pct(f.confidence)}${f.rewardScore !== null ? ` (${tr('check.finding.reward')} ${pct(f.rewardScore)}, ${tr('check.finding.support')} ${pct(f.support)})` : ''}`,
    `- ${tr('check.finding.status')}: ${tr(`check.finding.state.${f.state}`)}`,
  ];
  return lines.join('\n');
}

/** Models run on an inference server are recorded as `openai:<endpoint>/<model>` (src/app/endpoint-session.ts). */
export function remoteModels(record: Pick<CheckRecord, 'models'>): string[] {
  return [record.models.verifier, record.models.reward].filter((m): m is string => typeof m === 'string' && m.startsWith('openai:'));
}

/** The report's privacy sentence: on this device, or which server the text was sent to. */
export function privacyLine(record: Pick<CheckRecord, 'models'>, tr: (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => string): string {
  const remote = remoteModels(record);
  return remote.length > 0 ? tr('check.report.privacyRemote', { models: remote.join(', ') }) : tr('check.report.privacy');
}

export function toMarkdown(record: CheckRecord, locale: Locale): string {
  const tr = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(locale, key, params);
  const view = reportView(record);
  const r = view.result;
  const out: string[] = [
    `# ${tr('check.report.title')}`,
    '',
    `- ${tr('check.report.createdAt')}: ${new Date(record.createdAt).toISOString()}`,
    `- ${tr('check.report.verdict')}: **${tr(`check.verdict.${r.verdict}`)}**`,
    `- ${tr('check.report.verifier')}: ${mdInline(record.models.verifier)}`,
    `- ${tr('check.report.reward')}: ${record.models.reward ? mdInline(record.models.reward) : tr('check.report.none')}`,
    `- ${tr('check.report.prompt')}: ${mdInline(r.promptId)} ${mdInline(r.promptVersion)} (${mdInline(r.promptHash)}), ${mdInline(r.answerFormat)}`,
    `- ${tr('check.report.threshold')}: ${r.threshold.toFixed(2)}`,
    `- ${tr('check.report.samples')}: ${r.options.samples}, ${tr('check.report.chunks')}: ${r.chunks}`,
    `- ${tr('check.report.timings')}: ${Math.round(r.timings.totalMs)} ms`,
    '',
    `## ${tr('check.report.text')}`,
    '',
    mdFence(record.text),
    '',
    `## ${tr('check.report.findings', { count: view.shown.length })}`,
    '',
  ];
  if (view.shown.length === 0) out.push(tr('check.report.noFindings'), '');
  view.shown.forEach((f, i) => out.push(findingMarkdown(f, i + 1, locale), ''));
  if (record.review.accepted.length > 0) {
    out.push(`## ${tr('check.report.corrected')}`, '', mdFence(view.correctedText), '');
  }
  if (view.dismissed.length > 0) {
    out.push(`## ${tr('check.report.dismissed', { count: view.dismissed.length })}`, '');
    view.dismissed.forEach((f, i) => out.push(findingMarkdown(f, i + 1, locale), ''));
  }
  if (view.belowThreshold.length > 0) {
    out.push(`## ${tr('check.report.belowThreshold', { count: view.belowThreshold.length })}`, '');
    view.belowThreshold.forEach((f, i) => out.push(findingMarkdown(f, i + 1, locale), ''));
  }
  out.push('---', '', privacyLine(record, tr), '');
  return out.join('\n');
}

export interface JsonReport {
  format: typeof REPORT_FORMAT;
  formatVersion: typeof REPORT_FORMAT_VERSION;
  exportedAt: string;
  check: {
    id: string;
    createdAt: string;
    text: string;
    verdict: CheckResult['verdict'];
    verifierVerdict: CheckResult['verifierVerdict'];
    status: CheckResult['status'];
    threshold: number;
    models: CheckRecord['models'];
    prompt: { id: string; version: string; hash: string; answerFormat: string };
    options: CheckResult['options'];
    chunks: number;
    timings: CheckResult['timings'];
    tokens: CheckResult['tokens'];
    appVersion: string;
  };
  /** Every finding with its state; `kept` reflects the threshold above. Offsets are UTF-16 units into `check.text`. */
  findings: ReportFinding[];
  correctedText: string;
  /** The verifier's raw answers, for audit. */
  rawAnswers: { chunk: number; sample: number; raw: string; finishReason: string }[];
}

export function toJsonReport(record: CheckRecord, exportedAt: Date = new Date()): JsonReport {
  const view = reportView(record);
  const r = view.result;
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    exportedAt: exportedAt.toISOString(),
    check: {
      id: record.id,
      createdAt: new Date(record.createdAt).toISOString(),
      text: record.text,
      verdict: r.verdict,
      verifierVerdict: r.verifierVerdict,
      status: r.status,
      threshold: r.threshold,
      models: record.models,
      prompt: { id: r.promptId, version: r.promptVersion, hash: r.promptHash, answerFormat: r.answerFormat },
      options: r.options,
      chunks: r.chunks,
      timings: r.timings,
      tokens: r.tokens,
      appVersion: record.appVersion,
    },
    findings: r.findings.map((f) => ({ ...f, state: findingState(record, f.id) })),
    correctedText: view.correctedText,
    rawAnswers: r.samples.map((s) => ({ chunk: s.chunk, sample: s.sample, raw: s.raw, finishReason: s.finishReason })),
  };
}

export function toJson(record: CheckRecord, exportedAt?: Date): string {
  return JSON.stringify(toJsonReport(record, exportedAt), null, 2);
}

/** A file name without characters that file systems reject: medfact-check-2026-11-24T10-30-00.md */
export function reportFileName(record: Pick<CheckRecord, 'createdAt'>, ext: 'md' | 'json'): string {
  const stamp = new Date(record.createdAt).toISOString().slice(0, 19).replace(/:/g, '-');
  return `medfact-check-${stamp}.${ext}`;
}
