import { describe, expect, it } from 'vitest';
import { compactSvg, renderSvg } from '../../src/report/figures/charts.js';
import { gridSpec } from '../../src/report/figures/grid-figure.js';
import { CLASS_COLOURS } from '../../src/report/figures/palette.js';
import { equalAspect, scatterSpec } from '../../src/report/figures/scatter.js';
import { parseConfig } from '../../src/config/load.js';
import type { RunInfo } from '../../src/run/run-dir.js';
import { lossCurvesStage, lossRows } from '../../src/report/stages/loss-curves.js';

describe('charts render to SVG in Node', () => {
  it('draws a scatter with its axis titles, a legend of every class and the fixed class colours', async () => {
    const svg = String(await renderSvg(
      scatterSpec({ x: [0, 1, 2], y: [2, 1, 0], labels: Uint8Array.of(0, 1, 9), classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], xTitle: 'PC1 (40% of variance)', yTitle: 'PC2 (20% of variance)' }),
    ));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('PC1 (40% of variance)');
    expect(svg).toContain('PC2 (20% of variance)');
    expect(svg).toContain(CLASS_COLOURS[9]);
    expect(svg).toContain('>class</text>');
  });

  it('escapes text that reaches the SVG (class names, titles)', async () => {
    const svg = String(await renderSvg(scatterSpec({ x: [0], y: [0], labels: Uint8Array.of(0), classNames: ['<script>x</script>'], xTitle: '<b>', yTitle: 'y' })));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(svg).toContain('&lt;b&gt;');
  });

  it('lays a tiled PNG under band axes: one labelled tick per row and column, the picture by relative link', async () => {
    const svg = String(await renderSvg(gridSpec({ src: 'manifold.png', width: 60, height: 40, cols: 3, rows: 2, tile: 20, gap: 0, xLabels: ['−1.00', '0.00', '1.00'], yLabels: ['0.50', '−0.50'], xTitle: 'z₁', yTitle: 'z₂' })));
    expect(svg).toContain('href="manifold.png"');
    for (const label of ['−1.00', '0.00', '1.00', '0.50', '−0.50', 'z₁', 'z₂']) expect(svg).toContain(`>${label}</text>`);
  });

  it('plots loss curves for a single epoch: a point per split and term, with titled axes', async () => {
    const m = { epoch: 1, steps: 1, trainSeconds: 1, evalSeconds: 1, samplesPerSecond: 1, time: '' };
    const terms = { recon: 100, kl: 5, negElbo: 105, loss: 105 };
    const metrics = [{ ...m, train: terms, test: { ...terms, kl: 6 } }];
    expect(lossRows(metrics, [{ key: 'kl', title: 'KL' }])).toEqual([
      { epoch: 1, split: 'train', term: 'KL', value: 5 },
      { epoch: 1, split: 'test', term: 'KL', value: 6 },
    ]);
    const unused = () => {
      throw new Error('the loss curves need only the metrics');
    };
    const ctx = {
      runDir: '/run', outDir: '/out', sectionId: 'loss-curves', config: parseConfig({}), info: {} as RunInfo, metrics, classNames: [],
      spec: unused, latents: unused, latentUsage: unused, vae: unused, dataset: unused, progress: () => {},
    };
    const out = await lossCurvesStage.run(ctx, lossCurvesStage.options.parse({}));
    const body = String(out.body);
    for (const title of ['epoch', 'nats per image', 'Reconstruction', 'KL', '−ELBO']) expect(body).toContain(`>${title}</text>`);
    const pointMarks = [...body.matchAll(/class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/g)].map((g) => g[1]!.split('<path').length - 1);
    expect(pointMarks).toEqual([2, 2, 2]); // one panel per term, a point for train and for test

    expect(out.caption).toContain('test −ELBO 105.00');
  });

  it("draws a warm-up's KL weight under the curves, at the heights of the epochs' β", async () => {
    const terms = { recon: 100, kl: 5, negElbo: 105, loss: 100 };
    const betas = [0, 0.3, 0.9, 1.2, 1.2];
    const metrics = betas.map((beta, e) => ({ epoch: e + 1, steps: e + 1, beta, trainSeconds: 1, evalSeconds: 1, samplesPerSecond: 1, time: '', train: terms, test: terms }));
    const unused = () => {
      throw new Error('the loss curves need only the metrics');
    };
    const config = parseConfig({ loss: { beta: 1.2, warmup: { steps: 40 } } });
    const ctx = { runDir: '/run', outDir: '/out', sectionId: 'loss-curves', config, info: {} as RunInfo, metrics, classNames: [], spec: unused, latents: unused, latentUsage: unused, vae: unused, dataset: unused, progress: () => {} };
    const out = await lossCurvesStage.run(ctx, lossCurvesStage.options.parse({}));
    const body = String(out.body);
    expect(body).toContain('>KL weight β</text>');
    const groups = [...body.matchAll(/class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/g)].map((g) => [...g[1]!.matchAll(/translate\(([\d.]+),([\d.]+)\)/g)].map((t) => Number(t[2])));
    expect(groups.map((g) => g.length)).toEqual([10, 10, 10, 10, 5]); // three ELBO terms and the objective (train, test), the weight
    // the weight's panel is 160 px high with 8 px of padding: y = 152 - 144 * beta / 1.2
    expect(groups[4]!.map((y) => Math.round(((152 - y) / 144) * 1.2 * 100) / 100)).toEqual(betas);
    expect(out.caption).toContain("the KL weight β, rising linearly from 0 to 1.2 over 40 optimizer steps (each epoch's mean over its steps)");
  });

  it('rounds only numbers inside attributes', () => {
    expect(compactSvg('<path d="M1.23456,7.891011" x="3"/><text>0.123456</text>')).toBe('<path d="M1.23,7.89" x="3"/><text>0.123456</text>');
  });

  it('keeps one unit equally long on both axes', () => {
    expect(equalAspect([0, 10], [0, 5], 400)).toEqual({ width: 400, height: 200 });
    expect(equalAspect([0, 2], [0, 8], 400)).toEqual({ width: 133, height: 400 });
  });
});
