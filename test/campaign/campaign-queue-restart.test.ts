import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expandSweep, runCampaign } from '../../sim/campaign/index.ts';
import { QueueBackend } from '../../sim/campaign/queue-backend.ts';
import { parseQueueUrl } from '../../sim/campaign/redis-url.ts';
import { ROOT } from '../reglab-process.ts';
import { startRedis, type TestRedis } from './redis-server.ts';

/** Redis restarted mid-campaign (append-only file on): the coordinator and the worker reconnect and finish. */

const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');
let redis: TestRedis | undefined;
let worker: ChildProcess | undefined;

after(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const gone = new Promise((r) => worker!.once('exit', r));
    worker.kill('SIGKILL');
    await gone;
  }
  await redis?.stop();
});

test('Redis restarted with persistence mid-campaign: the campaign continues and completes, each run once', async () => {
  redis = await startRedis({ appendonly: true });
  worker = spawn(process.execPath, ['bin/reglab.mjs', 'worker', '--queue', redis.url, '--lock-duration', '3000'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((res, rej) => {
    worker!.stderr!.on('data', (d) => {
      log += d;
      if (/worker \S+: RegLab/.test(log)) res();
    });
    worker!.once('exit', (c) => rej(new Error(`worker exited ${c}: ${log}`)));
  });
  const c = expandSweep(LEARN, { vary: ['population.size=20000,20001,20002,20003'], seed: 61 });
  const backend = await QueueBackend.connect(parseQueueUrl(redis.url));
  const firstPid = redis.pid;
  const seen: number[] = [];
  let restarted: Promise<void> | undefined;
  const r = await runCampaign(c, {
    backend,
    onProgress: (p) => {
      seen.push(p.done);
      if (p.done === 1) restarted = redis!.restart();
    },
  });
  await restarted;
  assert.ok(restarted && redis.pid !== firstPid, 'Redis was restarted while runs were pending');
  await backend.close();
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.ok(r.outcomes.every((o) => o?.ok), JSON.stringify(r.outcomes.filter((o) => !o?.ok)));
});
