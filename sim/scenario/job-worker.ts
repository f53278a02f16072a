import { parentPort } from 'node:worker_threads';
import { runJob, type Job } from './job.ts';

/** A pool worker: runs jobs one at a time as the pool hands them out. */
parentPort!.on('message', async (job: Job) => {
  parentPort!.postMessage(await runJob(job));
});
