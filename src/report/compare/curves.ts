import type { LossMeans } from '../../run/run-dir.js';
import { renderSvg } from '../charts.js';
import { runColour } from './run-colours.js';
import type { RunSummary } from './run-summary.js';

const TERMS: { key: keyof LossMeans; title: string }[] = [
  { key: 'negElbo', title: 'test −ELBO' },
  { key: 'recon', title: 'test reconstruction' },
  { key: 'kl', title: 'test KL' },
];

/**
 * Test loss terms per epoch, one line per run in its table colour, one panel per term with its own y
 * scale (KL is a few nats where −ELBO is a hundred). Terms are in beta = 1 form whatever beta trained,
 * so β-sweeps compare on the same bound.
 */
export async function curvesSvg(runs: readonly RunSummary[], labels: readonly string[]): Promise<string> {
  const values = runs.flatMap((r, i) => r.metrics.flatMap((m) => TERMS.map((t) => ({ epoch: m.epoch, run: labels[i]!, term: t.title, value: m.test[t.key] }))));
  const maxEpoch = Math.max(1, ...runs.flatMap((r) => r.metrics.map((m) => m.epoch)));
  const epoch = {
    field: 'epoch',
    type: 'quantitative' as const,
    scale: { domain: maxEpoch === 1 ? [0, 2] : [1, maxEpoch], nice: false, padding: 8 },
    axis: { title: 'epoch', tickMinStep: 1, format: 'd' },
  };
  return renderSvg({
    data: { values },
    facet: { column: { field: 'term', type: 'nominal', sort: TERMS.map((t) => t.title), title: null, header: { labelFontWeight: 600 } } },
    spec: {
      width: 250,
      height: 200,
      layer: [{ mark: { type: 'line', strokeWidth: 2 } }, { mark: { type: 'point', filled: true, size: 30 } }],
      encoding: {
        x: epoch,
        y: { field: 'value', type: 'quantitative', scale: { zero: false, padding: 8 }, axis: { title: 'nats per image' } },
        color: {
          field: 'run',
          type: 'nominal',
          scale: { domain: [...labels], range: labels.map((_, i) => runColour(i)) },
          legend: { title: null, orient: 'top', labelLimit: 400, columns: Math.min(labels.length, 4), symbolOpacity: 1, symbolStrokeWidth: 3 },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
}
