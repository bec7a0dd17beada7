import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SAFE_NAME, SAFE_NAME_RULE } from '../config/names.js';
import { VaelabError } from '../errors.js';
import type { Config } from '../config/schema.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { readVersionedJson } from './json-file.js';
import { childPath, ensureDir } from './paths.js';

/**
 * The run directory is the contract between training and everything after it (reports, compare,
 * resume): experiments/<name>/<UTC timestamp>-<short id>/ with
 *   config.yaml    the resolved config, every default filled in
 *   run.json       status, backend, versions, git commit, timings (RunInfo)
 *   metrics.jsonl  one EpochMetrics line per epoch
 *   log.jsonl      pino log
 *   checkpoint/    see train/checkpoint.ts
 *   latents.bin + latents.json  see run/latents.ts
 */
export const RUN_FORMAT = 1;

export const RUN_STATUSES = ['running', 'completed', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

// run.json is read back by report, compare and resume, perhaps from a folder someone else shared: its name
// and id become folder names under reports/, so they obey the config's name rule, checked on every read.
const SafeName = z.string().max(100).regex(SAFE_NAME, SAFE_NAME_RULE);
const Seconds = z.number().min(0);

export const RunInfoSchema = z.object({
  formatVersion: z.literal(RUN_FORMAT),
  name: SafeName,
  id: SafeName,
  status: z.enum(RUN_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  seed: z.number(),
  backend: z.object({ name: z.string(), attempts: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string() })) }).nullable(),
  versions: z.object({ vaelab: z.string(), tfjs: z.string(), node: z.string() }),
  git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable(),
  dataset: z.object({ name: z.string(), source: z.string(), train: z.number(), test: z.number() }).nullable(),
  epochs: z.int().min(0),
  epochsCompleted: z.int().min(0),
  wallSeconds: Seconds, // whole run, evaluation included, summed over resumed sessions
  trainSeconds: Seconds, // optimizer steps only
  samplesPerSecond: z.number().nullable(), // training images per second of trainSeconds
  error: z.string().nullable(),
});

export type RunInfo = z.infer<typeof RunInfoSchema>;

export interface LossMeans {
  recon: number; // nats per image
  kl: number;
  negElbo: number; // recon + kl: the beta = 1 bound, whatever beta trained
  loss: number; // reconstructionWeight * recon + beta * kl: the objective that was minimised
}

export interface EpochMetrics {
  epoch: number; // 1-based
  steps: number; // optimizer steps so far
  train: LossMeans;
  test: LossMeans;
  trainSeconds: number;
  evalSeconds: number;
  samplesPerSecond: number;
  time: string;
}

export function runId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function gitInfo(): RunInfo['git'] {
  try {
    const opts = { stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'], encoding: 'utf8' as const };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return { commit, dirty };
  } catch {
    return null; // not a git checkout, or git is absent: the run still records everything else
  }
}

function packageVersion(name: string): string {
  try {
    const url = new URL(import.meta.resolve(`${name}/package.json`));
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Creates experiments/<name>/<id>/ with config.yaml and a run.json in status running. */
export function createRunDir(outDir: string, config: Config): string {
  const id = runId();
  return createRunDirAt(childPath(outDir, config.name, id), config, id);
}

/**
 * Creates the run directory `dir` itself: a sweep point's folder has a fixed name (its values) so a rerun
 * finds it; its id in run.json (which names its report folder) is still a fresh run id.
 */
export function createRunDirAt(dir: string, config: Config, id = runId()): string {
  ensureDir(dir, 'run directory');
  writeFileAtomic(join(dir, 'config.yaml'), `# resolved config of run ${id}\n${stringify(config)}`);
  const now = new Date().toISOString();
  writeRunInfo(dir, {
    formatVersion: RUN_FORMAT,
    name: config.name,
    id,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    seed: config.seed,
    backend: null,
    versions: { vaelab: packageVersion('vaelab'), tfjs: packageVersion('@tensorflow/tfjs'), node: process.version },
    git: gitInfo(),
    dataset: null,
    epochs: config.train.epochs,
    epochsCompleted: 0,
    wallSeconds: 0,
    trainSeconds: 0,
    samplesPerSecond: null,
    error: null,
  });
  return dir;
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  writeJsonAtomic(join(dir, 'run.json'), info);
}

export function readRunInfo(dir: string): RunInfo {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) throw new VaelabError(`${dir} is not a run directory: no run.json`);
  return readVersionedJson(path, 'run', RUN_FORMAT, RunInfoSchema);
}

export function updateRunInfo(dir: string, patch: Partial<RunInfo>): RunInfo {
  const info = { ...readRunInfo(dir), ...patch, updatedAt: new Date().toISOString() };
  writeRunInfo(dir, info);
  return info;
}

export function appendMetrics(dir: string, m: EpochMetrics): void {
  appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(m) + '\n');
}

/**
 * Metrics per epoch, in order. A torn last line (killed mid-write) is skipped, and an epoch written
 * twice (killed after its line but before its checkpoint, then resumed) keeps its latest line.
 */
export function readMetrics(dir: string): EpochMetrics[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const byEpoch = new Map<number, EpochMetrics>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const m = JSON.parse(line) as EpochMetrics;
      byEpoch.set(m.epoch, m);
    } catch {
      continue; // a line torn by a kill mid-append
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}
