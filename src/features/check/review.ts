/**
 * The clinician's review of one check: which corrections were accepted,
 * which findings were dismissed as false alarms, and an undo/redo history.
 * Pure data and functions; the check store holds one ReviewState per check
 * and the history stores it with the record, so dismissed findings stay
 * available for later review.
 *
 * Corrections always apply to the checked text by its original offsets; the
 * working text is recomputed from the accepted set, so undo is exact.
 */

export interface CorrectableFinding {
  id: string;
  span: { start: number; end: number } | null;
  correction: string;
}

export type ReviewAction =
  | { kind: 'accept'; id: string }
  | { kind: 'dismiss'; id: string }
  | { kind: 'restore'; id: string };

export interface ReviewState {
  /** Accepted finding ids in the order they were accepted. */
  accepted: readonly string[];
  dismissed: readonly string[];
  undo: readonly ReviewAction[];
  redo: readonly ReviewAction[];
}

export const EMPTY_REVIEW: ReviewState = { accepted: [], dismissed: [], undo: [], redo: [] };

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Why a finding's correction cannot be accepted, or null when it can. */
export function acceptBlocker(
  finding: CorrectableFinding,
  findings: readonly CorrectableFinding[],
  review: ReviewState,
): 'unlocated' | 'accepted' | 'dismissed' | 'overlap' | null {
  if (!finding.span) return 'unlocated';
  if (review.accepted.includes(finding.id)) return 'accepted';
  if (review.dismissed.includes(finding.id)) return 'dismissed';
  const span = finding.span;
  for (const id of review.accepted) {
    const other = findings.find((f) => f.id === id);
    if (other?.span && overlaps(other.span, span)) return 'overlap';
  }
  return null;
}

/**
 * The checked text with the accepted corrections applied. Corrections are
 * applied right to left by original offsets so earlier offsets stay valid;
 * an overlapping correction (which acceptBlocker prevents) is skipped.
 */
export function applyCorrections(
  text: string,
  findings: readonly CorrectableFinding[],
  accepted: readonly string[],
): string {
  const chosen: { start: number; end: number; correction: string }[] = [];
  for (const id of accepted) {
    const f = findings.find((x) => x.id === id);
    if (!f?.span) continue;
    const { start, end } = f.span;
    if (start < 0 || end > text.length || end < start) continue;
    if (chosen.some((c) => overlaps(c, f.span as { start: number; end: number }))) continue;
    chosen.push({ start, end, correction: f.correction });
  }
  chosen.sort((a, b) => b.start - a.start);
  let out = text;
  for (const c of chosen) out = out.slice(0, c.start) + c.correction + out.slice(c.end);
  return out;
}

function applyAction(state: ReviewState, action: ReviewAction): Pick<ReviewState, 'accepted' | 'dismissed'> {
  switch (action.kind) {
    case 'accept':
      return { accepted: [...state.accepted, action.id], dismissed: state.dismissed };
    case 'dismiss':
      return { accepted: state.accepted, dismissed: [...state.dismissed, action.id] };
    case 'restore':
      return { accepted: state.accepted, dismissed: state.dismissed.filter((id) => id !== action.id) };
  }
}

function revertAction(state: ReviewState, action: ReviewAction): Pick<ReviewState, 'accepted' | 'dismissed'> {
  switch (action.kind) {
    case 'accept':
      return { accepted: state.accepted.filter((id) => id !== action.id), dismissed: state.dismissed };
    case 'dismiss':
      return { accepted: state.accepted, dismissed: state.dismissed.filter((id) => id !== action.id) };
    case 'restore':
      return { accepted: state.accepted, dismissed: [...state.dismissed, action.id] };
  }
}

/** Records a new action; a new action clears the redo history, as editors do. */
export function reviewDo(state: ReviewState, action: ReviewAction): ReviewState {
  const valid =
    action.kind === 'accept'
      ? !state.accepted.includes(action.id) && !state.dismissed.includes(action.id)
      : action.kind === 'dismiss'
        ? !state.dismissed.includes(action.id) && !state.accepted.includes(action.id)
        : state.dismissed.includes(action.id);
  if (!valid) return state;
  return { ...applyAction(state, action), undo: [...state.undo, action], redo: [] };
}

export function reviewUndo(state: ReviewState): ReviewState {
  const last = state.undo[state.undo.length - 1];
  if (!last) return state;
  return { ...revertAction(state, last), undo: state.undo.slice(0, -1), redo: [...state.redo, last] };
}

export function reviewRedo(state: ReviewState): ReviewState {
  const next = state.redo[state.redo.length - 1];
  if (!next) return state;
  return { ...applyAction(state, next), undo: [...state.undo, next], redo: state.redo.slice(0, -1) };
}
