import { parentPort } from 'node:worker_threads';
import { executeRun, type RunTask } from './execute.ts';
import { READY } from './pool.ts';

/** A pool thread: runs one task at a time as the pool hands them out. */
parentPort!.on('message', async (task: RunTask) => {
  parentPort!.postMessage(await executeRun(task));
});
// Loaded (the TypeScript loader and the model's modules): the pool may count on this thread now.
parentPort!.postMessage(READY);
