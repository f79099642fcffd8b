/**
 * The reference library's pure core: tokenizer, passages, lexical index,
 * rank fusion, retrieval for a checked text, passages files. Shared by the
 * app (page and workers) and `medfact retrieve`.
 */
export * from './types';
export * from './tokenizer';
export * from './passages';
export * from './lexical-index';
export { gramCode, type SegmentData } from './index-segment';
export * from './fusion';
export * from './retrieve';
export * from './passages-file';
export * from './highlight';
export * from './grounded';
export * from './passage-source';
export * from './dense-index';
