import * as tf from '@tensorflow/tfjs';
import { VaelabError } from '../errors.js';
import { resume } from '../pipeline.js';
import { errorText } from './executor.js';
import type { ChildMessage, ParentMessage } from './point-protocol.js';

/**
 * One sweep point in its own process (childProcessExecutor): `node --import tsx point-process.ts <runDir>
 * <reportsDir>` continues the run directory, fresh or from its checkpoint. Abort (IPC, SIGINT, SIGTERM or
 * the runner going away) finishes the step, writes a checkpoint and leaves the run interrupted.
 */
const [runDir, reports] = process.argv.slice(2);
const controller = new AbortController();
const stop = () => controller.abort();
process.on('SIGINT', stop); // a terminal's Ctrl-C reaches the whole process group, this process too
process.on('SIGTERM', stop);
process.on('disconnect', stop); // no runner to report to: checkpoint rather than train unwatched
process.on('message', (m: ParentMessage) => {
  if (m.type === 'abort') stop();
});
const send = (m: ChildMessage) => {
  if (process.connected) process.send?.(m);
};

let lastStep = 0;
tf.enableProdMode(); // no tfjs console chatter; the run's log says which backend runs
try {
  if (runDir === undefined || reports === undefined) throw new Error('usage: point-process.ts <runDir> <reportsDir>');
  const result = await resume(runDir, {
    signal: controller.signal,
    reports,
    reportLog: (message) => process.stderr.write(`${message}\n`),
    onProgress: (progress) => {
      // every epoch, and a step now and then: enough for a live view without flooding the channel
      if (progress.type === 'step' && performance.now() - lastStep < 1000) return;
      if (progress.type === 'step') lastStep = performance.now();
      send({ type: 'progress', progress });
    },
  });
  send({ type: 'done', status: result.status });
} catch (err) {
  send({ type: 'error', message: errorText(err) });
  // a bug keeps its stack, on stderr, which the runner quotes when the process ends badly
  if (!(err instanceof VaelabError)) process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  process.disconnect?.(); // an open IPC channel would keep this process alive
}
