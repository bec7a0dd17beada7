import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { Quadtree } from './tsne-quadtree.js';
import { repelGroups } from './tsne-repulsion.js';
import { attractAll, CONTROL, STATE, type HelperData, type TreeMessage } from './tsne-threads.js';

// The t-SNE helper thread (started by tsne-threads.ts): computes the second share of each gradient on
// the coordinator's shared layout and tree, waiting on the control cells between steps.
const { control, z, buffers, upper, theta, port } = workerData as HelperData;
const tree = new Quadtree();
let generation = -1;
parentPort!.postMessage('ready');
for (;;) {
  Atomics.wait(control, CONTROL.STATE, STATE.IDLE);
  const state = Atomics.load(control, CONTROL.STATE);
  if (state === STATE.STOP) break;
  if (state !== STATE.WORK) continue;
  try {
    attractAll(buffers, upper); // secondShare's two halves, with the wait for the tree between them
    while (Atomics.load(control, CONTROL.TREE) === 0) Atomics.wait(control, CONTROL.TREE, 0);
    if (Atomics.load(control, CONTROL.STATE) === STATE.STOP) break;
    // The tree's arrays were replaced (it grew): the newest are the last message on the port.
    while (generation !== control[CONTROL.GENERATION]) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) throw new Error(`tree arrays of generation ${control[CONTROL.GENERATION]} never arrived`);
      ({ generation } = m.message as TreeMessage);
      tree.adopt((m.message as TreeMessage).arrays, 0);
    }
    z[0] = repelGroups(buffers.y, tree, theta, buffers.repulsion, control[CONTROL.FROM_GROUP]!, control[CONTROL.TO_GROUP]!);
    Atomics.store(control, CONTROL.STATE, STATE.IDLE);
  } catch (err) {
    port.postMessage(err instanceof Error ? (err.stack ?? err.message) : String(err));
    Atomics.store(control, CONTROL.STATE, STATE.FAILED);
  }
  Atomics.notify(control, CONTROL.STATE);
}
port.close();
