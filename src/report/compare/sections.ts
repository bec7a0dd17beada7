import type { Dataset } from '../../data/datasets.js';
import { VaelabError } from '../../errors.js';
import { gatherRows } from '../analysis/picks.js';
import { displayRunDir } from '../catalog/display-path.js';
import { pageHref, reportCommand, runReportPath, type RunSummary } from '../catalog/run-summary.js';
import { html, joinHtml, type SafeHtml } from '../figures/html.js';
import { curvesSvg } from './curves.js';
import { comparePicks, decodeRuns, priorPanels, PRIOR_COLS, PRIOR_ROWS, reconFigure } from './digits.js';
import { betaTrends, betaTrendsSvg, type LatentsOf } from './beta-trends.js';
import { latentFigures } from './latent-panels.js';
import { familyOf } from '../../models/families/index.js';
import type { CompareNoteSubject } from '../../models/family.js';

/** What the figure sections of a comparison read: the runs, their labels and the shared data. */
export interface CompareContext {
  runs: readonly RunSummary[];
  labels: readonly string[];
  outDir: string; // where files are written now (the temporary folder)
  finalDir: string; // where the comparison will live: relative links start here
  reportsRoot: string;
  dataset: Dataset;
  log: (message: string) => void;
  latents: LatentsOf; // each run's saved latents, read once for every figure that needs them
}

export interface FigureOutput {
  title: string;
  body: SafeHtml;
  caption: string; // plain text
}

/** What a figure must add for the model families of the runs (each family's note once), '' for none. */
function familyNotes(c: CompareContext, about: Exclude<CompareNoteSubject, 'kl'>): string {
  return [...new Set(c.runs.map((r) => familyOf(r.config.model).compareNote(about)))].join('');
}

export async function curvesSection(c: CompareContext): Promise<FigureOutput> {
  return {
    title: 'Test loss per epoch',
    body: await curvesSvg(c.runs, c.labels),
    caption:
      'Test loss terms after each epoch, nats per image, one line per run in its table colour. −ELBO = reconstruction + KL is an upper ' +
      'bound on −log p(x): lower is better. The terms are in β = 1 form whatever β trained, so runs of a β sweep are compared on the same bound. ' +
      'A larger latent space usually trades more KL for much less reconstruction loss.',
  };
}

/** Reconstructions of the same test digits by every run, and samples from the prior per run. */
export async function digitSections(c: CompareContext): Promise<[FigureOutput, FigureOutput]> {
  const { test } = c.dataset;
  const picks = comparePicks(test, c.dataset.classNames);
  const decoded = await decodeRuns(c.runs, test, picks, c.log);
  const size = c.dataset.height * c.dataset.width;
  const classes = await reconFigure(c.outDir, 'reconstructions-classes.png', c.dataset, gatherRows(test.images, size, picks.classes), decoded.map((d) => d.classes), c.labels, picks.classNames, 'first test example of each class');
  const extra =
    picks.extra.length === 0
      ? null
      : await reconFigure(c.outDir, 'reconstructions-picked.png', c.dataset, gatherRows(test.images, size, picks.extra), decoded.map((d) => d.extra), c.labels, picks.extra.map((i) => `#${i}`), 'test image index (fixed seeded pick)');
  const cvae = c.runs.some((r) => r.config.model.kind === 'cvae');
  const prior = priorPanels(c.outDir, c.dataset, decoded, c.labels);
  return [
    {
      title: 'Reconstructions of the same test digits',
      body: html`${classes}${extra}`,
      caption:
        'The top row holds test digits, each row below their reconstructions by one run (posterior mean decoded, gray level = pixel ' +
        'probability), re-decoded from each run\'s checkpoint. The digits are those of every run report: the first test example of each ' +
        `class, then ${picks.extra.length} picked with a fixed seed.` + (cvae ? ' A CVAE is given each digit\'s true label.' : '') + familyNotes(c, 'reconstruction'),
    },
    {
      title: 'Samples from the prior',
      body: prior,
      caption:
        `${PRIOR_ROWS * PRIOR_COLS} decodings per run of z drawn from N(0, I), one fixed draw shared by every run: a run with a ` +
        'smaller latent space decodes the first coordinates of the same draws, so differences come from the models, not the dice.' +
        (cvae ? ` A CVAE decodes column c with class label c.` : '') +
        familyNotes(c, 'decoding'),
    },
  ];
}

