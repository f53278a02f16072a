// A worker that claims another RegLab version (run by campaign-queue.test.ts as its own process):
// the coordinator must name both versions and never take its results.
import { startQueueWorker } from '../../sim/campaign/queue-worker.ts';
import { parseQueueUrl } from '../../sim/campaign/redis-url.ts';

const w = await startQueueWorker({ url: parseQueueUrl(process.argv[2]), version: '0.0.0-other', log: (l) => console.error(l) });
process.on('SIGTERM', () => void w.returnJobs());
await w.stopped;
