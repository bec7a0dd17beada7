import { z } from 'zod';
import { minimisesElbo, objectiveFormula } from '../../config/objective.js';
import type { Config } from '../../config/schema.js';
import { VaelabError } from '../../errors.js';
import type { EpochMetrics, LossMeans } from '../../run/run-dir.js';
import { familyOf } from '../../models/families/index.js';
import { renderSvg } from '../figures/charts.js';
import { lossPanelsSpec } from '../figures/loss-panels.js';
import { objectivePanelsSpec, type ObjectivePanel } from '../figures/objective-panels.js';
import { SPLIT_COLOURS } from '../figures/palette.js';
import type { Stage } from '../types.js';

const Options = z.strictObject({
  width: z.int().min(120).max(600).default(240).describe('width of each panel in pixels'),
});

interface Term {
  key: keyof LossMeans;
  title: string;
  trainOnly?: boolean; // the test set has no value of it (a family's batch objective)
}

/** The terms of every run, named by its model family (a KL, or what the family weighs in its place). */
function familyTerms(model: Config['model']): Term[] {
  const names = familyOf(model).termNames(model);
  return [
    { key: 'recon', title: names.recon },
    { key: 'kl', title: names.kl },
    { key: 'negElbo', title: names.total },
  ];
}

/** The family minimised an objective of its own, which its recon and kl do not give (a summed training loss, no test value). */
const ownObjective = (model: Config['model']) => !familyOf(model).termsGiveLoss(model);

/** A warm-up or free bits: the run minimised more than its weights say, drawn in a row of its own. */
const hasKlSchedule = (loss: Config['loss']) => loss.warmup !== null || loss.freeBits !== null;

function terms({ loss, model }: Config): Term[] {
  const base = familyTerms(model);
  // a family whose objective its terms do not give (an MMD, TC estimates): its summed training loss, no test value
  if (ownObjective(model)) return hasKlSchedule(loss) ? base : [...base, { key: 'loss', title: 'Objective minimised', trainOnly: true }];
  // With other weights the minimised objective differs from -ELBO: show it too.
  return minimisesElbo(loss) || hasKlSchedule(loss) ? base : [...base, { key: 'loss', title: `Objective, ${objectiveFormula(loss)}` }];
}

/** One row per epoch, split and term; a term an older metrics line lacks is left out. */
export function lossRows(metrics: EpochMetrics[], list: Term[]) {
  return metrics.flatMap((m) =>
    list.flatMap((t) =>
      (t.trainOnly === true ? (['train'] as const) : (['train', 'test'] as const)).flatMap((split) => {
        const value = m[split][t.key];
        return value === undefined ? [] : [{ epoch: m.epoch, split, term: t.title, value }];
      }),
    ),
  );
}

/** The lower row of a run with a warm-up or free bits: what it minimised, and the weight and floor that made it. */
function objectivePanels(config: Config, metrics: EpochMetrics[]): ObjectivePanel[] {
  const { loss } = config;
  const series = (key: keyof LossMeans, trainOnly = false) => lossRows(metrics, [{ key, title: '', trainOnly }]).map(({ epoch, split, value }) => ({ epoch, split, value }));
  const panels: ObjectivePanel[] = [{ title: 'Objective minimised', values: series('loss', ownObjective(config.model)), yTitle: 'nats per image' }];
  if (loss.freeBits !== null) panels.push({ title: `KL floored, Σ_d max(KL_d, ${loss.freeBits})`, values: series('klFloored'), yTitle: 'nats per image' });
  if (loss.warmup !== null) {
    const beta = metrics.flatMap((m) => (m.beta === undefined ? [] : [{ epoch: m.epoch, value: m.beta }]));
    panels.push({ title: 'KL weight β', values: beta, yTitle: 'β', yDomain: [0, loss.beta] });
  }
  if (loss.freeBits !== null) panels.push({ title: `Dimensions under ${loss.freeBits} nats`, values: series('dimsAtFloor'), yTitle: 'latent dimensions', yDomain: [0, config.model.latentDim] });
  return panels;
}

