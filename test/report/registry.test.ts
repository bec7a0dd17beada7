import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { VaelabError } from '../../src/errors.js';
import { resolveStages, STAGES } from '../../src/report/registry.js';

const vae2 = parseConfig({ model: { latentDim: 2 } });
const cvae2 = parseConfig({ model: { kind: 'cvae', latentDim: 2 } });
const vae10 = parseConfig({ model: { latentDim: 10 } });
const types = (config: typeof vae2, specs?: Parameters<typeof resolveStages>[1]) => resolveStages(config, specs).map((s) => s.stage.type);

function problem(config: typeof vae2, specs: Parameters<typeof resolveStages>[1]): string {
  try {
    resolveStages(config, specs);
  } catch (err) {
    expect(err).toBeInstanceOf(VaelabError);
    return (err as Error).message;
  }
  throw new Error('expected resolveStages to throw');
}

describe('default stages fit the model', () => {
  it('a latentDim-2 VAE gets every figure of issue 4 but the CVAE ones', () => {
    expect(types(vae2)).toEqual([
      'lossCurves', 'reconstructions', 'priorSamples', 'latentScatter', 'tsne', 'manifold', 'contours',
      'classMeanGrid', 'interpolations', 'traversals', 'latentStats', 'explorer', 'exports',
    ]);
  });

  it('a CVAE swaps the manifold and class-mean grid for per-class manifolds and the fixed-class grid', () => {
    const t = types(cvae2);
    expect(t).toContain('classManifolds');
    expect(t).toContain('fixedClassGrid');
    expect(t).toContain('contours');
    expect(t).not.toContain('manifold');
    expect(t).not.toContain('classMeanGrid');
  });

  it('latentDim 10 has t-SNE and the (PCA) scatter, and no manifold', () => {
    const t = types(vae10);
    expect(t).toEqual(expect.arrayContaining(['tsne', 'latentScatter']));
    expect(t).not.toContain('manifold');
  });

  it('every stage option schema parses {} to its defaults (strict objects)', () => {
    for (const s of STAGES) expect(() => s.options.parse({}), s.type).not.toThrow();
  });
});

describe('report.stages lists', () => {
  it('takes names and {type, ...options}, parsing options with defaults, in the listed order', () => {
    const r = resolveStages(vae2, ['exports', { type: 'tsne', points: 100 }]);
    expect(r.map((s) => s.id)).toEqual(['exports', 'tsne']);
    expect(r[1]!.options).toEqual({ points: 100, perplexity: 30, iterations: 1000, theta: 0.5 });
  });

  it('numbers the section ids of a repeated type', () => {
    const r = resolveStages(vae2, ['classMeanGrid', { type: 'classMeanGrid', label: 3 }]);
    expect(r.map((s) => s.id)).toEqual(['class-mean-grid', 'class-mean-grid-2']);
  });

  it('names an unknown type with a did-you-mean and the known types', () => {
    const msg = problem(vae2, ['lossCurves', 'tsen']);
    expect(msg).toContain("report.stages[1]: unknown stage type 'tsen' (did you mean 'tsne'?)");
    expect(msg).toContain('known types: lossCurves, ');
  });

  it('names the stage and the key of an unknown option, with a did-you-mean', () => {
    const msg = problem(vae2, [{ type: 'tsne', perplexty: 5 }]);
    expect(msg).toContain("report.stages[0] (tsne): unknown option 'perplexty' (did you mean 'perplexity'?)");
  });

  it('names the stage and the key of a bad option value', () => {
    expect(problem(vae2, [{ type: 'latentScatter', points: 'many' }])).toMatch(/report\.stages\[0\] \(latentScatter\)\.points: .*number/);
  });

  it('refuses a listed stage that cannot apply, saying why, and reports every problem at once', () => {
    const msg = problem(cvae2, ['manifold', { type: 'fixedClassGrid', size: 1 }, 'nope']);
    expect(msg).toContain('3 problems');
    expect(msg).toContain('report.stages[0] (manifold): does not apply to this run: a cvae decoder needs a label');
    expect(msg).toContain('report.stages[1] (fixedClassGrid).size:');
    expect(problem(vae10, ['fixedClassGrid'])).toContain('report.stages[0] (fixedClassGrid): does not apply to this run: needs a cvae');
  });
});
