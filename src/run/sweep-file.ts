import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeJsonAtomic } from './atomic.js';
import { readVersionedJson } from './json-file.js';
import { stdErrorOf, type EvalMetrics } from './eval-metrics.js';
import type { RunStatus } from './run-dir.js';

/**
 * A sweep folder, experiments/<name>/<sweep id>/, holds
 *   config.yaml   the resolved config with its sweep block (what `--resume <sweepDir>` reruns)
 *   sweep.json    this summary, rewritten atomically whenever a point changes state
 *   <point>/      one run directory per point, named by its values (latentDim=2,beta=4)
 * The comparison report reads sweep.json for the points and each point's metrics.json for the numbers.
 */
export const SWEEP_FORMAT = 1;

/** pending: not started in this or an earlier invocation. The others are the run's own status. */
export type PointStatus = 'pending' | RunStatus;

/** The headline numbers of a completed point, copied from its metrics.json for the summary table. */
export interface PointMetrics {
  testNegElbo: number;
  testNegElboStdError: number;
  iwaeNll: number | null;
  iwaeStdError: number | null;
  activeUnits: number;
  latentDim: number;
  // beyond the likelihood: absent in older sweep files, null when the point skipped them
  fd?: number | null; // Fréchet distance of prior samples on the reference classifier's features
  precision?: number | null;
  recall?: number | null;
  linearProbe?: number | null;
  knn?: number | null;
}

export interface SweepPointEntry {
  name: string;
  values: Record<string, unknown>; // dotted key -> value this point sets
  runDir: string; // relative to the sweep folder
  status: PointStatus;
  action: 'new' | 'resumed' | 'skipped' | null; // what the latest invocation did with it; null: nothing yet
  error: string | null; // why the latest attempt failed
  seconds: number | null; // wall time of the latest attempt
  metrics: PointMetrics | null;
}

export interface SweepFile {
  formatVersion: number;
  name: string;
  id: string;
  status: 'running' | 'completed' | 'partial' | 'failed' | 'interrupted'; // partial: some point failed, another completed; failed: every point failed
  keys: string[]; // the swept keys, in order
  jobs: number;
  createdAt: string;
  updatedAt: string;
  points: SweepPointEntry[];
}

export function pointMetrics(m: EvalMetrics): PointMetrics {
  return {
    testNegElbo: m.test.negElbo,
    testNegElboStdError: m.test.negElboStdError,
    iwaeNll: m.iwae?.nll ?? null,
    iwaeStdError: m.iwae === null || m.iwae === undefined ? null : stdErrorOf(m.iwae.stdError, m.iwae.images),
    activeUnits: m.latent.activeUnits,
    latentDim: m.latent.dim,
    fd: m.sampleQuality?.fd.samples ?? null,
    precision: m.sampleQuality?.precision ?? null,
    recall: m.sampleQuality?.recall ?? null,
    linearProbe: m.latentKnowledge?.linearProbe ?? null,
    knn: m.latentKnowledge?.knn ?? null,
  };
}

export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}

/**
 * <out>/.classifiers, beside the runs: where classifiers trained on first use are kept for every later run.
 * A run directory is <out>/<name>/<id>, a sweep point's <out>/<name>/<sweep id>/<point>.
 */
export function classifierCacheOf(runDir: string): string {
  const parent = dirname(resolve(runDir));
  return join(dirname(isSweepDir(parent) ? dirname(parent) : parent), '.classifiers');
}

export function writeSweepFile(dir: string, file: SweepFile): void {
  writeJsonAtomic(join(dir, 'sweep.json'), file);
}

export function readSweepFile(dir: string): SweepFile {
  const path = join(dir, 'sweep.json');
  return readVersionedJson<SweepFile>(path, 'sweep', SWEEP_FORMAT);
}
