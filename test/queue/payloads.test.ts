import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { planSweep } from '../../src/config/sweep.js';
import { VaelabError } from '../../src/errors.js';
import { parseQueueUrl, redact } from '../../src/queue/connection.js';
import { MAX_PAYLOAD_CHARS, PAYLOAD_FORMAT, pointJobId } from '../../src/queue/payloads.js';
import { readPointJob } from '../../src/queue/point-job.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

const sweepConfig = tinyConfig({ name: 'pay', sweep: { 'model.latentDim': [2, 3] } });
const plan = planSweep(sweepConfig);
const point = plan.points[0]!;
const payload = (over: Record<string, unknown> = {}) => ({
  formatVersion: PAYLOAD_FORMAT,
  sweep: { name: 'pay', id: plan.id },
  point: { name: point.name, values: point.values },
  config: point.config,
  ...over,
});
const id = pointJobId(plan.id, point.config);

describe('queue URLs', () => {
  it('shows a URL without its password, and takes it out of any message', () => {
    const q = parseQueueUrl('redis://alice:s3cr%40t@redis.lab:6380/2');
    expect(q.password).toBe('s3cr@t');
    expect(q.shown).toBe('redis://alice:***@redis.lab:6380/2');
    expect(redact('lost redis://alice:s3cr%40t@redis.lab:6380/2', q)).toBe('lost redis://alice:***@redis.lab:6380/2'); // a bare password: redact.test.ts
    expect(parseQueueUrl('rediss://:pw@h:6380').shown).toBe('rediss://:***@h:6380');
    expect(parseQueueUrl('redis://h:6379').password).toBeNull();
    expect(() => parseQueueUrl('http://h:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => parseQueueUrl('not a url :hunter2@')).toThrow(VaelabError);
    expect(() => parseQueueUrl('not a url :hunter2@')).not.toThrow(/hunter2/);
  });
});

describe('a point job read by a worker', () => {
  it('is the same config, with the id that is its hash', () => {
    expect(readPointJob(payload(), id, { dataRoot: null }).config).toEqual(point.config);
    expect(pointJobId(plan.id, point.config)).toBe(id); // deterministic
    expect(pointJobId(plan.id, plan.points[1]!.config)).not.toBe(id);
    expect(pointJobId('sweep-other', point.config)).not.toBe(id);
  });

  it('refuses a payload over the size limit, another shape, an invalid config naming its key, and a forged id', () => {
    const big = payload({ point: { name: point.name, values: { pad: 'x'.repeat(MAX_PAYLOAD_CHARS) } } });
    expect(() => readPointJob(big, id, { dataRoot: null })).toThrow(/over the limit/);
    expect(() => readPointJob(payload({ extra: 1 }), id, { dataRoot: null })).toThrow(/not a vaelab point/);
    expect(() => readPointJob(payload({ config: { ...point.config, model: { ...point.config.model, latentDim: 0 } } }), id, { dataRoot: null })).toThrow(/invalid config: model\.latentDim/);
    expect(() => readPointJob(payload({ config: { ...point.config, train: { ...point.config.train, epochs: 7 } } }), id, { dataRoot: null })).toThrow(/not the hash of its config/);
    expect(() => readPointJob(payload({ sweep: { name: '../etc', id: plan.id } }), id, { dataRoot: null })).toThrow(/not a vaelab point/);
  });

  it('reads data.dir only inside the worker\'s --data folder', () => {
    const root = tempDir();
    mkdirSync(join(root, 'fashion'));
    const config = { ...point.config, data: { ...point.config.data, dataset: 'idx', dir: join(root, 'fashion') } };
    const data = payload({ config });
    const jobId = pointJobId(plan.id, parseConfig(config));
    expect(readPointJob(data, jobId, { dataRoot: root }).config.data.dir).toBe(join(root, 'fashion'));
    expect(() => readPointJob(data, jobId, { dataRoot: null })).toThrow(/only inside its --data DIR/);
    expect(() => readPointJob(data, jobId, { dataRoot: join(root, 'elsewhere') })).toThrow(/outside this worker's --data/);
  });
});
