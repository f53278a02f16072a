/**
 * Benchmark "campaign-dispatch" (issue 16): 1,000 tiny runs (learn/request-response × 1,000 seeds)
 * through the BullMQ queue on 2 `reglab worker` processes, against the same 1,000 on the local
 * pool of 2 threads, alternately (A B A B…: the machine is shared and noisy).
 *
 * Target: ≥ 100 runs/s dispatched. Also measured for the scaling model (docs/distributed.md):
 * enqueue rate, Redis commands per job, job data and result sizes, Redis memory per finished job,
 * and the per-job overhead = (queue wall − local wall) × workers / runs.
 *
 *   node --import tsx bench/campaign-dispatch.ts [--runs 1000] [--rounds 2] [--workers 2]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { expandSweep, runCampaign, LocalBackend } from '../sim/campaign/index.ts';
import { QueueBackend } from '../sim/campaign/queue-backend.ts';
import { parseQueueUrl } from '../sim/campaign/redis-url.ts';
import { PREFIX, queueName } from '../sim/campaign/queue-names.ts';
import { encodeOutcome } from '../sim/campaign/codec.ts';
import { REGLAB_VERSION } from '../sim/version.ts';
import { ROOT, commandsProcessed, startRedis, startWorkers, stopAll, usedMemory } from './campaign-support.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '2' }, workers: { type: 'string', default: '2' } } });
const N = Number(values.runs);
const ROUNDS = Number(values.rounds);
const W = Number(values.workers);
const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');

const seeds = Array.from({ length: N }, (_, i) => i + 1).join(',');
const campaign = expandSweep(LEARN, { vary: [`seed=${seeds}`] });
console.log(`campaign-dispatch: ${N} runs of learn/request-response (seeds 1…${N}), ${W} local threads vs ${W} worker processes, ${ROUNDS} round(s); load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

const redis = await startRedis();
const workers = await startWorkers(redis.url, W);
const rows: string[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    // A: local pool
    let t0 = performance.now();
    const local = await runCampaign(campaign, { backend: new LocalBackend(W) });
    const localS = (performance.now() - t0) / 1000;
    const runWallS = local.outcomes.reduce((a, o) => a + (o?.ok ? Number(o.headline.wall_ms) : 0), 0) / 1000;
    // B: the queue (fresh: last round's finished jobs are not reused)
    const cmd0 = await commandsProcessed(redis.port);
    const mem0 = await usedMemory(redis.port);
    const backend = await QueueBackend.connect(parseQueueUrl(redis.url));
    let firstDone = 0;
    t0 = performance.now();
    const queued = await runCampaign(campaign, {
      backend,
      fresh: true,
      onProgress: (p) => {
        if (p.done === 1) firstDone = performance.now() - t0;
      },
    });
    const queueS = (performance.now() - t0) / 1000;
    await backend.close();
    const cmds = (await commandsProcessed(redis.port)) - cmd0 - 1;
    const mem = (await usedMemory(redis.port)) - mem0;
    if (queued.failed || local.failed) throw new Error(`failures: local ${local.failed}, queue ${queued.failed}`);
    const perJobMs = ((queueS - localS) * W * 1000) / N;
    rows.push(
      `| ${round} | ${localS.toFixed(2)} s (${(N / localS).toFixed(0)} runs/s) | ${queueS.toFixed(2)} s (${(N / queueS).toFixed(0)} runs/s) | ${(firstDone / 1000).toFixed(2)} s | ${((runWallS * 1000) / N).toFixed(1)} ms | ${perJobMs.toFixed(1)} ms | ${(cmds / N).toFixed(1)} | ${(mem / N / 1024).toFixed(1)} KiB |`,
    );
    console.log(rows.at(-1));
  }
  // Sizes of one job's data and one result, as Redis stores them (JSON).
  const q = new Queue(queueName(REGLAB_VERSION), { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  const job = await q.getJob(campaign.runs[0].key);
  const dataBytes = Buffer.byteLength(JSON.stringify(job!.data));
  const resultBytes = Buffer.byteLength(JSON.stringify(job!.returnvalue));
  // Enqueue alone: addBulk of N jobs into an empty queue, nobody taking them.
  const eq = new Queue('bench-enqueue', { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  const t0 = performance.now();
  for (let i = 0; i < N; i += 500) {
    await eq.addBulk(campaign.runs.slice(i, i + 500).map((run) => ({ name: 'run', data: { reglabVersion: REGLAB_VERSION, campaign: campaign.id, bundle: campaign.bundle, run }, opts: { jobId: run.key } })));
  }
  const enqueueS = (performance.now() - t0) / 1000;
  await q.close();
  await eq.close();
  console.log('');
  console.log('| round | local pool (A) | queue (B) | queue: first result | run wall (mean) | per-job overhead (B−A)×workers/runs | Redis commands / job | Redis memory / finished job |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('');
  console.log(`enqueue alone: ${N} jobs in ${enqueueS.toFixed(2)} s = ${(N / enqueueS).toFixed(0)} jobs/s; job data ${dataBytes} B (scenario text ${campaign.bundle.text.length} B), result ${resultBytes} B (encoded outcome ${encodeOutcome(queued0()).length} B)`);
} finally {
  await stopAll(workers);
  await redis.stop();
}

function queued0() {
  return { key: 'x'.repeat(40), ok: true as const, label: '1', reglabVersion: REGLAB_VERSION, headline: {} };
}
