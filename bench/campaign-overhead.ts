/**
 * Benchmark "campaign-overhead" (issue 16): the 6-point bulk-size sweep at 1 M UEs
 * (scenarios/sizing/msgin5g-bulk-vs-individual.yaml, msgin5g.bulking.maxSize=1,10,50,100,500,1000)
 * on the local pool of 2 threads (A) and through BullMQ on 2 `reglab worker` processes (B), on the
 * same machine, alternately A B A B… (the machine is shared and noisy: ratios per pair, not single
 * times). Target: the queue's overhead (B − A) ≤ 5 % of the campaign's wall time.
 *
 * Workers are started (and their threads loaded) before the clock starts, as they would be on a
 * cluster; the coordinator's connect, enqueue and collection are inside B's time.
 *
 *   node --import tsx bench/campaign-overhead.ts [--rounds 2] [--population 1000000]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { expandSweep, runCampaign, LocalBackend, type Campaign } from '../sim/campaign/index.ts';
import { QueueBackend } from '../sim/campaign/queue-backend.ts';
import { parseQueueUrl } from '../sim/campaign/redis-url.ts';
import { ROOT, startRedis, startWorkers, stopAll } from './campaign-support.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, population: { type: 'string', default: '1000000' } } });
const ROUNDS = Number(values.rounds);
const SCENARIO = join(ROOT, 'scenarios/sizing/msgin5g-bulk-vs-individual.yaml');
const campaign: Campaign = expandSweep(SCENARIO, { vary: ['msgin5g.bulking.maxSize=1,10,50,100,500,1000'], sets: [`population.size=${values.population}`] });

console.log(`campaign-overhead: ${campaign.runs.length} runs at ${Number(values.population).toLocaleString('en')} UEs, 2 threads (A) vs 2 worker processes (B), ${ROUNDS} round(s); load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const redis = await startRedis();
const workers = await startWorkers(redis.url, 2);
const rows: { a: number; b: number; aRuns: number; bRuns: number }[] = [];
const runSum = (o: Awaited<ReturnType<typeof runCampaign>>) => o.outcomes.reduce((s, x) => s + (x?.ok ? Number(x.headline.wall_ms) : 0), 0) / 1000;
try {
  for (let round = 1; round <= ROUNDS; round++) {
    let t0 = performance.now();
    const a = await runCampaign(campaign, { backend: new LocalBackend(2) });
    const aS = (performance.now() - t0) / 1000;
    const backend = await QueueBackend.connect(parseQueueUrl(redis.url));
    t0 = performance.now();
    const b = await runCampaign(campaign, { backend, fresh: true });
    const bS = (performance.now() - t0) / 1000;
    await backend.close();
    if (a.failed || b.failed) throw new Error(`failed runs: local ${a.failed}, queue ${b.failed}`);
    // Same results both ways (the trace hash of each run).
    a.outcomes.forEach((o, i) => {
      if (o?.ok && b.outcomes[i]?.ok && o.headline.trace_hash !== (b.outcomes[i] as typeof o).headline.trace_hash) throw new Error(`run ${i + 1} differs`);
    });
    rows.push({ a: aS, b: bS, aRuns: runSum(a), bRuns: runSum(b) });
    console.log(`round ${round}: A ${aS.toFixed(1)} s, B ${bS.toFixed(1)} s, B/A ${(bS / aS).toFixed(3)}; load ${loadavg()[0].toFixed(1)}`);
  }
} finally {
  await stopAll(workers);
  await redis.stop();
}
console.log('');
// On a shared CPU the runs themselves slow down with the load; each campaign's wall per second of
// its own runs' wall (Σ run wall) takes that out: what is left is scheduling, dispatch and collection.
console.log('| round | A: local pool, wall | A: Σ run wall | B: queue, wall | B: Σ run wall | B/A raw | B/A per run-second | overhead per run-second |');
console.log('|---|---|---|---|---|---|---|---|');
rows.forEach((r, i) => {
  const norm = r.b / r.bRuns / (r.a / r.aRuns);
  console.log(`| ${i + 1} | ${r.a.toFixed(1)} s | ${r.aRuns.toFixed(1)} s | ${r.b.toFixed(1)} s | ${r.bRuns.toFixed(1)} s | ${(r.b / r.a).toFixed(3)} | ${norm.toFixed(3)} | ${((1 - 1 / norm) * 100).toFixed(1)} % |`);
});
