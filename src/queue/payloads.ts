import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SAFE_NAME, SAFE_NAME_RULE } from '../config/names.js';
import type { Config } from '../config/schema.js';
import { canonicalJson } from '../config/sweep.js';
import { preFamilyForm } from '../config/upgrade.js';
import type { SweepFile, SweepPointEntry } from '../run/sweep-file.js';

/**
 * What travels through Redis. A sweep is one BullMQ flow: a parent job on the sweeps queue whose children
 * are the points on the points queue. Everything read back from Redis is parsed with these schemas, since
 * anyone who can write to the Redis can write a job.
 */
export const PREFIX = 'vaelab'; // Redis keys start vaelab:, apart from any other BullMQ user of the same Redis
export const POINTS = 'points';
export const SWEEPS = 'sweeps';
export const PAYLOAD_FORMAT = 1;
/** A point's payload is its config and values, a few kB; anything this large is not ours. */
export const MAX_PAYLOAD_CHARS = 64 * 1024;

const SafeName = z.string().max(100).regex(SAFE_NAME, SAFE_NAME_RULE);
// A point's name becomes its run folder (childPath's rule: safePathName's characters) and is printed by
// `status`: one that is not a folder name is refused with the payload, before any retry or terminal sees it.
const PointName = z.string().max(120).regex(/^[A-Za-z0-9][A-Za-z0-9._=,+-]*$/, 'letters, digits and . _ = , + -, starting with a letter or digit');
const Values = z.record(z.string().max(200), z.unknown());

/** `config` is checked apart, by the CLI's own config parser, so its messages name the key. */
export const PointJobSchema = z.strictObject({
  formatVersion: z.literal(PAYLOAD_FORMAT),
  sweep: z.strictObject({ name: SafeName, id: SafeName }),
  point: z.strictObject({ name: PointName, values: Values }),
  config: z.unknown(),
});
export type PointJob = Omit<z.infer<typeof PointJobSchema>, 'config'> & { config: Config };

export const SweepJobSchema = z.strictObject({
  formatVersion: z.literal(PAYLOAD_FORMAT),
  sweep: z.strictObject({ name: SafeName, id: SafeName, keys: z.array(z.string().max(200)) }),
  points: z.array(z.strictObject({ name: PointName, values: Values, jobId: z.string().max(100) })),
});
export type SweepJob = z.infer<typeof SweepJobSchema>;

const Num = z.number().nullable();
export const PointEntrySchema = z.object({
  name: z.string(),
  values: Values,
  runDir: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed', 'interrupted']),
  action: z.enum(['new', 'resumed', 'skipped']).nullable(),
  error: z.string().nullable(),
  seconds: Num,
  metrics: z
    .object({ testNegElbo: z.number(), testNegElboStdError: z.number(), iwaeNll: Num, iwaeStdError: Num, activeUnits: z.number(), latentDim: z.number(), fd: Num.optional(), precision: Num.optional(), recall: Num.optional(), linearProbe: Num.optional(), knn: Num.optional() })
    .nullable(),
}) satisfies z.ZodType<SweepPointEntry>;

/** A point job's return value: its summary, complete from the submitter's machine without a shared disk. */
export const PointResultSchema = z.object({
  entry: PointEntrySchema,
  host: z.string(),
  backend: z.string().nullable(), // the backend that ran, from run.json
  runDir: z.string(), // absolute, on `host`
});
export type PointResult = z.infer<typeof PointResultSchema>;

/** What `status` and the submitter show of a running point (job.updateProgress). */
export const PointProgressSchema = z.object({
  host: z.string(),
  backend: z.string().nullable(),
  epoch: z.number(),
  epochs: z.number(),
  testNegElbo: Num,
});
export type PointProgress = z.infer<typeof PointProgressSchema>;

export const SweepResultSchema = z.object({
  summary: z.object({
    formatVersion: z.number(),
    name: z.string(),
    id: z.string(),
    status: z.enum(['running', 'completed', 'partial', 'failed', 'interrupted']),
    keys: z.array(z.string()),
    jobs: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
    points: z.array(PointEntrySchema),
  }) satisfies z.ZodType<SweepFile>,
  host: z.string(),
  sweepDir: z.string(), // on `host`
  comparison: z.object({ indexPath: z.string().nullable(), error: z.string().nullable(), points: z.array(z.string()) }),
});
export type SweepResult = z.infer<typeof SweepResultSchema>;

/**
 * A point's job id: a hash of its sweep and resolved config. Submitting the same sweep again gives the
 * same ids, and BullMQ adds no job whose id exists; the sweep is part of it because two sweeps may share
 * a point config while each point has its own folder.
 */
// the config in its form before model.family, so jobs queued then keep their ids
export function pointJobId(sweepId: string, config: Config): string {
  return `p-${createHash('sha256').update(canonicalJson({ sweep: sweepId, config: preFamilyForm(config) })).digest('hex').slice(0, 40)}`;
}
