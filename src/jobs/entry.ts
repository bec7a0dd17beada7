import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { EXIT } from '../errors.js';
import { hostJob } from './host.js';
import type { ControlMessage, JobMessage, JobRequest } from './protocol.js';

/**
 * The job's side of launch.ts, in a worker thread (request in workerData, messages on parentPort) or in a
 * child process (request as the first IPC message). In a process, SIGINT, SIGTERM and the launcher going
 * away also abort: finish the step, checkpoint, exit 130, rather than train unwatched.
 */
const controller = new AbortController();
const stop = () => controller.abort();

if (!isMainThread) {
  const port = parentPort!;
  port.on('message', (m: ControlMessage) => m.type === 'abort' && stop());
  await hostJob(workerData as JobRequest, controller.signal, (m: JobMessage) => port.postMessage(m));
  port.close();
} else {
  process.on('SIGINT', stop); // a terminal's Ctrl-C reaches the whole process group, this process too
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop); // the terminal closed: checkpoint, as for SIGTERM
  process.on('SIGUSR1', () => {}); // keeps Node's inspector (127.0.0.1:9229) from opening on SIGUSR1
  process.on('disconnect', stop);
  const request = await new Promise<JobRequest>((resolve) => {
    process.on('message', (m: ControlMessage) => (m.type === 'start' ? resolve(m.request) : stop()));
  });
  const send = (m: JobMessage) => {
    if (process.connected) process.send?.(m);
  };
  const result = await hostJob(request, controller.signal, send);
  process.exitCode = result === null ? EXIT.failed : result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
  process.disconnect?.(); // an open IPC channel would keep this process alive
}