/** The caption's account of the lower row: what was minimised, and how the weight and the floor made it. */
function objectiveCaption(loss: Config['loss']): string {
  if (!hasKlSchedule(loss)) return minimisesElbo(loss) ? '' : `The last panel is the objective that was minimised, ${objectiveFormula(loss)}; the other three are the ELBO's terms at weight 1 whatever trained. `;
  const parts = [`the objective, ${objectiveFormula(loss)}`];
  if (loss.freeBits !== null) {
    parts.push(`its KL term Σ_d max(KL_d, ${loss.freeBits}), KL_d the KL of latent dimension d averaged over each minibatch (on the test set, over the whole set), so that a dimension under the floor got no KL gradient`);
  }
  if (loss.warmup !== null) {
    const over = 'epochs' in loss.warmup ? `${loss.warmup.epochs} epochs (constant within each epoch)` : `${loss.warmup.steps} optimizer steps (each epoch's mean over its steps)`;
    parts.push(`the KL weight β, rising linearly from 0 to ${loss.beta} over ${over}`);
  }
  if (loss.freeBits !== null) parts.push(`the number of latent dimensions under the floor (train: the mean over the epoch's steps)`);
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join('; ')}; and ${parts.at(-1)!}`;
  const warm = loss.warmup === null ? '' : ` While β is under ${loss.beta}, −ELBO is not what was minimised; the objective's test curve weighs the test terms by each epoch's β.`;
  return `The upper row holds the ELBO's terms at weight 1, whatever trained; the lower row what was minimised: ${list}.${warm} `;
}

export const lossCurvesStage: Stage<z.infer<typeof Options>> = {
  type: 'lossCurves',
  options: Options,
  inDefault: () => true,
  needs: [],
  applies: () => true,
  async run(ctx, options) {
    const { metrics } = ctx;
    const last = metrics.at(-1);
    if (last === undefined) throw new VaelabError(`${ctx.runDir}/metrics.jsonl holds no completed epoch`);
    const { loss } = ctx.config;
    const list = terms(ctx.config);
    const names = familyOf(ctx.config.model).termNames(ctx.config.model);
    const n = last.epoch;
    const curves = lossPanelsSpec({
      values: lossRows(metrics, list),
      terms: list.map((t) => t.title),
      colour: { field: 'split', scale: { domain: ['train', 'test'], range: [SPLIT_COLOURS.train, SPLIT_COLOURS.test] }, legend: { title: null, orient: 'top' } },
      maxEpoch: n,
      width: options.width,
      height: 180,
      pointSize: 36,
    });
    // one figure, so both rows scale alike when the page narrows it, under one train/test legend
    const lower = hasKlSchedule(loss) ? objectivePanelsSpec(objectivePanels(ctx.config, metrics), { maxEpoch: n, width: options.width, height: 160 }) : null;
    const svg = await renderSvg(lower === null ? curves : { vconcat: [curves, lower], spacing: 24 });
    const f = (v: number) => v.toFixed(2);
    return {
      title: 'Loss curves',
      caption:
        `Mean loss terms per epoch in nats per image, on the training set (blue, averaged over the epoch's steps) ` +
        `and the test set (orange, evaluated after the epoch). ${names.meaning} A test curve that rises while the training curve falls means overfitting. ` +
        (!ownObjective(ctx.config.model) ? objectiveCaption(loss) : `The objective panel is what ${familyOf(ctx.config.model).objectiveName(ctx.config.model, loss)} minimised, summed over the epoch's steps: training set only, its batch terms have no per-image value on the test set. `) +
        `After epoch ${n}: test ${names.total} ${f(last.test.negElbo)} (reconstruction ${f(last.test.recon)}, ${names.kl} ${f(last.test.kl)}).`,
      body: svg,
      files: [],
    };
  },
};
