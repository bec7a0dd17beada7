import { z } from 'zod';
import { minimisesElbo, objectiveFormula } from '../../config/objective.js';
import type { Config } from '../../config/schema.js';
import { VaelabError } from '../../errors.js';
import type { EpochMetrics, LossMeans } from '../../run/run-dir.js';
import { renderSvg } from '../figures/charts.js';
import { lossPanelsSpec } from '../figures/loss-panels.js';
import { SPLIT_COLOURS } from '../figures/palette.js';
import type { Stage } from '../types.js';

const Options = z.strictObject({
  width: z.int().min(120).max(600).default(240).describe('width of each panel in pixels'),
});

interface Term {
  key: keyof LossMeans;
  title: string;
}

function terms(loss: Config['loss']): Term[] {
  const list: Term[] = [
    { key: 'recon', title: 'Reconstruction' },
    { key: 'kl', title: 'KL' },
    { key: 'negElbo', title: '−ELBO' },
  ];
  // With other weights the minimised objective differs from -ELBO: show it too.
  return minimisesElbo(loss) ? list : [...list, { key: 'loss', title: `Objective, ${objectiveFormula(loss)}` }];
}

/** One row per epoch, split and term; a term an older metrics line lacks is left out. */
export function lossRows(metrics: EpochMetrics[], list: Term[]) {
  return metrics.flatMap((m) =>
    list.flatMap((t) =>
      (['train', 'test'] as const).flatMap((split) => {
        const value = m[split][t.key];
        return value === undefined ? [] : [{ epoch: m.epoch, split, term: t.title, value }];
      }),
    ),
  );
}

export const lossCurvesStage: Stage<z.infer<typeof Options>> = {
  type: 'lossCurves',
  options: Options,
  inDefault: () => true,
  applies: () => true,
  async run(ctx, options) {
    const { metrics } = ctx;
    const last = metrics.at(-1);
    if (last === undefined) throw new VaelabError(`${ctx.runDir}/metrics.jsonl holds no completed epoch`);
    const list = terms(ctx.config.loss);
    const n = last.epoch;
    const svg = await renderSvg(
      lossPanelsSpec({
        values: lossRows(metrics, list),
        terms: list.map((t) => t.title),
        colour: { field: 'split', scale: { domain: ['train', 'test'], range: [SPLIT_COLOURS.train, SPLIT_COLOURS.test] }, legend: { title: null, orient: 'top' } },
        maxEpoch: n,
        width: options.width,
        height: 180,
        pointSize: 36,
      }),
    );
    const f = (v: number) => v.toFixed(2);
    return {
      title: 'Loss curves',
      caption:
        `Mean loss terms per epoch in nats per image, on the training set (blue, averaged over the epoch's steps) ` +
        `and the test set (orange, evaluated after the epoch). Reconstruction is the Bernoulli negative log-likelihood ` +
        `of the pixels, KL the divergence of the encoder's posterior from the N(0, I) prior, and −ELBO their sum, an ` +
        `upper bound on −log p(x). A test curve that rises while the training curve falls means overfitting. ` +
        (minimisesElbo(ctx.config.loss) ? '' : `The last panel is the objective that was minimised, ${objectiveFormula(ctx.config.loss)}; the other three are the ELBO's terms at weight 1 whatever trained. `) +
        `After epoch ${n}: test −ELBO ${f(last.test.negElbo)} (reconstruction ${f(last.test.recon)}, KL ${f(last.test.kl)}).`,
      body: svg,
      files: [],
    };
  },
};
