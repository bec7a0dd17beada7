import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/jobs/pipeline.js';
import { zName } from '../../src/report/figures/format.js';
import { buildReport } from '../../src/report/render.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('vaelab-captions-');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function unescape(s: string): string {
  return s.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}

interface Page {
  summary: string; // the summary's text
  captions: Record<string, string>; // section id -> caption text
  html: string;
}

/** A tiny real run with `over` applied, its report with the figures whose captions make claims, read back as text. */
async function reported(name: string, over: Record<string, unknown>): Promise<Page & { runDir: string }> {
  const config = tinyConfig({ name, data: { trainLimit: 300, testLimit: 100 }, train: { epochs: 1 }, ...over });
  const { runDir } = await train(config, { out: join(tmp, 'runs') });
  const { indexPath } = await buildReport(runDir, join(tmp, 'reports'), { stages: ['lossCurves', 'reconstructions', 'traversals'] });
  const html = readFileSync(indexPath, 'utf8');
  const summary = unescape(/<section id="summary"[\s\S]*?<\/section>/.exec(html)![0]);
  const captions: Record<string, string> = {};
  for (const m of html.matchAll(/<section id="([a-z-]+)"([\s\S]*?)<\/section>/g)) {
    const caption = /<p class="caption">([\s\S]*?)<\/p>\s*$/.exec(m[2]!);
    if (caption !== null) captions[m[1]!] = unescape(caption[1]!);
  }
  return { summary, captions, html, runDir };
}

describe('captions and summary rows state only what the run supports', () => {
  it('a KL-only run is named so, its objective is drawn, and its reconstructions are said to come from an untrained decoder', async () => {
    const page = await reported('kl-only', { loss: { reconstructionWeight: 0 } });
    expect(page.summary).toContain('loss KL only (reconstruction weight 0)');
    expect(page.summary).not.toContain('ELBO (β = 1)');
    expect(page.summary).toContain('objective, 0·recon + KL');
    expect(page.captions['loss-curves']).toContain('The last panel is the objective that was minimised, 0·recon + KL');
    expect(page.captions['reconstructions']).toContain('reconstruction term weight 0, so no gradient ever reaches the decoder');
    expect(page.captions['reconstructions']).not.toMatch(/blurry|small latent space/i);
  });

  it('a β = 4 run: named a β-VAE, its objective recon + 4·KL, the trade-off said in the reconstructions caption', async () => {
    const page = await reported('beta4', { loss: { beta: 4 } });
    expect(page.summary).toContain('loss β-VAE, β = 4');
    expect(page.captions['loss-curves']).toContain('recon + 4·KL');
    expect(page.captions['reconstructions']).toContain('With β = 4 the KL term weighs 4 times as much as in the ELBO');
    expect(page.summary).not.toContain('training IWAE NLL'); // not asked for
    expect(page.captions['reconstructions']).not.toMatch(/small latent space/i);
  });

  it('a z = 10 ELBO run: its own code size and numbers, every evaluation row from metrics.json, traversals over its active units', async () => {
    const page = await reported('z10', { model: { latentDim: 10 }, eval: { iwaeImages: 16, iwaeSamples: 32, iwaeTrainImages: 20 } });
    const m = readEvalMetrics(page.runDir)!;
    expect(page.summary).toContain('loss ELBO (β = 1)');
    expect(page.summary).not.toContain('objective,'); // the objective is the ELBO: no separate row
    expect(page.captions['loss-curves']).not.toContain('The last panel is the objective');
    expect(page.html).not.toContain('KL weight β'); // no warm-up: no weight panel
    expect(page.captions['reconstructions']).toContain('with a 10-dimensional code');
    expect(page.captions['reconstructions']).not.toMatch(/blurry|small latent space/i);
    expect(page.summary).toContain(`test −ELBO ${m.test.negElbo.toFixed(2)} ± ${m.test.negElboStdError.toFixed(2)} nats/image`);
    expect(page.summary).toContain(`test IWAE NLL ${m.iwae!.nll.toFixed(2)} ± ${m.iwae!.stdError.toFixed(2)} nats/image (K = ${m.iwae!.samples}, first ${m.iwae!.images} test images)`);
    expect(page.summary).toContain(`training IWAE NLL ${m.iwaeTrain!.nll.toFixed(2)} ± ${m.iwaeTrain!.stdError.toFixed(2)} nats/image (K = 32, first 20 training images)`);
    expect(page.summary).toContain(`active units ${m.latent.activeUnits} of 10`);
    const strongest = m.latent.klPerDim.map((v, j) => ({ v, j })).sort((a, b) => b.v - a.v)[0]!;
    expect(page.summary).toContain(`KL per dimension ${zName(strongest.j)} ${strongest.v.toFixed(2)}`);
    const rows = [...page.html.matchAll(/<text[^>]*>z[₀-₉]+ \(KL [\d.]+\)<\/text>/g)].length;
    expect(rows).toBe(Math.min(12, m.latent.activeUnits) || 2);
    if (m.latent.activeUnits > 0) expect(page.captions['traversals']).toContain(`active`);
  });

  it('a warm-up with free bits: named so, the weight and the floor drawn beside the curves, the caption says what was minimised', async () => {
    const page = await reported('warm-floor', { model: { latentDim: 4 }, loss: { warmup: { epochs: 2 }, freeBits: 0.2 }, train: { epochs: 3 } });
    expect(page.summary).toContain('loss ELBO (β = 1) with KL warm-up (β from 0 to 1 linearly over 2 epochs) and free bits (the KL of each latent dimension floored at 0.2 nats)');
    expect(page.summary).toContain('KL floored, Σ_d max(KL_d, 0.2)');
    const caption = page.captions['loss-curves']!;
    expect(caption).toContain("The upper row holds the ELBO's terms at weight 1, whatever trained; the lower row what was minimised: the objective, recon + min(1, e/2)·Σ_d max(KL_d, 0.2) (e: epochs done);");
    expect(caption).toContain('so that a dimension under the floor got no KL gradient');
    expect(caption).toContain('the KL weight β, rising linearly from 0 to 1 over 2 epochs (constant within each epoch)');
    expect(caption).toContain('While β is under 1, −ELBO is not what was minimised');
    expect(caption).not.toContain('The last panel is the objective');
    const section = /<section id="loss-curves"[\s\S]*?<\/section>/.exec(page.html)![0];
    for (const title of ['Reconstruction', '−ELBO', 'Objective minimised', 'KL floored, Σ_d max(KL_d, 0.2)', 'KL weight β', 'β', 'Dimensions under 0.2 nats', 'latent dimensions']) {
      expect(section).toContain(`>${title}</text>`);
    }
    const points = [...section.matchAll(/class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/g)].map((g) => g[1]!.split('<path').length - 1);
    // the ELBO's three terms, then the objective and the floored KL, train and test over 3 epochs; the weight (one
    // line); the dimensions under the floor (train and test)
    expect(points).toEqual([6, 6, 6, 6, 6, 3, 6]);
  });
});
