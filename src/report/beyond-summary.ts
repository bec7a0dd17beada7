import type { Config } from '../config/schema.js';
import { latentProbesSkipped, sampleQualitySkipped, type SplitSizes } from '../eval/beyond-likelihood.js';
import { familyOf } from '../models/families/index.js';
import type { LatentKnowledgeMetrics, SampleQualityMetrics } from '../run/eval-metrics.js';
import type { FinalMetrics } from './catalog/final-metrics.js';
import { html, type SafeHtml } from './figures/html.js';
import { shareBars } from './figures/share-bars.js';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString('en-US');
const ordinal = (k: number) => `${k}${k === 1 ? 'st' : k === 2 ? 'nd' : k === 3 ? 'rd' : 'th'}`;

/** The classifier's name in a metric's label: "FD (MNIST classifier)", never FID. */
export function classifierName(dataset: Config['data']['dataset']): string {
  return `${dataset.toUpperCase()} classifier`;
}

type Row = [measure: string, value: SafeHtml | string, what: string];

function qualityRows(q: SampleQualityMetrics, config: Config, classNames: readonly string[]): Row[] {
  const fd = `FD (${classifierName(config.data.dataset)})`;
  const rows: Row[] = [
    [
      `${fd}, prior samples`,
      q.fd.samples.toFixed(1),
      `Fréchet distance between the classifier's features of ${count(q.samples)} prior samples and of ${count(q.testImages)} test images; lower is better. ` +
        `For scale: training images ${q.fd.trainingImages.toFixed(1)} (what a perfect model reaches at this N), the test set's reconstructions ${q.fd.reconstructions.toFixed(1)}.`,
    ],
    ['precision', q.precision.toFixed(3), `share of samples inside the test images' manifold (each image's ball reaches its ${ordinal(q.k)} nearest neighbour): are the samples realistic?`],
    ['recall', q.recall.toFixed(3), 'share of test images inside the samples\' manifold: do the samples cover the data?'],
    ['classifier confidence', pct(q.confidence), 'mean largest class probability on the samples: recognisable digits score high, ambiguous ones low'],
    [
      'classes among samples',
      shareBars(q.classShares, classNames, 'share of the prior samples the classifier assigns to each class', { reference: q.testShares }),
      'share of the samples the classifier puts in each class; the dashes are the test set\'s shares. A missing bar is a missing mode.',
    ],
  ];
  if (q.labelAccuracy !== null) {
    rows.push(['accuracy per label', shareBars(q.labelAccuracy, classNames, 'classifier accuracy on the samples drawn for each label', { top: 1 }), `for each label, the share of the samples drawn for it that the classifier reads as it (mean ${pct(q.labelAccuracy.reduce((s, v) => s + v, 0) / q.labelAccuracy.length)})`]);
  }
  return rows;
}

function knowledgeRows(k: LatentKnowledgeMetrics, classes: number): Row[] {
  const chance = `chance is about ${pct(1 / classes)}`;
  return [
    ['linear probe', pct(k.linearProbe), `test accuracy of a logistic regression fitted on the ${count(k.trainImages)} training means and scored on the ${count(k.testImages)} test means: what a linear read-out recovers (${chance})`],
    [`${k.knnK}-NN`, pct(k.knn), `test accuracy of a majority vote of the ${k.knnK} nearest training means: what the space knows locally`],
    ['k-means', `${pct(k.kmeans.accuracy)}, NMI ${k.kmeans.nmi.toFixed(3)}`, `${classes} clusters of the test means, matched one to one to the classes: do the classes form clusters unsupervised?`],
  ];
}

function rowsTable(rows: readonly Row[]): SafeHtml {
  return html`<table class="kv beyond"><tbody>${rows.map(([m, v, what]) => html`<tr><th scope="row">${m}</th><td class="v">${v}</td><td class="what">${what}</td></tr>`)}</tbody></table>`;
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
      : html`${rowsTable(qualityRows(q, config, classNames))}<p class="caption">Scored on the reference classifier of ${config.data.dataset} (${q.classifierAccuracy === undefined ? '' : `${pct(q.classifierAccuracy)} on its test set, `}weights SHA-256 <code>${q.classifier.slice(0, 12)}</code>…; prior draws from seed ${q.seed}): these numbers compare only between runs scored by the same classifier.</p>`;
  const knowledge =
    k === null
      ? html`<p class="caption">Latent probes: not measured, ${why(sizes === null ? null : latentProbesSkipped(config, familyOf(config.model), sizes))}.</p>`
      : rowsTable(knowledgeRows(k, classNames.length));
  return html`<div class="beyond-part"><h3 class="summary-h">Sample quality</h3>${quality}</div><div class="beyond-part"><h3 class="summary-h">What the latent space knows (posterior means)</h3>${knowledge}</div>`;
}
