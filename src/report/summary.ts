import type { Config } from '../config/schema.js';
import type { EpochMetrics, RunInfo } from '../run/run-dir.js';
import { duration } from './figures/format.js';
import { escapeHtml, table } from './figures/html.js';

function kv(rows: [string, string][]): string {
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}

function modelText(config: Config): string {
  const m = config.model;
  const hidden = m.arch === 'mlp' ? `, hidden ${m.hidden.join('-')}` : '';
  return `${m.kind.toUpperCase()}, ${m.arch}${hidden}, latentDim ${m.latentDim}`;
}

function metricsTable(last: EpochMetrics | undefined, beta: number): string {
  if (last === undefined) return '<p>No epoch completed: no metrics yet.</p>';
  const terms: [string, keyof EpochMetrics['train']][] = [['reconstruction', 'recon'], ['KL', 'kl'], ['−ELBO', 'negElbo']];
  if (beta !== 1) terms.push([`objective (β = ${beta})`, 'loss']);
  const rows = terms.map(([label, key]) => [escapeHtml(label), last.train[key].toFixed(2), last.test[key].toFixed(2)]);
  return table([`after epoch ${last.epoch}, nats/image`, 'train', 'test'], rows).replace(/<td>(-?[\d.]+)<\/td>/g, '<td class="n">$1</td>');
}

/** Figure 12: what ran, where, how fast, and how well, above every figure. */
export function summaryHtml(config: Config, info: RunInfo, metrics: EpochMetrics[], configYaml: string): string {
  const backend = info.backend?.name ?? 'not recorded';
  const git = info.git === null ? 'not a git checkout' : `${info.git.commit.slice(0, 10)}${info.git.dirty ? ' (uncommitted changes)' : ''}`;
  const data = info.dataset === null ? config.data.dataset : `${info.dataset.name}: ${info.dataset.train} training, ${info.dataset.test} test images`;
  const run = kv([
    ['run', `${info.name} / ${info.id}`],
    ['status', info.status + (info.error === null ? '' : `: ${info.error}`)],
    ['model', modelText(config)],
    ['loss', config.loss.beta === 1 ? 'ELBO (β = 1)' : `β-VAE, β = ${config.loss.beta}`],
    ['data', data],
    ['training', `${info.epochsCompleted} of ${info.epochs} epochs, batch ${config.train.batchSize}, Adam lr ${config.train.learningRate}, seed ${info.seed}`],
    ['backend', backend],
    ['wall time', `${duration(info.wallSeconds)} (training steps ${duration(info.trainSeconds)})`],
    ['throughput', info.samplesPerSecond === null ? '—' : `${Math.round(info.samplesPerSecond).toLocaleString('en-US')} training images/s`],
    ['code', `vaelab ${info.versions.vaelab}, tfjs ${info.versions.tfjs}, node ${info.versions.node}, git ${git}`],
  ]);
  return (
    `<div class="summary-grid"><div>${run}</div><div>${metricsTable(metrics.at(-1), config.loss.beta)}</div></div>\n` +
    `<details><summary>Resolved config (config.yaml of the run)</summary><pre>${escapeHtml(configYaml)}</pre></details>`
  );
}
