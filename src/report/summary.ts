import { isAbsolute } from 'node:path';
import { isScalar, parseDocument } from 'yaml';
import { minimisesElbo, objectiveFormula } from '../config/objective.js';
import type { Config } from '../config/schema.js';
import { familyOf } from '../models/families/index.js';
import type { EpochMetrics, MetricsFile, RunInfo } from '../run/run-dir.js';
import type { RunLatentUsage } from './types.js';
import { beyondSummary } from './beyond-summary.js';
import { displayPath, hidePaths, type KnownPath } from './catalog/display-path.js';
import type { FinalMetrics } from './catalog/final-metrics.js';
import { duration, zName } from './figures/format.js';
import { html, joinHtml, table, type SafeHtml } from './figures/html.js';

function kv(rows: [string, string][]): SafeHtml {
  return html`<table class="kv"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}


function metricsTable(last: EpochMetrics | undefined, { loss, model }: Config): SafeHtml {
  if (last === undefined) return html`<p>No epoch completed: no metrics yet.</p>`;
  const names = familyOf(model).termNames(model);
  const terms: [string, keyof EpochMetrics['train']][] = [[names.recon, 'recon'], [names.kl, 'kl'], [names.total, 'negElbo']];
  if (loss.freeBits !== null) terms.push([`KL floored, Σ_d max(KL_d, ${loss.freeBits})`, 'klFloored']);
  const family = familyOf(model);
  const own = !family.termsGiveLoss(model); // its batch objective has no test value
  if (own) terms.push(['objective minimised (training)', 'loss']);
  else if (!minimisesElbo(loss)) terms.push([`objective, ${objectiveFormula(loss)}`, 'loss']);
  const f = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(2));
  const rows = terms.map(([label, key]) => [label, f(last.train[key]), own && key === 'loss' ? '—' : f(last.test[key])]);
  return table([`after epoch ${last.epoch}, nats/image`, 'train', 'test'], rows, { numeric: [1, 2] });
}

const KL_LISTED = 10; // dimensions named in the KL row; the rest are summed

/** KL per dimension, largest first: every dimension of a small code, the strongest ten of a wide one. */
function klText(klPerDim: readonly number[]): string {
  const order = klPerDim.map((v, j) => ({ v, j })).sort((a, b) => b.v - a.v || a.j - b.j);
  const shown = order.slice(0, KL_LISTED).map(({ v, j }) => `${zName(j)} ${v.toFixed(2)}`);
  const rest = order.slice(KL_LISTED);
  const tail = rest.length === 0 ? '' : `; the other ${rest.length} together ${rest.reduce((s, r) => s + r.v, 0).toFixed(2)}`;
  return `${shown.join(', ')}${tail} (nats per image, largest first)`;
}

/**
 * The end-of-run evaluation (metrics.json): the test −ELBO with its standard error, the IWAE bound,
 * active units by the run's own rule and KL per dimension. A run without it says where its numbers came from.
 */
function evaluationTable(final: FinalMetrics, usage: RunLatentUsage | null, model: Config['model']): SafeHtml {
  const family = familyOf(model);
  const caps = family.capabilities(model);
  const se = (v: number | null) => (v === null ? '' : ` ± ${v.toFixed(2)}`);
  const elbo =
    final.negElbo === null
      ? '—'
      : `${final.negElbo.toFixed(2)}${se(final.negElboStdError)} nats/image` + (final.source === 'metrics.json' ? ' (whole test set, one z per image)' : ' (last epoch: the run has no end-of-run evaluation)');
  const iwae =
    final.iwae === null
      ? !caps.likelihood
        ? `none: model.family ${family.name} has no likelihood (the estimate needs log importance weights)`
        : final.source === 'metrics.json' ? 'not computed (eval.iwaeImages is 0)' : '—'
      : `${final.iwae.nll.toFixed(2)}${se(final.iwae.stdError)} nats/image (K = ${final.iwae.samples}, first ${final.iwae.images} test images)`;
  const rows: [string, string][] = [[`test ${family.termNames(model).total}`, elbo], ['test IWAE NLL', iwae]];
  if (final.iwaeTrain !== null) {
    const t = final.iwaeTrain;
    rows.push(['training IWAE NLL', `${t.nll.toFixed(2)}${se(t.stdError)} nats/image (K = ${t.samples}, first ${t.images} training images)`]);
  }
  if (usage !== null) {
    const active = usage.klPerDim.length;
    const rule = `variance of the posterior mean over the test set > ${usage.threshold}`;
    if (usage.layers === undefined) rows.push(['active units', `${usage.activeUnits} of ${active} (${rule})`]);
    else rows.push(['active units by layer', `${usage.layers.map((l) => `${l.name} ${l.activeUnits} of ${l.dim}`).join(', ')} (${rule}; z's mean over ${usage.layers.at(-1)!.samples} draws of h1 per image)`]);
    // a family without a Gaussian posterior has no KL per dimension to list
    if (caps.gaussianPosterior) rows.push(['KL per dimension', (usage.layers === undefined ? '' : "of z, at h1's posterior mean: ") + klText(usage.klPerDim)]);
  }
  const problem = final.problem === null ? null : html`<p class="caption">metrics.json could not be used: ${final.problem}</p>`;
  return html`<h3 class="summary-h">Evaluation</h3>${kv(rows)}${problem}`;
}

