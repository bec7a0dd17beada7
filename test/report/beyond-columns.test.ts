import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { FinalMetrics } from '../../src/report/catalog/final-metrics.js';
import type { RunSummary } from '../../src/report/catalog/run-summary.js';
import { beyondColumns, classifierNote } from '../../src/report/compare/beyond-columns.js';
import type { SampleQualityMetrics } from '../../src/run/eval-metrics.js';

const NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function quality(fd: number, shares: number[], classifier = 'a'.repeat(64)): SampleQualityMetrics {
  return { classifier, samples: 1000, testImages: 1000, seed: 1, fd: { samples: fd, reconstructions: 1, trainingImages: 1 }, precision: fd / 1000, recall: 1 - fd / 1000, k: 3, confidence: 0.9, classShares: shares, testShares: Array(10).fill(0.1), labelAccuracy: null, seconds: 1 };
}

function run(q: SampleQualityMetrics | null, probe: number | null): RunSummary {
  const final = { source: 'metrics.json', sampleQuality: q, latentKnowledge: probe === null ? null : { linearProbe: probe, knn: probe, knnK: 5, kmeans: { accuracy: probe, nmi: probe }, trainImages: 1, testImages: 1, seed: 1, seconds: 1 } } as FinalMetrics;
  return { config: parseConfig({ name: 'r' }), final } as RunSummary;
}

const even = Array(10).fill(0.1);
const missingOne = [0, ...Array(9).fill(1 / 9)];

describe('comparison columns beyond the likelihood', () => {
  it('rank FD lower-better and the probes higher-better, with per-class bars sorted by the rarest class', () => {
    const runs = [run(quality(300, even), 0.9), run(quality(100, missingOne), 0.7), run(null, null)];
    const cols = beyondColumns(runs, NAMES);
    expect(cols.map((c) => c.head)).toEqual(['FD (MNIST classifier)', 'precision', 'recall', 'classes among samples', 'linear probe', '5-NN', 'k-means']);
    const fd = cols[0]!;
    expect(fd.better).toBe('lower');
    expect(fd.cells.map((c) => c.sort)).toEqual([300, 100, null]);
    expect(cols[3]!.cells.map((c) => c.sort)).toEqual([0.1, 0, null]);
    expect(String(cols[3]!.cells[1]!.html)).toContain('<svg class="share-bars"');
    expect(cols[4]!.cells.map((c) => c.sort)).toEqual([0.9, 0.7, null]);
    expect(classifierNote(runs)).toBe(false);
  });

  it('has no such columns for runs without the numbers, and warns when classifiers differ', () => {
    expect(beyondColumns([run(null, null), run(null, null)], NAMES)).toEqual([]);
    const mixed = [run(quality(1, even, 'a'.repeat(64)), null), run(quality(2, even, 'b'.repeat(64)), null)];
    expect(String(classifierNote(mixed))).toContain('2 different reference classifiers');
  });
});
