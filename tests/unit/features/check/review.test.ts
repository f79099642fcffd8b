import { describe, expect, it } from 'vitest';
import {
  EMPTY_REVIEW,
  acceptBlocker,
  applyCorrections,
  reviewDo,
  reviewRedo,
  reviewUndo,
} from '../../../../src/features/check/review';

const text = '😀阿司匹林每日最大剂量为40克，儿童发热首选阿司匹林。';
const at = (q: string) => {
  const s = text.indexOf(q);
  return { start: s, end: s + q.length };
};
const findings = [
  { id: 'dose', span: at('40克'), correction: '4克' },
  { id: 'kids', span: at('儿童发热首选阿司匹林'), correction: '儿童发热禁用阿司匹林' },
  { id: 'lost', span: null, correction: '某' },
  { id: 'overlap', span: at('剂量为40'), correction: '剂量为4' },
];

describe('review: accept, dismiss, undo', () => {
  it('accepting applies the correction at the original offsets; undo restores the text exactly', () => {
    let r = reviewDo(EMPTY_REVIEW, { kind: 'accept', id: 'kids' });
    r = reviewDo(r, { kind: 'accept', id: 'dose' });
    expect(applyCorrections(text, findings, r.accepted)).toBe('😀阿司匹林每日最大剂量为4克，儿童发热禁用阿司匹林。');
    r = reviewUndo(r);
    expect(applyCorrections(text, findings, r.accepted)).toBe('😀阿司匹林每日最大剂量为40克，儿童发热禁用阿司匹林。');
    r = reviewUndo(r);
    expect(applyCorrections(text, findings, r.accepted)).toBe(text);
    r = reviewRedo(r);
    expect(r.accepted).toEqual(['kids']);
  });

  it('blocks accepting unlocated, overlapping, dismissed or already accepted findings', () => {
    const r = reviewDo(EMPTY_REVIEW, { kind: 'accept', id: 'dose' });
    expect(acceptBlocker(findings[2]!, findings, r)).toBe('unlocated');
    expect(acceptBlocker(findings[3]!, findings, r)).toBe('overlap');
    expect(acceptBlocker(findings[0]!, findings, r)).toBe('accepted');
    const d = reviewDo(EMPTY_REVIEW, { kind: 'dismiss', id: 'kids' });
    expect(acceptBlocker(findings[1]!, findings, d)).toBe('dismissed');
    expect(acceptBlocker(findings[1]!, findings, EMPTY_REVIEW)).toBeNull();
  });

  it('dismissal is kept, restorable and undoable; a new action clears redo', () => {
    let r = reviewDo(EMPTY_REVIEW, { kind: 'dismiss', id: 'kids' });
    expect(r.dismissed).toEqual(['kids']);
    r = reviewDo(r, { kind: 'restore', id: 'kids' });
    expect(r.dismissed).toEqual([]);
    r = reviewUndo(r);
    expect(r.dismissed).toEqual(['kids']);
    expect(r.redo).toHaveLength(1);
    r = reviewDo(r, { kind: 'accept', id: 'dose' });
    expect(r.redo).toHaveLength(0);
    // Invalid actions change nothing.
    expect(reviewDo(r, { kind: 'accept', id: 'dose' })).toBe(r);
    expect(reviewDo(r, { kind: 'restore', id: 'dose' })).toBe(r);
    expect(reviewUndo(EMPTY_REVIEW)).toBe(EMPTY_REVIEW);
  });
});
