import type { RunSummary } from '../catalog/run-summary.js';
import { renderSvg } from '../figures/charts.js';
import { lossPanelsSpec } from '../figures/loss-panels.js';
import type { SafeHtml } from '../figures/html.js';
import { runColour } from '../figures/palette.js';

const TERMS: { key: 'recon' | 'kl' | 'negElbo'; title: string }[] = [
  { key: 'negElbo', title: 'test −ELBO' },
  { key: 'recon', title: 'test reconstruction' },
  { key: 'kl', title: 'test KL' },
];

/**
 * Test loss terms per epoch, one line per run in its table colour, one panel per term with its own y
 * scale (KL is a few nats where −ELBO is a hundred). Terms are in beta = 1 form whatever beta trained,
 * so β-sweeps compare on the same bound.
 */
export async function curvesSvg(runs: readonly RunSummary[], labels: readonly string[]): Promise<SafeHtml> {
  const values = runs.flatMap((r, i) => r.metrics.flatMap((m) => TERMS.map((t) => ({ epoch: m.epoch, run: labels[i]!, term: t.title, value: m.test[t.key] }))));
  return renderSvg(
    lossPanelsSpec({
      values,
      terms: TERMS.map((t) => t.title),
      colour: {
        field: 'run',
        scale: { domain: [...labels], range: labels.map((_, i) => runColour(i)) },
        legend: { title: null, orient: 'top', labelLimit: 400, columns: Math.min(labels.length, 4), symbolOpacity: 1, symbolStrokeWidth: 3 },
      },
      maxEpoch: Math.max(1, ...runs.flatMap((r) => r.metrics.map((m) => m.epoch))),
      width: 250,
      height: 200,
      pointSize: 30,
    }),
  );
}
