import { describe, expect, it } from 'vitest';
import { PointEntrySchema } from '../../src/queue/payloads.js';
import { formatPointRows, type PointRow } from '../../src/queue/status.js';

const row = (over: Partial<PointRow>): PointRow => ({ name: 'p', jobId: 'j', state: 'completed', host: 'h', backend: 'native', attempts: 1, epoch: 10, epochs: 10, testNegElbo: 150.123, fd: null, linearProbe: null, error: null, ...over });

describe('status of a queued sweep', () => {
  it('shows FD and probe accuracy once a completed point has them', () => {
    const table = formatPointRows([row({ name: 'a', fd: 601.85, linearProbe: 0.6137 }), row({ name: 'b', state: 'active' })]);
    const [header, a, b] = table.split('\n');
    expect(header).toMatch(/test -ELBO\s+FD\s+probe\s+error/);
    expect(a).toMatch(/150\.12\s+601\.9\s+61\.4%/);
    expect(b).toMatch(/150\.12\s+-\s+-/);
  });

  it('leaves the columns out when no point has them', () => {
    expect(formatPointRows([row({})]).split('\n')[0]).not.toMatch(/FD|probe/);
  });

  it('keeps a point\'s numbers beyond the likelihood through Redis', () => {
    const metrics = { testNegElbo: 150, testNegElboStdError: 0.5, iwaeNll: null, iwaeStdError: null, activeUnits: 2, latentDim: 2, fd: 601.8, precision: 0.7, recall: 0, linearProbe: 0.61, knn: 0.65 };
    const entry = { name: 'p', values: {}, runDir: 'p', status: 'completed', action: 'new', error: null, seconds: 1, metrics };
    expect(PointEntrySchema.parse(JSON.parse(JSON.stringify(entry))).metrics).toEqual(metrics);
  });
});
