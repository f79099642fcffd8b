/**
 * The checked text with one <mark> per highlighted segment (never one
 * element per character) and plain text nodes between them. User text is
 * always rendered as React text, never as HTML.
 *
 * Automation hooks (documented in the README): each mark has
 * data-testid="check-span", data-start / data-end (UTF-16 offsets into the
 * checked text; `text.slice(start, end)` is the mark's text) and data-type.
 */
import { memo, useMemo } from 'react';
import type { Finding } from '../check-contract';
import { ERROR_TYPE_COLOR } from '../error-type-style';
import { buildSegments } from '../segments';
import type { FindingState } from '../report-export';

export interface HighlightedTextProps {
  text: string;
  /** Findings to highlight (located, kept, not dismissed); the first covering one gives a segment its type. */
  findings: readonly Finding[];
  stateOf: (id: string) => FindingState;
  activeId: string | null;
  /** DOM id of the element describing a finding, for aria-describedby. */
  describedBy: (id: string) => string;
  /** Accessible name of the text region. */
  label: string;
  onActivate: (id: string | null) => void;
  /** Click or Enter on a highlight: move to its card. */
  onSelect: (id: string) => void;
}

function HighlightedTextInner({ text, findings, stateOf, activeId, describedBy, label, onActivate, onSelect }: HighlightedTextProps) {
  const spans = useMemo(
    () => findings.flatMap((f) => (f.span ? [{ id: f.id, start: f.span.start, end: f.span.end }] : [])),
    [findings],
  );
  // Computed once per text and result, not on every render of the screen.
  const segments = useMemo(() => buildSegments(text, spans), [text, spans]);
  const byId = useMemo(() => new Map(findings.map((f) => [f.id, f])), [findings]);

  return (
    <div className="check-text" data-testid="check-text" role="region" aria-label={label} lang="zh-CN">
      {segments.map((seg) => {
        const piece = text.slice(seg.start, seg.end);
        const id = seg.ids[0];
        const finding = id !== undefined ? byId.get(id) : undefined;
        if (!finding || id === undefined) return piece;
        const active = activeId !== null && seg.ids.includes(activeId);
        const critical = seg.ids.some((x) => byId.get(x)?.severity === 'critical');
        const state = stateOf(id);
        return (
          <mark
            key={`${seg.start}:${seg.end}`}
            data-testid="check-span"
            data-start={seg.start}
            data-end={seg.end}
            data-type={finding.type}
            data-finding-id={id}
            data-critical={critical ? 'true' : undefined}
            data-source={seg.ids.some((x) => byId.get(x)?.source === 'rule') ? 'rule' : undefined}
            data-state={state}
            className={`check-span type-${finding.type}${critical ? ' is-critical' : ''}${active ? ' is-active' : ''}${state === 'accepted' ? ' is-accepted' : ''}`}
            style={{ background: ERROR_TYPE_COLOR[finding.type] }}
            tabIndex={0}
            aria-describedby={seg.ids.map(describedBy).join(' ')}
            onMouseEnter={() => onActivate(id)}
            onMouseLeave={() => onActivate(null)}
            onFocus={() => onActivate(id)}
            onClick={() => onSelect(id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onSelect(id);
              }
            }}
          >
            {piece}
          </mark>
        );
      })}
    </div>
  );
}

export const HighlightedText = memo(HighlightedTextInner);
