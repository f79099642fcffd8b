/**
 * The tiny fixture verifier (tests/fixtures/build-models.ts) as a catalog
 * entry, for tests of the catalog, the Models screen and the self-test; a
 * test overrides only what it varies.
 */
import type { CatalogModel } from '../../src/domain/catalog/schema';

export function fixtureVerifierEntry(over: Partial<CatalogModel> = {}): CatalogModel {
  return {
    id: 'fixture/tiny-verifier',
    engine: 'transformers',
    role: 'verifier',
    task: 'text-generation',
    dtypes: ['q8'],
    sizeBytes: 11_500_000,
    label: { zh: '测试核查模型', en: 'Fixture verifier' },
    description: { zh: '测试用的微型模型', en: 'Tiny test model' },
    license: 'Apache-2.0',
    ...over,
  };
}
