import { describe, expect, it } from 'vitest';
import { COMPARE_SECTIONS } from '../../src/report/compare/registry.js';
import type { CompareContext } from '../../src/report/compare/sections.js';

/** Runs as the sections' applies() reads them: saved latents and β. */
const runs = (betas: number[], hasLatents = true) => ({ runs: betas.map((beta) => ({ hasLatents, config: { loss: { beta } } })) }) as unknown as CompareContext;

describe('the comparison report\'s sections come from one registry', () => {
  it('each section is one entry with a unique id, in page order', () => {
    const ids = COMPARE_SECTIONS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe('loss-curves');
    expect(ids.at(-1)).toBe('runs');
  });

  it('a section that does not apply says why', () => {
    const beta = COMPARE_SECTIONS.find((s) => s.id === 'beta-trends')!;
    expect(beta.applies(runs([1, 4]))).toBe(true);
    expect(beta.applies(runs([4, 4]))).toBe('the runs with saved latents span fewer than two values of β');
    expect(beta.applies(runs([1, 4], false))).toMatch(/fewer than two values/);
  });
});