export async function latentSections(c: CompareContext): Promise<[FigureOutput, FigureOutput]> {
  const f = await latentFigures(c.runs, c.labels, c.dataset.classNames, c.outDir, c.latents);
  const missing = f.missing.length === 0 ? '' : ` Not drawn (no saved latents, or latentDim 1): ${f.missing.join('; ')}.`;
  const none = html`<p class="note">No run saved latents to draw.</p>`;
  const pca = c.runs.some((r) => r.config.model.latentDim > 2);
  return [
    {
      title: 'Latent space of the test set',
      body: f.scatter ?? none,
      caption:
        `Every test image of each run, coloured by class: first one z sampled from each image's posterior (the same noise for every run), ` +
        'each panel on its own scale so a collapsed code and a wide one both show their shape; then the samples and the posterior means ' +
        'on one scale shared by all panels, where the spread of the samples against the means shows how wide each run\'s posteriors are. ' +
        (pca
          ? 'Runs with latentDim above 2 are drawn on the first two principal components of their own means: the axes of different runs are ' +
            'different directions, so compare spreads and cluster separation, not positions. '
          : '') +
        familyNotes(c, 'codes') +
        missing,
    },
    {
      title: 'Per-class contours',
      body: f.contours ?? none,
      caption:
        'For each class the Gaussian matching the encoder\'s posteriors over its test images, as ellipses at 1 and 2 standard deviations, ' +
        'over the dashed N(0, I) prior at the same radii; all panels share one scale. For latentDim above 2 the plane is the two ' +
        'dimensions with the largest average KL of that run, as in its own report.' + familyNotes(c, 'codes') + missing,
    },
  ];
}

/** How the posterior width, the units in use and the entanglement of the code move with β. */
export async function betaSection(c: CompareContext): Promise<FigureOutput> {
  const trends = betaTrends(c.runs, c.latents);
  if (trends === null) throw new VaelabError('the runs with saved test latents share one value of β: nothing to draw against it');
  const groups = new Set(trends.map((t) => t.group)).size;
  return {
    title: 'The latent code against β',
    body: await betaTrendsSvg(trends),
    caption:
      'From each run\'s saved test latents, against the β it trained with: the posterior standard deviation of every dimension ' +
      '(averaged over the test images; near 1 the dimension has collapsed to the prior), the number of active units by each run\'s ' +
      'own threshold, and the mean absolute correlation of the posterior means over pairs of dimensions (lower: a less entangled code). ' +
      'β weighs the pull of each posterior toward the prior: posteriors that broaden and units that switch off as β grows show that pull at work.' +
      (trends.some((t) => t.fd !== null || t.linearProbe !== null)
        ? ' Below, from metrics.json: the Fréchet distance of prior samples to the test set on the reference classifier\'s features, and the linear probe\'s test accuracy on the posterior means (what a linear read-out of the code recovers of the labels).'
        : '') +
      (groups > 1 ? ' Runs that differ in more than β (kind, architecture, latent size) are drawn as separate lines.' : ''),
  };
}

/** Links to every run's own report, and how to build the ones that are missing. */
export function linksSection(c: CompareContext): FigureOutput {
  const items = c.runs.map((r, i) => {
    const href = pageHref(c.finalDir, runReportPath(c.reportsRoot, r.info));
    const label = c.labels[i] ?? '';
    const where = displayRunDir(r.runDir);
    return href === null
      ? html`<li>${label}: no report yet for <code>${where}</code>; build it with <code>${reportCommand(r.runDir, c.reportsRoot)}</code></li>`
      : html`<li><a href="${href}">${label}</a> <span class="se">(${where})</span></li>`;
  });
  return {
    title: 'Run reports',
    body: html`<ul class="runs">${joinHtml(items, '\n')}</ul>`,
    caption: 'Each run\'s own report has every figure of that run (t-SNE, manifolds, interpolations, latent statistics).',
  };
}
