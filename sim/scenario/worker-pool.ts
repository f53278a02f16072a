import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { runJob, type Job, type JobResult } from './job.ts';

/**
 * Runs jobs on worker threads, one job per worker at a time (each run is single-threaded, so a
 * 2-core machine runs two at once). Results come back in job order whatever order they finish in.
 * With one worker, or one job, it runs in this thread: no startup cost for the common case.
 */
export async function runJobs(jobs: readonly Job[], workers = availableParallelism(), onDone?: (r: JobResult, done: number) => void): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  let done = 0;
  const n = Math.max(1, Math.min(workers, jobs.length));
  if (n === 1) {
    for (let i = 0; i < jobs.length; i++) {
      results[i] = await runJob(jobs[i]);
      onDone?.(results[i], ++done);
    }
    return results;
  }
  let next = 0;
  const url = new URL('./job-worker.mjs', import.meta.url);
  await Promise.all(
    Array.from({ length: n }, async () => {
      const w = new Worker(url);
      // A worker that dies fails the job it holds, never the whole process.
      let fail: ((err: Error) => void) | undefined;
      w.on('error', (err) => fail?.(err));
      w.on('exit', (code) => fail?.(new Error(`worker exited with code ${code}`)));
      try {
        while (next < jobs.length) {
          const i = next++;
          results[i] = await new Promise<JobResult>((resolve) => {
            fail = (err) => resolve({ ok: false, label: jobs[i].label, code: 'E_RUN', message: err.stack ?? err.message });
            w.once('message', (r: JobResult) => resolve(r));
            w.postMessage(jobs[i]);
          });
          fail = undefined;
          onDone?.(results[i], ++done);
        }
      } finally {
        await w.terminate();
      }
    }),
  );
  return results;
}