/**
 * config.yaml as the page shows it: data.dir, absolute in a resolved config, shortened as every path in
 * a page is (display-path.ts), with a comment saying so; the rest is the file as it is.
 */
export function shownConfigYaml(configYaml: string): string {
  const doc = parseDocument(configYaml);
  const dir = doc.getIn(['data', 'dir'], true);
  if (!isScalar(dir) || typeof dir.value !== 'string' || !isAbsolute(dir.value)) return configYaml;
  const shown = displayPath(dir.value);
  dir.comment = shown.startsWith('…/')
    ? " shortened for this page: the run's config.yaml holds the absolute path"
    : " relative to the folder the report was built in: the run's config.yaml holds the absolute path";
  dir.value = shown;
  return doc.toString();
}

export interface SummaryInput {
  config: Config;
  info: RunInfo;
  metrics: MetricsFile;
  configYaml: string; // the run's config.yaml as written
  runDir: string;
  final: FinalMetrics; // metrics.json's numbers, or the last epoch's
  usage: RunLatentUsage | null; // null when the run saved no latents
  notDrawn: readonly { type: string; reason: string }[]; // default figures this model does not allow
  classNames: readonly string[];
}

/** Figure 12: what ran, where, how fast, and how well, above every figure. */
export function summaryHtml({ config, info, metrics, configYaml, runDir, final, usage, notDrawn, classNames }: SummaryInput): SafeHtml {
  const family = familyOf(config.model);
  const adapter = info.backend?.adapter;
  // a GPU backend names the device it ran on, so a software adapter is never mistaken for a GPU
  const backend = info.backend === null ? 'not recorded' : adapter === undefined ? info.backend.name : `${info.backend.name} on ${adapter.description || adapter.device || adapter.vendor}${adapter.software ? ' (software adapter)' : ''}`;
  const git = info.git === null ? 'not a git checkout' : `${info.git.commit.slice(0, 10)}${info.git.dirty ? ' (uncommitted changes)' : ''}`;
  const data = info.dataset === null ? config.data.dataset : `${info.dataset.name}: ${info.dataset.train} training, ${info.dataset.test} test images`;
  // A failed run's error may name its files: shortened like every other path in the page.
  const known: KnownPath[] = [{ path: runDir, keep: 2 }, ...(config.data.dir === null ? [] : [{ path: config.data.dir, keep: 1 }])];
  const run = kv([
    ['run', `${info.name} / ${info.id}`],
    ['status', info.status + (info.error === null ? '' : `: ${hidePaths(info.error, known)}`)],
    ['model', family.describe(config.model)],
    ['loss', family.objectiveName(config.model, config.loss)],
    ['data', data],
    ['training', `${info.epochsCompleted} of ${info.epochs} epochs, batch ${config.train.batchSize}, Adam lr ${config.train.learningRate}, seed ${info.seed}`],
    ['backend', backend],
    ['wall time', `${duration(info.wallSeconds)} (training steps ${duration(info.trainSeconds)})`],
    ['throughput', info.samplesPerSecond === null ? '—' : `${Math.round(info.samplesPerSecond).toLocaleString('en-US')} training images/s`],
    ['code', `vaelab ${info.versions.vaelab}, tfjs ${info.versions.tfjs}, node ${info.versions.node}, git ${git}`],
  ]);
  const torn =
    metrics.tornLastLine &&
    html`<p class="caption" id="torn-metrics">The last line of metrics.jsonl was cut short (the run was killed while writing it) and is left out: the figures show the ${metrics.metrics.length} complete epochs before it.</p>`;
  const skipped =
    notDrawn.length > 0 &&
    html`<p class="caption" id="not-drawn">Not drawn for this run: ${joinHtml(notDrawn.map((n) => html`<code>${n.type}</code>: ${n.reason}`), '; ')}.</p>`;
  return html`<div class="summary-grid"><div>${run}</div><div>${evaluationTable(final, usage, config.model)}${metricsTable(metrics.metrics.at(-1), config)}${torn}${skipped}</div></div>
${beyondSummary(final, config, info.dataset === null ? null : { train: info.dataset.train, test: info.dataset.test, classes: classNames.length }, classNames)}
<details><summary>Resolved config (config.yaml of the run)</summary><pre>${shownConfigYaml(configYaml)}</pre></details>`;
}
