/**
 * Self-consistency over K sampled verifier answers.
 *
 * Located findings are clustered by overlap: spans that overlap (directly or
 * through a chain) form one cluster, so highlights never overlap. A cluster's
 * support is the share of samples that produced at least one of its spans.
 * Unlocated findings are clustered by their normalised quote.
 *
 * Confidence (documented formula, in 0..1):
 *   w = (K − 1) / (K + 1)                 weight of agreement between samples
 *   with a reward score r:  confidence = w · support + (1 − w) · r
 *   without a scorer:       confidence = support
 * So K = 1 costs nothing extra and the confidence is the reward score alone
 * (or 1, the verifier's own claim, without a scorer); with K = 3 support and
 * reward weigh equally; with more samples agreement weighs more.
 */
import { trimQuote, type AlignedSpan } from './align';
import type { ErrorType } from './labels';
import { normalizeForMatch } from './normalize';
import type { RawFinding } from './parse';

export interface SampleFinding extends RawFinding {
  span: AlignedSpan | null;
  /** Which of the K samples produced it. */
  sample: number;
  /** Ids of the evidence passages it cites (grounded checking). */
  evidenceIds?: string[];
}

export interface FindingCluster {
  /** The member that stands for the cluster (the most frequent span, then the earliest sample). */
  representative: SampleFinding;
  members: SampleFinding[];
  /** Distinct samples that found it. */
  samples: number[];
  /** Share of the K samples that found it, in 0..1. */
  support: number;
  /** Majority type over the members (ties: the representative's). */
  type: ErrorType;
  /** True when any member flags a medication error (safety first). */
  medication: boolean;
}

/** Character-overlap F1 of two spans: 2·overlap / (len a + len b). */
export function spanOverlapF1(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const overlap = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const total = a.end - a.start + (b.end - b.start);
  return total > 0 ? (2 * overlap) / total : 0;
}

function buildCluster(members: SampleFinding[], k: number): FindingCluster {
  const spanKey = (f: SampleFinding) => (f.span ? `${f.span.start}:${f.span.end}` : normalizeForMatch(trimQuote(f.quote)));
  const counts = new Map<string, number>();
  for (const m of members) counts.set(spanKey(m), (counts.get(spanKey(m)) ?? 0) + 1);
  let rep = members[0] as SampleFinding;
  for (const m of members) {
    const c = counts.get(spanKey(m)) ?? 0;
    const rc = counts.get(spanKey(rep)) ?? 0;
    if (c > rc || (c === rc && m.sample < rep.sample)) rep = m;
  }
  const typeVotes = new Map<ErrorType, number>();
  for (const m of members) typeVotes.set(m.type, (typeVotes.get(m.type) ?? 0) + 1);
  let type = rep.type;
  for (const [t, c] of typeVotes) if (c > (typeVotes.get(type) ?? 0)) type = t;
  const samples = [...new Set(members.map((m) => m.sample))].sort((a, b) => a - b);
  return {
    representative: rep,
    members,
    samples,
    support: Math.min(1, samples.length / Math.max(1, k)),
    type,
    medication: members.some((m) => m.medication),
  };
}

/**
 * Clusters the findings of K samples. Located clusters come first, ordered by
 * position; unlocated ones follow in order of first appearance.
 */
export function clusterFindings(items: readonly SampleFinding[], k: number): FindingCluster[] {
  const located = items.filter((f): f is SampleFinding & { span: AlignedSpan } => f.span !== null);
  located.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.sample - b.sample);
  const out: FindingCluster[] = [];
  let group: SampleFinding[] = [];
  let groupEnd = -1;
  for (const f of located) {
    if (group.length > 0 && f.span.start < groupEnd) {
      group.push(f);
      groupEnd = Math.max(groupEnd, f.span.end);
    } else {
      if (group.length > 0) out.push(buildCluster(group, k));
      group = [f];
      groupEnd = f.span.end;
    }
  }
  if (group.length > 0) out.push(buildCluster(group, k));

  const byQuote = new Map<string, SampleFinding[]>();
  for (const f of items) {
    if (f.span !== null) continue;
    const key = normalizeForMatch(trimQuote(f.quote)) || `${f.correction}|${f.reason}`;
    const list = byQuote.get(key);
    if (list) list.push(f);
    else byQuote.set(key, [f]);
  }
  for (const list of byQuote.values()) out.push(buildCluster(list, k));
  return out;
}

/** Weight of sample agreement in the confidence, for K samples. */
export function supportWeight(k: number): number {
  const kk = Math.max(1, Math.floor(k));
  return (kk - 1) / (kk + 1);
}

/** One confidence from support and reward score (see the module comment for the formula). */
export function combineConfidence(support: number, rewardScore: number | null, k: number): number {
  if (rewardScore === null) return support;
  const w = supportWeight(k);
  return w * support + (1 - w) * rewardScore;
}
