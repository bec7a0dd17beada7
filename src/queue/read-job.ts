import { Worker, type Job, type JobJson, type Queue } from 'bullmq';

/**
 * Jobs as BullMQ reads them back from Redis, where anyone who can write can leave a job that is not JSON
 * (`HSET vaelab:sweeps:<id> data '{broken'`). BullMQ's own parse throws a bare SyntaxError on one: out of
 * Queue.getJob it would end `status` for every sweep, and inside a worker it would leave the job active with
 * nobody working on it. Here such a job is a value that says why, so `status` skips it and a worker fails it.
 */
export const NOT_JSON = 'its data in Redis is not valid JSON';

/** A job that exists but cannot be read. */
export interface UnreadableJob {
  unreadable: string; // why, for the person reading `status`
}

export async function readJob(queue: Queue, id: string): Promise<Job | UnreadableJob | undefined> {
  try {
    return await queue.getJob(id);
  } catch (err) {
    if (err instanceof SyntaxError) return { unreadable: NOT_JSON }; // the message quotes the broken text: not shown
    throw err;
  }
}

export function isUnreadable(job: Job | UnreadableJob | undefined): job is UnreadableJob {
  return job !== undefined && 'unreadable' in job;
}

/** What a worker's processor receives in place of data that is not JSON: it fails the job with this reason. */
export class UnreadableData {
  constructor(readonly reason: string) {}
}

/**
 * A BullMQ Worker that hands its processor an UnreadableData for a job whose data is not JSON, instead of
 * throwing between taking the job and running it. The job is then failed through the processor like any
 * refused payload, with its reason and without a retry.
 */
export class CheckedWorker<R> extends Worker<unknown, R> {
  protected override createJob(data: JobJson, jobId: string): Job<unknown, R> {
    try {
      return super.createJob(data, jobId);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      const job = super.createJob({ ...data, data: '{}' }, jobId);
      job.data = new UnreadableData(NOT_JSON);
      return job;
    }
  }
}
