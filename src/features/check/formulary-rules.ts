/**
 * The formulary rules (issue 12) in the checker: every check runs them on
 * the active formulary version and merges them with the model's findings;
 * with no model loaded the check runs the rules alone and says so. The
 * formulary is read from storage at each run, so an import on the Formulary
 * screen applies to the next check.
 */
import { useEffect, useState } from 'react';
import { checkMedications, mergeRuleFindings, rulesOnlyResult } from '../../core/meds';
import { MedfactError } from '../../protocol/errors';
import { formularyRepo, type FormularyVersion } from '../../storage/formulary-repo';
import type { CheckRunner } from './check-store';

async function activeFormulary(): Promise<FormularyVersion | undefined> {
  try {
    return await formularyRepo.getActive();
  } catch {
    // No IndexedDB or a damaged store: the check still runs (without rules) rather than failing.
    return undefined;
  }
}

/** The active formulary version (undefined while loading or when none is imported). */
export function useActiveFormulary(): FormularyVersion | undefined {
  const [version, setVersion] = useState<FormularyVersion | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void activeFormulary().then((v) => {
      if (live) setVersion(v);
    });
    return () => {
      live = false;
    };
  }, []);
  return version;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Wraps the model runner (or none) so that every check also applies the formulary rules. */
export function withFormularyRules(runner: CheckRunner | null): CheckRunner {
  return async (request) => {
    const formulary = await activeFormulary();
    const t0 = now();
    const rules = formulary ? checkMedications(request.text, formulary.rows) : [];
    const ms = now() - t0;
    const tag = <T extends { formulary?: { applied: boolean; hash: string | null; findings: number; rulesOnly?: boolean; demo?: boolean } }>(r: T): T =>
      formulary && r.formulary ? { ...r, formulary: { ...r.formulary, demo: formulary.demo } } : r;
    if (!runner) {
      if (!formulary) throw new MedfactError('MODEL_NOT_LOADED', 'No verifier model is loaded and no formulary is active. Load a model on the Models screen or import a formulary.');
      return tag(rulesOnlyResult(request.text, rules, request.options, ms, formulary.hash));
    }
    const result = await runner(request);
    return formulary ? tag(mergeRuleFindings(result, rules, formulary.hash)) : result;
  };
}
