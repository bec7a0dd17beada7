import { appendFileSync, closeSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeIssue } from '../config/describe.js';
import { VaelabError } from '../errors.js';
import { openNoFollow } from './no-follow.js';
import { storageError } from './paths.js';

// metrics.jsonl: one EpochMetrics line per epoch, appended as each epoch ends.

const Nats = z.number(); // JSON has no NaN or Infinity: JSON.stringify writes them as null, which fails here

const LossMeansSchema = z.object({
  recon: Nats, // nats per image
  kl: Nats,
  negElbo: Nats, // recon + kl: the beta = 1 bound, whatever beta trained
  loss: Nats, // reconstructionWeight * recon + beta * kl: the objective that was minimised (test: at the epoch's beta)
  // free bits only: the floored KL sum_d max(KL_d, floor) that was minimised, and the dimensions under the floor
  // (train: KL_d over each minibatch, both averaged over the epoch's images; test: KL_d over the whole test set)
  klFloored: Nats.optional(),
  dimsAtFloor: z.number().min(0).optional(),
});

const EpochMetricsSchema = z.object({
  epoch: z.int().min(1), // 1-based
  steps: z.int().min(0), // optimizer steps so far
  beta: z.number().min(0).optional(), // the KL weight the epoch trained with (a warm-up in steps: its mean over the epoch's images); absent before warm-ups
  train: LossMeansSchema,
  test: LossMeansSchema,
  trainSeconds: z.number(),
  evalSeconds: z.number(),
  samplesPerSecond: z.number(),
  time: z.string(),
});

export type LossMeans = z.infer<typeof LossMeansSchema>;
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>;

export function appendMetrics(dir: string, m: EpochMetrics): void {
  const path = join(dir, 'metrics.jsonl');
  try {
    const fd = openNoFollow(path, 'append'); // a metrics.jsonl linked to another file is refused, never appended to
    try {
      appendFileSync(fd, JSON.stringify(m) + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw storageError(path, err);
  }
}

export interface MetricsFile {
  metrics: EpochMetrics[]; // in epoch order, one per epoch
  /** A last line cut short (the process was killed while appending it): left out, and worth saying. */
  tornLastLine: boolean;
}

/**
 * Metrics per epoch, in order. A torn last line (killed mid-write) is left out and reported; an epoch
 * written twice (killed after its line but before its checkpoint, then resumed) keeps its latest line.
 * Any other line that does not parse, or lacks a number (a null where NaN was written), is damage:
 * a user error naming the file and line, never a figure drawn from what is left.
 */
export function readMetricsFile(dir: string): MetricsFile {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return { metrics: [], tornLastLine: false };
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const byEpoch = new Map<number, EpochMetrics>();
  let tornLastLine = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      // only the very last line can be torn: a complete line always ends with '\n'
      if (i === lines.length - 1 && !text.endsWith('\n')) {
        tornLastLine = true;
        return;
      }
      throw new VaelabError(`${path}:${i + 1}: not a JSON line (${(err as Error).message}); the file is damaged`);
    }
    const parsed = EpochMetricsSchema.safeParse(value, { reportInput: true });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new VaelabError(`${path}:${i + 1}: ${issue.path.join('.') || 'line'}: ${describeIssue(issue)}; the file is damaged`);
    }
    byEpoch.set(parsed.data.epoch, parsed.data);
  });
  return { metrics: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch), tornLastLine };
}

export function readMetrics(dir: string): EpochMetrics[] {
  return readMetricsFile(dir).metrics;
}
