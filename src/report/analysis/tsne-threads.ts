import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { SparseAffinities } from './tsne-affinities.js';
import { computeShare, type Share } from './tsne-gradient.js';
import type { Quadtree, TreeArrays } from './tsne-quadtree.js';

/**
 * Where the second share of each gradient (tsne-gradient.ts) is computed: inline on this thread, or on a
 * helper worker thread over shared memory, so the two shares run on two cores at once. Each step the
 * caller calls start() with the second share, computes the first itself, then finish(). The helper waits
 * on an Atomics cell between steps (a few microseconds to wake, against milliseconds of work a share).
 */
export interface SecondShare {
  start(share: Share): void;
  /** The second share's part of Z; its repulsion and attraction are in the buffers by then. */
  finish(): number;
  close(): Promise<void>;
}

/** The buffers both threads see: y and repulsion shared, the second share's attraction its own. */
export interface ShareBuffers {
  y: Float64Array;
  repulsion: Float64Array;
  attraction: Float64Array;
}

// The control cell's slots and states (Int32Array over a SharedArrayBuffer).
export const CONTROL = { STATE: 0, FROM_GROUP: 1, TO_GROUP: 2, FROM_ROW: 3, TO_ROW: 4, GENERATION: 5, SIZE: 6 } as const;
export const STATE = { IDLE: 0, WORK: 1, STOP: 2, FAILED: 3 } as const;
const ANSWER_MS = 60_000; // a share takes milliseconds; a minute without an answer means the helper is gone

/** Float64Array over a SharedArrayBuffer, for the buffers a helper thread reads or writes. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * length));
}

export function inlineShare(tree: Quadtree, upper: SparseAffinities, theta: number, buffers: ShareBuffers): SecondShare {
  let pending: Share | null = null;
  return {
    start: (share) => void (pending = share),
    finish: () => computeShare(buffers.y, tree, upper, theta, pending!, buffers.repulsion, buffers.attraction),
    close: async () => {},
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
    start(share) {
      if (tree.generation !== sent) {
        port1.postMessage({ arrays: tree.arrays, generation: tree.generation } satisfies TreeMessage); // queued before the helper wakes
        sent = tree.generation;
      }
      control[CONTROL.FROM_GROUP] = share.fromGroup;
      control[CONTROL.TO_GROUP] = share.toGroup;
      control[CONTROL.FROM_ROW] = share.fromRow;
      control[CONTROL.TO_ROW] = share.toRow;
      control[CONTROL.GENERATION] = sent;
      Atomics.store(control, CONTROL.STATE, STATE.WORK);
      Atomics.notify(control, CONTROL.STATE);
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
      Atomics.notify(control, CONTROL.STATE);
      port1.close();
      await worker.terminate();
    },
  };
}
