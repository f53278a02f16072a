import { parentPort } from 'node:worker_threads';
import { executeRun, type RunTask } from './execute.ts';

/** A pool thread: runs one task at a time as the pool hands them out. */
parentPort!.on('message', async (task: RunTask) => {
  parentPort!.postMessage(await executeRun(task));
});
