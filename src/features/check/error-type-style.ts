/**
 * One colour per error type for highlights and the legend. Light
 * backgrounds with near-black text keep a contrast ratio above 7:1; the
 * type is also named in text (legend, cards, screen-reader descriptions), so
 * colour is never the only cue.
 */
import type { ErrorType } from '../../core/labels';

export const ERROR_TYPE_COLOR: Readonly<Record<ErrorType, string>> = {
  conceptual: '#ffd6d6',
  terminological: '#ffe3b8',
  temporal: '#fff2a8',
  other_medical: '#f3d6ff',
  citation: '#d4ecff',
  bias: '#d8f5d0',
  general_fact: '#cff5f0',
  other_nonmedical: '#e4e4e4',
};
