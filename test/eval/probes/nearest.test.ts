import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeBackend } from '../../../src/backend/active.js';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng } from '../../../src/data/batches.js';
import { centre, meanOf, nearestOnBackend } from '../../../src/eval/probes/nearest.js';
import { scanNearest } from '../../../src/eval/probes/nearest-scan.js';
import { normals } from './blobs.js';

// VAELAB_SKIP_NATIVE=1 marks a machine without the addon's libraries (test/backend/native.test.ts)
const BACKENDS: ('cpu' | 'wasm' | 'native')[] = ['cpu', 'wasm', ...(process.env.VAELAB_SKIP_NATIVE === '1' ? [] : ['native' as const])];

function gaussian(n: number, d: number, seed: number, offset = 0): Float32Array {
  const z = normals(seed);
  return Float32Array.from({ length: n * d }, () => offset + z());
}

/** The backend search of `query` among `ref`, and the scan it must reproduce. */
function both(ref: Float32Array, query: Float32Array, d: number, k: number, kthOnly: boolean, slackScale = 1) {
  const n = ref.length / d;
  const m = query.length / d;
  const mean = meanOf([ref], d);
  const before = tf.memory().numTensors;
  const fast = nearestOnBackend(centre(ref, n, d, mean), centre(query, m, d, mean), { k, kthOnly, slackScale });
  expect(tf.memory().numTensors).toBe(before);
  const scan = scanNearest(ref, n, query, m, d, k);
  // kthOnly promises the k-th distance only: points tied with it may stand in another order
  const kth = (dist: Float64Array) => Array.from({ length: m }, (_, q) => dist[q * k + k - 1]);
  return kthOnly
    ? { fast: kth(fast.dist), scan: kth(scan.dist), fallbacks: fast.fallbacks }
    : { fast: [...fast.index], scan: [...scan.index], fallbacks: fast.fallbacks, dist: [fast.dist, scan.dist] };
}

describe.each(BACKENDS)('exact nearest neighbours with products on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('runs on a backend whose float32 products are IEEE ones', () => {
    expect(activeBackend().ieeeFloat32MatMul()).toBe(true);
  });

  it.each([
    { d: 1, k: 1, n: 300 },
    { d: 2, k: 5, n: 517 }, // not a multiple of the 32-point runs
    { d: 10, k: 3, n: 300 },
    { d: 64, k: 7, n: 300 },
    { d: 3, k: 4, n: 20 }, // fewer points than a run: every point is a candidate
  ])('finds the neighbours of the scan among random points (d $d, k $k, n $n)', ({ d, k, n }) => {
    const ref = gaussian(n, d, d + k);
    const query = gaussian(150, d, d + k + 1, 0.3);
    for (const kthOnly of [false, true]) {
      const got = both(ref, query, d, k, kthOnly);
      expect(got.fast).toEqual(got.scan);
      // the products decided almost every query: the search is not a scan in disguise
      expect(got.fallbacks).toBeLessThan(15);
    }
    const got = both(ref, query, d, k, false);
    expect(got.dist![0]).toEqual(got.dist![1]);
  });

  it('finds them among duplicated points and exact ties', () => {
    // integer coordinates: many distances are equal, and each base point appears five times
    const rng = createRng(3);
    const base = Float32Array.from({ length: 60 * 3 }, () => Math.floor(5 * rng()));
    const ref = Float32Array.from({ length: 300 * 3 }, (_, i) => base[i % base.length]!);
    const query = Float32Array.from({ length: 100 * 3 }, (_, i) => (i < 150 ? ref[i]! : Math.floor(5 * rng())));
    for (const k of [1, 4, 6]) {
      for (const kthOnly of [false, true]) {
        const got = both(ref, query, 3, k, kthOnly);
        expect(got.fast).toEqual(got.scan);
      }
    }
  });

  it('finds them when every point is the same (a collapsed latent space)', () => {
    const ref = new Float32Array(200 * 4).fill(0.7);
    const query = Float32Array.from({ length: 50 * 4 }, (_, i) => (i < 100 ? 0.7 : 0.7 + (i % 3)));
    const order = both(ref, query, 4, 5, false);
    expect(order.fast).toEqual(order.scan);
    const kth = both(ref, query, 4, 5, true);
    expect(kth.fast).toEqual(kth.scan);
    // a k-th distance of 0 is final: the queries on the point itself need no scan
    expect(kth.fallbacks).toBeLessThanOrEqual(25);
  });

  it('goes wrong on near ties without the error bound, and stays exact with it', () => {
    // 224 points near a unit ring around the origin, queries within 1e-3 of it, and a cluster at (200, 200)
    // that moves the mean (to which the products are centred) away: float32 scores then err by more than
    // the gaps between the nearest ring points, and only the error bound sends these queries to the scan
    const z = normals(9);
    const ring = Array.from({ length: 224 }, (_, j) => [Math.cos(j), Math.sin(j)].map((c) => c * (1 + 0.001 * z())));
    const cluster = Array.from({ length: 320 }, () => [200 + z(), 200 + z()]);
    const ref = Float32Array.from([...ring, ...cluster].flat());
    const query = Float32Array.from({ length: 200 * 2 }, () => 1e-3 * z());
    const loose = both(ref, query, 2, 3, false, 0);
    // 91 to 125 of the 600 neighbours on cpu, wasm and native when written
    expect(loose.fast.filter((i, p) => i !== loose.scan[p]).length).toBeGreaterThan(20);
    const exact = both(ref, query, 2, 3, false);
    expect(exact.fast).toEqual(exact.scan);
    expect(exact.fallbacks).toBeGreaterThan(100);
  });
});
