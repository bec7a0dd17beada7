import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/backend/native/addon.js';
import { seeded } from './helpers.js';

/*
 * Training runs in a worker thread, and anything may run on another: two threads may run the same
 * convolution at once. Its geometry's primitives are cached once per process, with buffers of their own
 * where oneDNN computes in its blocked layouts (8 or more channels on both sides), so each call must have
 * them to itself until it has copied its result out.
 */

const skip = process.env.VAELAB_SKIP_NATIVE === '1';
const ADDON = createRequire(import.meta.url).resolve('vaelab-native');

// 8 images of 14 x 14 with 16 channels, 3 x 3 filter to 16 channels, padding 1: blocked layouts
const GEOMETRY = [8, 14, 14, 16, 14, 14, 16, 3, 3, 1, 1, 1, 1, 1, 1];
const X = 8 * 14 * 14 * 16;
const W = 3 * 3 * 16 * 16;
const THREADS = 3;
const ROUNDS = 150;

/** Each thread's arrays, and the three passes computed from them with no other thread running. */
function problem(seed: number) {
  const loaded = loadAddon();
  if (!loaded.ok) throw new Error(`${loaded.reason} (set VAELAB_SKIP_NATIVE=1 to skip these tests)`);
  const native = loaded.addon;
  const x = seeded(X, seed), w = seeded(W, seed + 1), dy = seeded(X, seed + 2);
  const y = new Float32Array(X), dx = new Float32Array(X), dw = new Float32Array(W);
  native.conv2d(x, w, y, ...GEOMETRY);
  native.conv2dBackpropInput(dx, w, dy, ...GEOMETRY);
  native.conv2dBackpropFilter(x, dw, dy, ...GEOMETRY);
  return { x, w, dy, y, dx, dw };
}

/** Runs the three passes ROUNDS times once every thread is ready, and counts the results that differ from the references. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { addon, geometry, rounds, start, p } = workerData;
const native = require(addon);
native.setThreads(1);
const flag = new Int32Array(start);
const y = new Float32Array(p.y.length), dx = new Float32Array(p.dx.length), dw = new Float32Array(p.dw.length);
const same = (a, b) => a.every((v, i) => v === b[i]);
parentPort.postMessage('ready');
Atomics.wait(flag, 0, 0);
let wrong = 0;
for (let r = 0; r < rounds; r++) {
  native.conv2d(p.x, p.w, y, ...geometry);
  native.conv2dBackpropInput(dx, p.w, p.dy, ...geometry);
  native.conv2dBackpropFilter(p.x, dw, p.dy, ...geometry);
  wrong += !same(y, p.y) + !same(dx, p.dx) + !same(dw, p.dw);
}
parentPort.postMessage(wrong);
`;

describe.skipIf(skip)(`native convolutions on several threads at once${skip ? ' (skipped: VAELAB_SKIP_NATIVE=1 says the addon is not built here)' : ''}`, () => {
  it('gives every thread the result of its own arrays when they run the same geometry together', async () => {
    const loaded = loadAddon();
    if (!loaded.ok) throw new Error(loaded.reason);
    loaded.addon.setThreads(1); // one OpenMP thread each, as in the threads below: the same bits
    const problems = Array.from({ length: THREADS }, (_, i) => problem(10 * i + 1));
    const start = new SharedArrayBuffer(4);
    const workers = problems.map((p) => new Worker(THREAD, { eval: true, workerData: { addon: ADDON, geometry: GEOMETRY, rounds: ROUNDS, start, p } }));
    const results = workers.map(
      (worker) =>
        new Promise<number>((resolve, reject) => {
          worker.on('message', (m: unknown) => typeof m === 'number' && resolve(m));
          worker.on('error', reject);
          worker.on('exit', (code) => reject(new Error(`a convolution thread exited with code ${code} before its result`)));
        }),
    );
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
    const flag = new Int32Array(start);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    try {
      // each thread's count of results that differ from its references, out of 3 * ROUNDS
      expect(await Promise.all(results)).toEqual(problems.map(() => 0));
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  });
});
