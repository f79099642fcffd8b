/**
 * The recommendation follows the deployment: its named defaults first, and on
 * a mirror-only deployment never a built-in model the mirror does not serve.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG, mergeCatalog } from '../../../../src/domain/catalog/catalog';
import { deploymentRecommendOptions, recommendDefaults } from '../../../../src/domain/catalog/recommend';
import { CatalogModelSchema, type CatalogModel } from '../../../../src/domain/catalog/schema';
import { makeCaps } from '../../../kit/capabilities';

const common = { engine: 'transformers', dtypes: ['q8'], license: 'Apache-2.0', description: { zh: '测', en: 't' } };
const deployment = [
  { ...common, id: 'hospital/verifier', role: 'verifier', task: 'text-generation', sizeBytes: 50_000_000, label: { zh: '本院核查模型', en: 'Hospital verifier' } },
  { ...common, id: 'hospital/reward', role: 'reward', task: 'text-classification', sizeBytes: 5_000_000, label: { zh: '本院评分模型', en: 'Hospital reward' } },
].map((e) => CatalogModelSchema.parse(e)) as CatalogModel[];

const wasmOnly = makeCaps({ gpu: 'none', memoryGiB: 8 });

describe('recommendation and the deployment', () => {
  const catalog = mergeCatalog(deployment);

  it('without options keeps recommending from the whole catalog (a built-in model)', () => {
    const r = recommendDefaults(wasmOnly, catalog);
    expect(DEFAULT_CATALOG.some((e) => e.id === r.verifier.id)).toBe(true);
  });

  it("a mirror-only deployment with its own catalog gets only its own models, its default verifier and reward", () => {
    const options = deploymentRecommendOptions({ catalog: deployment, mirrorOnly: true, defaultVerifier: null, defaultReward: null });
    const r = recommendDefaults(wasmOnly, catalog, options);
    expect(r.verifier.id).toBe('hospital/verifier');
    expect(r.reward.id).toBe('hospital/reward');
  });

  it('named defaults win when they can run here', () => {
    const options = deploymentRecommendOptions({ catalog: deployment, mirrorOnly: false, defaultVerifier: 'hospital/verifier', defaultReward: 'hospital/reward' });
    const r = recommendDefaults(wasmOnly, catalog, options);
    expect([r.verifier.id, r.reward.id]).toEqual(['hospital/verifier', 'hospital/reward']);
    expect(r.reasons.join(' ')).toMatch(/deployment's default verifier/);
  });
});
