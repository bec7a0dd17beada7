import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { beyondSummary } from '../../src/report/beyond-summary.js';
import type { FinalMetrics } from '../../src/report/catalog/final-metrics.js';
import type { LatentKnowledgeMetrics, SampleQualityMetrics } from '../../src/run/eval-metrics.js';

const NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const SIZES = { train: 60000, test: 10000, classes: 10 };
const QUALITY: SampleQualityMetrics = {
  classifier: '76c74e61d9f2d4097f6ebb9c057277583f22a1b72ac1186cf18e5371136495f8',
  classifierAccuracy: 0.9911,
  samples: 10000,
  testImages: 10000,
  seed: 1,
  fd: { samples: 601.85, reconstructions: 557.23, trainingImages: 3.75 },
  precision: 0.6992,
  recall: 0.0004,
  k: 3,
  confidence: 0.8066,
  classShares: [0.1368, 0.0932, 0.134, 0.1679, 0.0533, 0.0536, 0.0969, 0.0453, 0.0952, 0.1238],
  testShares: Array(10).fill(0.1),
  labelAccuracy: null,
  seconds: 5,
};
const KNOWLEDGE: LatentKnowledgeMetrics = { linearProbe: 0.6137, knn: 0.6498, knnK: 5, kmeans: { accuracy: 0.52, nmi: 0.519 }, trainImages: 60000, testImages: 10000, seed: 1, seconds: 2 };

function final(over: Partial<FinalMetrics>): FinalMetrics {
  return { source: 'metrics.json', negElbo: 150, negElboStdError: 0.5, recon: 140, kl: 10, iwae: null, iwaeTrain: null, activeUnits: { active: 2, of: 2 }, sampleQuality: QUALITY, sampleQualityGmm: null, latentKnowledge: KNOWLEDGE, problem: null, ...over };
}

describe('the summary beyond the likelihood', () => {
  it('shows each number with its caption, the FD by its classifier, never as FID', () => {
    const text = String(beyondSummary(final({}), parseConfig({ name: 'x' }), SIZES, NAMES));
    expect(text).toContain('FD (MNIST classifier), prior samples');
    expect(text).not.toMatch(/\bFID\b/);
    for (const shown of ['601.9', '3.8', '557.2', '0.699', '0.000', '80.7%', '61.4%', '65.0%', '52.0%, NMI 0.519', '76c74e61d9f2', '99.1% on its test set']) expect(text).toContain(shown);
    expect(text).toContain('3rd nearest neighbour');
    expect(text).toContain('compare only between runs scored by the same classifier');
    // one bar per class, its share in the tooltip beside the test set's
    expect(text.match(/<rect /g)).toHaveLength(10);
    expect(text).toContain('<title>3: 16.8% (test set 10.0%)</title>');
  });

  it('draws a conditional model\'s accuracy per label', () => {
    const text = String(beyondSummary(final({ sampleQuality: { ...QUALITY, labelAccuracy: NAMES.map((_, i) => i / 10) } }), parseConfig({ name: 'x' }), SIZES, NAMES));
    expect(text).toContain('accuracy per label');
    expect(text).toContain('(mean 45.0%)');
    expect(text.match(/<rect /g)).toHaveLength(20);
  });

  it('says why a number is missing', () => {
    const none = final({ sampleQuality: null, latentKnowledge: null });
    const off = String(beyondSummary(none, parseConfig({ name: 'x', eval: { qualitySamples: 0, latentProbes: false } }), SIZES, NAMES));
    expect(off).toContain('not measured, eval.qualitySamples is 0');
    expect(off).toContain('not measured, eval.latentProbes is false');
    const tiny = String(beyondSummary(none, parseConfig({ name: 'x' }), { train: 3, test: 3, classes: 10 }, NAMES));
    expect(tiny).toContain('precision and recall need more than 3 samples and test images');
    expect(tiny).toContain('the probes need at least 10 test and 5 training images');
    const older = String(beyondSummary(none, parseConfig({ name: 'x' }), SIZES, NAMES));
    expect(older).toContain('not in metrics.json (evaluated by an earlier vaelab)');
    expect(String(beyondSummary(final({ source: 'last epoch' }), parseConfig({ name: 'x' }), SIZES, NAMES))).toBe('');
  });

  it('escapes class names', () => {
    const text = String(beyondSummary(final({}), parseConfig({ name: 'x' }), SIZES, ['<b>', ...NAMES.slice(1)]));
    expect(text).not.toContain('<b>');
    expect(text).toContain('&lt;b&gt;');
  });
});
