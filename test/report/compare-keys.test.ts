import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import '../../src/models/families/index.js'; // the two-layer family's section
import type { RunSummary } from '../../src/report/catalog/run-summary.js';
import { differingKeys, runLabels, shownValue, tableColumn, valueAt } from '../../src/report/compare/differ.js';
import { registerFamily } from '../../src/models/families/index.js';
import { noisyAe } from '../families/noisy-ae/index.js';

const config = (model: Record<string, unknown>): Config => parseConfig({ model: { hidden: [200, 200], latentDim: 50, ...model } });
const run = (c: Config, id: string) => ({ config: c, info: { name: 'run', id } }) as unknown as RunSummary;

describe('the keys a comparison shows', () => {
  const one = config({});
  const two = config({ intermediate: { latentDim: 100, hidden: [100, 100] } });

  it('compares one stochastic layer against two as the one section that differs', () => {
    expect(differingKeys([one, two])).toEqual(['model.intermediate']);
    expect(runLabels([run(one, 'a'), run(two, 'b')], ['model.intermediate'])).toEqual([
      'one stochastic layer',
      'two stochastic layers, h1 100',
    ]);
    expect(shownValue('model.intermediate', valueAt(two, 'model.intermediate'))).toBe('two stochastic layers, h1 100');
    expect(tableColumn('model.intermediate').cell(valueAt(two, 'model.intermediate'))).toBe('2 (h1 100, hidden 100-100)');
    expect(tableColumn('model.intermediate').cell(valueAt(one, 'model.intermediate'))).toBe('1');
  });

  it('still names the leaves that differ between two two-layer runs', () => {
    const wider = config({ intermediate: { latentDim: 100, hidden: [200, 200] } });
    expect(differingKeys([two, wider])).toEqual(['model.intermediate.hidden']);
    expect(runLabels([run(two, 'a'), run(wider, 'b')], ['model.intermediate.hidden'])).toEqual(['hidden 100-100', 'hidden 200-200']);
  });

  it('keeps leaf keys for sections set in every run, and a mixed trio still collapses', () => {
    const z10 = config({ latentDim: 10 });
    expect(differingKeys([one, z10])).toEqual(['model.latentDim']);
    expect(differingKeys([one, two, z10])).toEqual(['model.latentDim', 'model.intermediate']);
  });
});

describe('model.family with a third family', () => {
  let unregister: () => void = () => undefined;
  beforeAll(() => {
    unregister = registerFamily(noisyAe);
  });
  afterAll(() => unregister());

  it('stays when the two-layer key no longer tells every two families apart', () => {
    const one = config({});
    const two = config({ intermediate: { latentDim: 100, hidden: [100, 100] } });
    const noisy = parseConfig({ model: { family: 'noisy-ae', hidden: [200, 200], latentDim: 50 } });
    // Gaussian and noisy-ae agree on model.intermediate (neither has one): only model.family tells them apart
    expect(differingKeys([one, two, noisy])).toContain('model.family');
    expect(differingKeys([one, two])).toEqual(['model.intermediate']);
  });
});


describe('the built-in families side by side (configs/families/compare.yaml)', () => {
  const gaussian = config({});
  const info = config({ family: 'info-vae', mmd: { alpha: 0, lambda: 10 } });
  const tc = config({ family: 'beta-tcvae', tc: { beta: 6 } });

  it('keeps model.family with three families even where their own keys differ in every pair, and says each key in its own words', () => {
    const keys = differingKeys([gaussian, info, tc]);
    expect(keys).toEqual(['model.family', 'model.mmd', 'model.tc']);
    // two families: the InfoVAE weights tell them apart, but say nothing of the Gaussian run, so the family stays
    expect(differingKeys([gaussian, info])).toEqual(['model.family', 'model.mmd']);
    expect(runLabels([run(gaussian, 'a'), run(info, 'b')], ['model.family', 'model.mmd'])).toEqual(['family gaussian', 'family info-vae, InfoVAE α 0, λ 10']);
    expect(tableColumn('model.mmd')).toMatchObject({ head: 'InfoVAE α, λ' });
    expect(tableColumn('model.mmd').cell(valueAt(info, 'model.mmd'))).toBe('0, 10 (imq)');
    expect(tableColumn('model.mmd').cell(valueAt(gaussian, 'model.mmd'))).toBe('—');
    expect(tableColumn('model.tc').cell(valueAt(tc, 'model.tc'))).toBe('1, 6, 1 (MWS)');
    // a family's key says nothing of another family's run: no empty parts in a legend
    expect(runLabels([run(gaussian, 'a'), run(info, 'b'), run(tc, 'c')], keys)).toEqual([
      'family gaussian',
      'family info-vae, InfoVAE α 0, λ 10',
      'family beta-tcvae, β-TCVAE α 1, β 6, γ 1',
    ]);
  });
});
