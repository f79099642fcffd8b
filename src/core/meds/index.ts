/** Medication-safety rules from the hospital formulary (issue 12): pure, no DOM, no model. */
export * from './types';
export { parseFormularyRecords, detectFormularyMapping, FORMULARY_FIELDS, FIELD_LABELS_ZH, normalizeRoute, normalizePopulation } from './formulary';
export { importFormulary, detectFormularyFormat, FormularyFileError, type ImportedFormulary, type FormularyFormat } from './import-formulary';
export { checkMedications, selectRows, drugNames } from './rules';
export { readText, type Regimen, type Quantity, type Times, type TextReading } from './grammar';
export { parseNumber, parseDoseCell, formatDose, normalizeForMatching } from './units';
export { mergeRuleFindings, rulesOnlyResult, ruleToFinding, RULES_ONLY_VERIFIER } from './check-findings';
export { DEMO_FORMULARY_CSV, DEMO_FORMULARY_LABEL, DEMO_FORMULARY_FILE_NAME } from './demo-formulary';
