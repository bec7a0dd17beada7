import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SAFE_NAME, SAFE_NAME_RULE } from '../config/names.js';
import { VaelabError } from '../errors.js';
import type { Config } from '../config/schema.js';
import { plannedEpochs } from '../config/schedule.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { loadConfig } from '../config/load.js';
import { dropConvHidden } from '../config/upgrade.js';
import { checkCheckpointWeights } from './checkpoint.js';
import { checkConfigUnchanged, configHash } from './config-hash.js';
import { readVersionedJson } from './json-file.js';
import { refuseLinks } from './no-follow.js';

export { configHash } from './config-hash.js';
export { appendMetrics, readMetrics, readMetricsFile, type EpochMetrics, type LossMeans, type MetricsFile } from './metrics-file.js';
import { childPath, ensureDir } from './paths.js';
import { memoryProblem } from '../config/size-bound.js';

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
  backend: z
    .object({
      name: z.string(),
      attempts: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string() })),
      // webgpu only: the device it computed on (absent before webgpu, and for every other backend)
      adapter: z.object({ vendor: z.string(), architecture: z.string(), device: z.string(), description: z.string(), software: z.boolean() }).optional(),
    })
    .nullable(),
  versions: z.object({ vaelab: z.string(), tfjs: z.string(), node: z.string() }),
  git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable(),
  dataset: z.object({ name: z.string(), source: z.string(), train: z.number(), test: z.number() }).nullable(),
  epochs: z.int().min(0),
  epochsCompleted: z.int().min(0),
  wallSeconds: Seconds, // whole run, evaluation included, summed over resumed sessions
  trainSeconds: Seconds, // optimizer steps only
  samplesPerSecond: z.number().nullable(), // training images per second of trainSeconds
  error: z.string().nullable(),
  // sha256 of the resolved config at creation: resume refuses a config.yaml edited since (absent before 0.2)
  configSha256: z.string().optional(),
  // the machine of the latest session: a queued sweep's points train wherever a worker takes them (absent before 0.3)
  host: z.string().optional(),
});

export type RunInfo = z.infer<typeof RunInfoSchema>;

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
export function createRunDirAt(dir: string, given: Config, id = runId()): string {
  const config = withAbsoluteDataDir(given);
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
    epochs: plannedEpochs(config.train),
    epochsCompleted: 0,
    wallSeconds: 0,
    trainSeconds: 0,
    samplesPerSecond: null,
    error: null,
    configSha256: configHash(config),
  });
  return dir;
}

/**
 * The config with data.dir absolute (against `baseDir`): a run directory's config must mean the same thing
 * when it is resumed or reported from another working folder. loadConfig already resolves against the
 * config file; this catches configs built in code.
 */
export function withAbsoluteDataDir(config: Config, baseDir = process.cwd()): Config {
  return config.data.dir === null || isAbsolute(config.data.dir) ? config : { ...config, data: { ...config.data, dir: resolve(baseDir, config.data.dir) } };
}

/**
 * Refuses to resume a run whose files no longer describe one run: a config.yaml edited since the run
 * began (a new seed, learning rate or epoch count would be silently mixed into the same weights), or a
 * checkpoint that is gone although epochs were trained (resuming would restart from epoch 1 over them),
 * a file it appends to that is a link (gathered by `rsync -a`: the lines would land in another file), or
 * weights that are not finite.
 */
export function checkResumable(dir: string, info: RunInfo, config: Config): void {
  refuseLinks([join(dir, 'log.jsonl'), join(dir, 'metrics.jsonl')]);
  checkConfigUnchanged(dir, info.configSha256, config, 'began: a resumed run keeps the config it started with. Restore the file, or start a new run with the new config');
  // run.json counts an epoch only once its checkpoint is saved: a kill between the metrics line and that
  // save leaves no checkpoint and nothing lost (the epoch is redone); a count without a checkpoint is damage
  if (info.epochsCompleted > 0 && !existsSync(join(dir, 'checkpoint', 'state.json')) && !existsSync(join(dir, 'checkpoint.prev', 'state.json'))) {
    throw new VaelabError(
      `${join(dir, 'checkpoint')} is missing or incomplete, but the run trained ${info.epochsCompleted} epoch(s): cannot resume it without restarting over them. Start a new run`,
    );
  }
  const tooBig = memoryProblem(config); // readRunConfig skips the bound: resuming trains, so it applies here
  if (tooBig !== null) throw new VaelabError(`${join(dir, 'config.yaml')} ${tooBig.key}: ${tooBig.message}`);
  // weights that are damaged or not finite: refused now, while run.json still says what the run was
  if (existsSync(join(dir, 'checkpoint', 'state.json'))) checkCheckpointWeights(join(dir, 'checkpoint'));
}

/** The resolved config a run directory was made with (config.yaml), from any vaelab version that reads it. */
export function readRunConfig(dir: string): Config {
  const path = join(dir, 'config.yaml');
  if (!existsSync(path)) throw new VaelabError(`${dir} is not a run directory: no config.yaml`);
  // Reading a trained run allocates nothing: a run made under a raised VAELAB_MAX_MEMORY still reports
  // anywhere; --resume, which trains, checks the bound itself (checkResumable).
  return loadConfig(path, { upgrade: (raw) => dropConvHidden(isRecord(raw.model) ? raw.model : undefined), memoryBound: false }).config;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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
