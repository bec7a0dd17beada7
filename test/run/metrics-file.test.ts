import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaelabError } from '../../src/errors.js';
import { readMetricsFile, type EpochMetrics } from '../../src/run/metrics-file.js';
import { tempDir } from '../helpers/tiny.js';

const losses = { recon: 100, kl: 5, negElbo: 105, loss: 105 };
const epoch = (n: number): EpochMetrics => ({ epoch: n, steps: n * 4, train: losses, test: losses, trainSeconds: 1, evalSeconds: 0.1, samplesPerSecond: 200, time: '2026-12-01T00:00:00Z' });
const line = (n: number) => JSON.stringify(epoch(n));

function dirWith(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'metrics.jsonl'), text);
  return dir;
}

describe('metrics.jsonl', () => {
  it('reads every epoch in order; an epoch written twice keeps its latest line', () => {
    const again = JSON.stringify({ ...epoch(2), steps: 99 });
    const { metrics, tornLastLine } = readMetricsFile(dirWith(`${line(1)}\n${line(2)}\n${again}\n${line(3)}\n`));
    expect(metrics.map((m) => [m.epoch, m.steps])).toEqual([[1, 4], [2, 99], [3, 12]]);
    expect(tornLastLine).toBe(false);
  });

  it('a torn last line is left out and said', () => {
    const { metrics, tornLastLine } = readMetricsFile(dirWith(`${line(1)}\n${line(2)}\n${line(3).slice(0, 40)}`));
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(tornLastLine).toBe(true);
  });

  it('a corrupt line in the middle is damage, named by file and line', () => {
    const dir = dirWith(`${line(1)}\n{"epoch": 2, "ste\n${line(3)}\n`);
    expect(() => readMetricsFile(dir)).toThrow(VaelabError);
    expect(() => readMetricsFile(dir)).toThrow(`${join(dir, 'metrics.jsonl')}:2: not a JSON line`);
  });

  it('a null where a number belongs (JSON.stringify of NaN) is damage too, naming the key', () => {
    const dir = dirWith(`${line(1)}\n${JSON.stringify({ ...epoch(2), test: { ...losses, kl: NaN } })}\n`);
    expect(() => readMetricsFile(dir)).toThrow(`${join(dir, 'metrics.jsonl')}:2: test.kl: expected number, found null; the file is damaged`);
  });

  it('a complete last line whose JSON is bad is not mistaken for a torn one', () => {
    expect(() => readMetricsFile(dirWith(`${line(1)}\n{oops}\n`))).toThrow(/metrics\.jsonl:2: not a JSON line/);
  });
});
