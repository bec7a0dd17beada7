import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { SparseAffinities } from './tsne-affinities.js';
import { attract } from './tsne-attraction.js';
import type { Share } from './tsne-gradient.js';
import type { Quadtree, TreeArrays } from './tsne-quadtree.js';
import { repelGroups } from './tsne-repulsion.js';

/**
 * The second thread's part of each gradient (tsne-gradient.ts), computed inline on this thread or on a
 * helper worker thread over shared memory. Each step the caller calls begin() once the layout is final
 * (the attraction may start), builds the tree, calls repel() with the second share of the groups,
 * repels the first share itself, then finish(). The helper waits on Atomics cells in between (a few
 * microseconds to wake, against milliseconds of work).
 */
export interface SecondShare {
  begin(): void;
  repel(share: Share): void;
  /** The second share's part of Z; the attraction and its points' repulsion are in the buffers by then. */
  finish(): number;
  close(): Promise<void>;
}

/** The buffers both threads see. */
export interface ShareBuffers {
  y: Float64Array;
  repulsion: Float64Array; // each thread writes its own groups' points
  attraction: Float64Array; // the second thread's, all points
}

/** The second thread's work of a step, wherever it runs. */
export function secondShare(tree: Quadtree, upper: SparseAffinities, theta: number, buffers: ShareBuffers, share: Share): number {
  attractAll(buffers, upper);
  return repelGroups(buffers.y, tree, theta, buffers.repulsion, share.fromGroup, share.toGroup);
}

/** The first half of secondShare: the attraction on every point, which needs no tree. */
export function attractAll(buffers: ShareBuffers, upper: SparseAffinities): void {
  buffers.attraction.fill(0);
  attract(buffers.y, upper, buffers.attraction, 0, upper.rowStart.length - 1);
}

// The control cell's slots and states (Int32Array over a SharedArrayBuffer).
export const CONTROL = { STATE: 0, TREE: 1, FROM_GROUP: 2, TO_GROUP: 3, GENERATION: 4, SIZE: 5 } as const; // TREE: 1 once built
export const STATE = { IDLE: 0, WORK: 1, STOP: 2, FAILED: 3 } as const;
const ANSWER_MS = 60_000; // a share takes milliseconds; a minute without an answer means the helper is gone

/** Float64Array over a SharedArrayBuffer, for the buffers a helper thread reads or writes. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * length));
}

export function inlineShare(tree: Quadtree, upper: SparseAffinities, theta: number, buffers: ShareBuffers): SecondShare {
  let pending: Share | null = null;
  return {
    begin: () => {},
    repel: (share) => void (pending = share),
    finish: () => secondShare(tree, upper, theta, buffers, pending!),
    close: async () => {},
  };
}

const WINDOW = 50; // steps between checks that the helper thread pays
const MIN_PARALLELISM = 1.3; // CPU seconds per wall second; below, the two threads share one core

/**
 * The helper while it pays, then the inline share: every WINDOW steps it checks that the process got
 * clearly more than one core's CPU time. On a machine too busy to give it a second core the helper only
 * adds its overhead (measured: ~15% slower), so the rest of the run goes inline, with the same sums,
 * hence the same embedding. The helper then waits idle until close().
 */
export function whileItPays(helper: SecondShare, inline: SecondShare): SecondShare {
  let current = helper;
  let steps = 0;
  let cpu = process.cpuUsage();
  let wall = performance.now();
  return {
    begin() {
      if (current === helper && ++steps % WINDOW === 0) {
        const used = process.cpuUsage(cpu);
        const now = performance.now();
        if ((used.user + used.system) / 1000 < MIN_PARALLELISM * (now - wall)) current = inline;
        [cpu, wall] = [process.cpuUsage(), now];
      }
      current.begin();
    },
    repel: (share) => current.repel(share),
    finish: () => current.finish(),
    close: () => helper.close(),
  };
}

/** The tree's arrays as the helper receives them, whenever they were replaced. */
export interface TreeMessage {
  arrays: TreeArrays;
  generation: number;
}

/** What the helper thread starts with (workerData); the tree's arrays follow on `port` as they change. */
export interface HelperData {
  control: Int32Array;
  z: Float64Array;
  buffers: ShareBuffers;
  upper: SparseAffinities;
  theta: number;
  port: MessagePort;
}

const TSX_API = import.meta.resolve('tsx/esm/api');
const ENTRY = new URL('./tsne-helper.ts', import.meta.url);

/** Starts the helper thread; resolves once it is ready for work. `buffers` must be SharedArrayBuffer-backed. */
export async function helperShare(tree: Quadtree, upper: SparseAffinities, theta: number, buffers: ShareBuffers): Promise<SecondShare> {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL.SIZE));
  const z = sharedFloat64(1);
  const { port1, port2 } = new MessageChannel();
  const data: HelperData = { control, z, buffers, upper, theta, port: port2 };
  // A worker does not inherit tsx's loader: it registers it, then imports the helper (as src/jobs does).
  const code = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(ENTRY.href)}); })`;
  const worker = new Worker(code, { eval: true, workerData: data, transferList: [port2] });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`t-SNE helper thread exited with code ${code} before it was ready`)));
  });
  worker.removeAllListeners();
  let sent = -1;
  return {
    begin() {
      Atomics.store(control, CONTROL.TREE, 0);
      Atomics.store(control, CONTROL.STATE, STATE.WORK);
      Atomics.notify(control, CONTROL.STATE);
    },
    repel(share) {
      if (tree.generation !== sent) {
        port1.postMessage({ arrays: tree.arrays, generation: tree.generation } satisfies TreeMessage); // queued before the helper wakes
        sent = tree.generation;
      }
      control[CONTROL.FROM_GROUP] = share.fromGroup;
      control[CONTROL.TO_GROUP] = share.toGroup;
      control[CONTROL.GENERATION] = sent;
      Atomics.store(control, CONTROL.TREE, 1);
      Atomics.notify(control, CONTROL.TREE);
    },
    finish() {
      while (Atomics.load(control, CONTROL.STATE) === STATE.WORK) {
        if (Atomics.wait(control, CONTROL.STATE, STATE.WORK, ANSWER_MS) === 'timed-out') throw new Error(`t-SNE helper thread gave no answer in ${ANSWER_MS / 1000} s`);
      }
      if (Atomics.load(control, CONTROL.STATE) === STATE.FAILED) {
        const message = receiveMessageOnPort(port1)?.message as string | undefined;
        throw new Error(`t-SNE helper thread failed: ${message ?? 'no message'}`);
      }
      return z[0]!;
    },
    async close() {
      Atomics.store(control, CONTROL.STATE, STATE.STOP);
      Atomics.store(control, CONTROL.TREE, 1); // in case it waits for a tree that will not come
      Atomics.notify(control, CONTROL.STATE);
      Atomics.notify(control, CONTROL.TREE);
      port1.close();
      await worker.terminate();
    },
  };
}
