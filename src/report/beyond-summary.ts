import type { Config } from '../config/schema.js';
import { latentProbesSkipped, sampleQualitySkipped, type SplitSizes } from '../eval/beyond-likelihood.js';
import { familyOf } from '../models/families/index.js';
import type { LatentKnowledgeMetrics, SampleQualityMetrics } from '../run/eval-metrics.js';
import type { FinalMetrics } from './catalog/final-metrics.js';
import { html, type SafeHtml } from './figures/html.js';
import { shareBars } from './figures/share-bars.js';
import { percent } from './figures/format.js';

const count = (n: number) => n.toLocaleString('en-US');
const ordinal = (k: number) => `${k}${k === 1 ? 'st' : k === 2 ? 'nd' : k === 3 ? 'rd' : 'th'}`;

/** The classifier's name in a metric's label: "FD (MNIST classifier)", never FID. */
export function classifierName(dataset: Config['data']['dataset']): string {
  return `${dataset.toUpperCase()} classifier`;
}

type Row = [measure: string, values: (SafeHtml | string)[], what: string];

/** A way the samples were drawn, as a column of the table: the prior, or the ex-post mixture. */
interface Source {
  head: string;
  q: SampleQualityMetrics;
}

function qualityRows(sources: readonly Source[], config: Config, classNames: readonly string[]): Row[] {
  const q = sources[0]!.q;
  const of = <T>(pick: (q: SampleQualityMetrics) => T) => sources.map((s) => pick(s.q));
  const fd = `FD (${classifierName(config.data.dataset)})${sources.length === 1 ? ', prior samples' : ''}`;
  const rows: Row[] = [
    [
      fd,
      of((v) => v.fd.samples.toFixed(1)),
      `Fréchet distance between the classifier's features of ${count(q.samples)} samples and of ${count(q.testImages)} test images; lower is better. ` +
        `For scale: training images ${q.fd.trainingImages.toFixed(1)} (what a perfect model reaches at this N), the test set's reconstructions ${q.fd.reconstructions.toFixed(1)}.`,
    ],
    ['precision', of((v) => v.precision.toFixed(3)), `share of samples inside the test images' manifold (each image's ball reaches its ${ordinal(q.k)} nearest neighbour): are the samples realistic?`],
    ['recall', of((v) => v.recall.toFixed(3)), 'share of test images inside the samples\' manifold: do the samples cover the data?'],
    ['classifier confidence', of((v) => percent(v.confidence)), 'mean largest class probability on the samples: recognisable digits score high, ambiguous ones low'],
    [
      'classes among samples',
      of((v) => shareBars(v.classShares, classNames, 'share of the samples the classifier assigns to each class', { reference: v.testShares })),
      'share of the samples the classifier puts in each class; the dashes are the test set\'s shares. A missing bar is a missing mode.',
    ],
  ];
  if (q.labelAccuracy !== null) {
    const mean = (a: number[] | null) => (a === null ? 0 : a.reduce((s, v) => s + v, 0) / a.length);
    rows.push(['accuracy per label', of((v) => shareBars(v.labelAccuracy ?? [], classNames, 'classifier accuracy on the samples drawn for each label', { top: 1 })), `for each label, the share of the samples drawn for it that the classifier reads as it (mean ${sources.map((s) => percent(mean(s.q.labelAccuracy))).join(' and ')})`]);
  }
  return rows;
}

function knowledgeRows(k: LatentKnowledgeMetrics, classes: number): Row[] {
  const chance = `chance is about ${percent(1 / classes)}`;
  return [
    ['linear probe', [percent(k.linearProbe)], `test accuracy of a logistic regression fitted on the ${count(k.trainImages)} training means and scored on the ${count(k.testImages)} test means: what a linear read-out recovers (${chance})`],
    [`${k.knnK}-NN`, [percent(k.knn)], `test accuracy of a majority vote of the ${k.knnK} nearest training means: what the space knows locally`],
    ['k-means', [`${percent(k.kmeans.accuracy)}, NMI ${k.kmeans.nmi.toFixed(3)}`], `${classes} clusters of the test means, matched one to one to the classes: do the classes form clusters unsupervised?`],
  ];
}

/** Rows of a measure, its value(s) and what it says; with several values, a head row names their columns. */
function rowsTable(rows: readonly Row[], heads: readonly string[] = []): SafeHtml {
  const head = heads.length > 1 && html`<thead><tr><th></th>${heads.map((h) => html`<th scope="col" class="v">${h}</th>`)}<th></th></tr></thead>`;
  return html`<table class="kv beyond">${head}<tbody>${rows.map(([m, vs, what]) => html`<tr><th scope="row">${m}</th>${vs.map((v) => html`<td class="v">${v}</td>`)}<td class="what">${what}</td></tr>`)}</tbody></table>`;
}

/**
 * Beyond the likelihood: sample quality on the reference classifier's features and what the posterior
 * means know of the labels, each number with a line saying what it measures; a run without them says why.
 */
export function beyondSummary(final: FinalMetrics, config: Config, sizes: SplitSizes | null, classNames: readonly string[]): SafeHtml {
  if (final.source !== 'metrics.json') return html``;
  const why = (reason: string | null) => reason ?? 'not in metrics.json (evaluated by an earlier vaelab)';
  const q = final.sampleQuality;
  const k = final.latentKnowledge;
  const quality =
    q === null
      ? html`<p class="caption">Sample quality: not measured, ${why(sizes === null ? null : sampleQualitySkipped(config, sizes))}.</p>`
      : html`${rowsTable(qualityRows(sources(q, final.sampleQualityGmm, config), config, classNames), sources(q, final.sampleQualityGmm, config).map((s) => s.head))}${gmmNote(final.sampleQualityGmm, config)}<p class="caption">Scored on the reference classifier of ${config.data.dataset} (${q.classifierAccuracy === undefined ? '' : `${percent(q.classifierAccuracy)} on its test set, `}weights SHA-256 <code>${q.classifier.slice(0, 12)}</code>…; prior draws from seed ${q.seed}): these numbers compare only between runs scored by the same classifier.</p>`;
  const knowledge =
    k === null
      ? html`<p class="caption">Latent probes: not measured, ${why(sizes === null ? null : latentProbesSkipped(config, familyOf(config.model), sizes))}.</p>`
      : rowsTable(knowledgeRows(k, classNames.length));
  return html`<div class="beyond-part"><h3 class="summary-h">Sample quality</h3>${quality}</div><div class="beyond-part"><h3 class="summary-h">What the latent space knows (posterior means)</h3>${knowledge}</div>`;
}

function sources(prior: SampleQualityMetrics, gmm: SampleQualityMetrics | null, config: Config): Source[] {
  return [{ head: 'prior N(0, I)', q: prior }, ...(gmm === null ? [] : [{ head: `ex-post GMM, ${config.eval.gmmComponents} components`, q: gmm }])];
}

function gmmNote(gmm: SampleQualityMetrics | null, config: Config): SafeHtml | false {
  return (
    gmm !== null &&
    html`<p class="caption">The second column draws z from a mixture of ${config.eval.gmmComponents} Gaussians fitted by EM to the training set's posterior means (eval.sampler gmm; Ghosh et al. 2020) instead of from the prior, which the aggregate posterior of a VAE does not fill: the gap between the columns is what that mismatch costs.</p>`
  );
}
