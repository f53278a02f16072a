import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { reglabInProcess } from '../cli/cli-in-process.ts';
import { REGLAB_VERSION } from '../../sim/version.ts';
import { expandSweep, runCampaign, type Campaign } from '../../sim/campaign/index.ts';
import { QueueBackend } from '../../sim/campaign/queue-backend.ts';
import { parseQueueUrl } from '../../sim/campaign/redis-url.ts';
import { PREFIX, queueName } from '../../sim/campaign/queue-names.ts';
import { ROOT, spawnReady as spawnProcess, stopProc, type Spawned } from '../reglab-process.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { startServer } from '../../sim/server/server.ts';
import type { QueueStatusReply } from '../../sim/server/queue-route.ts';

/**
 * Distributed campaigns on a real redis-server (our own, on a free port) with `reglab worker`
 * processes: same CSVs as local, a SIGKILLed worker's run retried, a killed coordinator resumed,
 * a deterministic failure reported once, workers of another version refused, bad URLs refused.
 */

const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');
const LOCK_MS = 1500;
const tmp = mkdtempSync(join(tmpdir(), 'reglab-cq-'));
let redis: TestRedis;
const procs = new Set<ChildProcess>();

/** A `reglab worker` process; resolves once it says it is taking jobs. */
function startWorker(...extra: string[]): Promise<Spawned> {
  return spawnReady(['bin/reglab.mjs', 'worker', '--queue', redis.url, '--lock-duration', String(LOCK_MS), ...extra], /worker \S+: RegLab/);
}

/** Every process the file starts is tracked, so `after` stops what a failed test left. */
async function spawnReady(args: string[], ready: RegExp): Promise<Spawned> {
  const s = await spawnProcess(args, ready);
  procs.add(s.proc);
  s.proc.on('exit', () => procs.delete(s.proc));
  return s;
}

const reglab = reglabInProcess();

/** A CSV without the columns that hold wall time (the only ones allowed to differ). */
function withoutWallTime(csv: string): string[][] {
  const rows = csv.trim().split('\n').map((l) => l.split(','));
  const keep = rows[0].map((h, i) => (/wall/.test(h) ? -1 : i)).filter((i) => i >= 0);
  return rows.map((r) => keep.map((i) => r[i]));
}

function workersOf(dir: string): Set<string> {
  return new Set(readdirSync(join(dir, 'runs')).map((f) => (JSON.parse(readFileSync(join(dir, 'runs', f), 'utf8')) as { worker: string }).worker.split('/')[1]));
}

let w1: Spawned;
let w2: Spawned;

before(async () => {
  redis = await startRedis();
  [w1, w2] = await Promise.all([startWorker(), startWorker()]);
});

after(async () => {
  await Promise.all([...procs].map((p) => stopProc(p, 'SIGKILL')));
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('a compare campaign through the queue on 2 worker processes writes the same compare.csv as a local run', async () => {
  const args = ['compare', LEARN, '--policy', 'nodes.server.workers=1,2', '--seeds', '3', '-q'];
  const q = await reglab(...args, '--out', join(tmp, 'cmp-q'), '--queue', redis.url);
  assert.equal(q.code, 0, q.err);
  const l = await reglab(...args, '--out', join(tmp, 'cmp-l'));
  assert.equal(l.code, 0, l.err);
  assert.equal(readFileSync(join(tmp, 'cmp-q', 'compare.csv'), 'utf8'), readFileSync(join(tmp, 'cmp-l', 'compare.csv'), 'utf8'));
  // Every result came from a worker process, none from this one.
  const pids = new Set([String(w1.proc.pid), String(w2.proc.pid)]);
  for (const p of workersOf(join(tmp, 'cmp-q'))) assert.ok(pids.has(p), `result from pid ${p}`);
});

test('a sweep through the queue: sweep.csv equal to the local one apart from wall time', async () => {
  const args = ['sweep', LEARN, '--vary', 'population.size=10,30', '--vary', 'nodes.server.workers=1,2', '--seed', '3', '-q'];
  const q = await reglab(...args, '--out', join(tmp, 'sw-q'), '--queue', redis.url);
  assert.equal(q.code, 0, q.err);
  const l = await reglab(...args, '--out', join(tmp, 'sw-l'));
  assert.equal(l.code, 0, l.err);
  const a = readFileSync(join(tmp, 'sw-q', 'sweep.csv'), 'utf8');
  const b = readFileSync(join(tmp, 'sw-l', 'sweep.csv'), 'utf8');
  assert.ok(a.split('\n')[0].includes('wall_ms'));
  assert.deepEqual(withoutWallTime(a), withoutWallTime(b));
  assert.equal(withoutWallTime(a).length, 5);
});

test('a worker SIGKILLed mid-run: its run is retried by another worker after the lock expires; each row once', async () => {
  await stopProc(w2.proc); // one worker holds the queue, so we know whose run we kill
  const c = expandSweep(LEARN, { vary: ['population.size=60000,60001,60002'], seed: 21 });
  const queue = new Queue(queueName(REGLAB_VERSION), { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  const backend = await QueueBackend.connect(parseQueueUrl(redis.url));
  const seen: number[] = [];
  const campaign = runCampaign(c, { backend, onProgress: (p) => seen.push(p.done) });
  for (let i = 0; i < 600 && (await queue.getActiveCount()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await queue.getActiveCount(), 1, 'the worker took a run');
  await stopProc(w1.proc, 'SIGKILL');
  w2 = await startWorker();
  const r = await campaign;
  await backend.close();
  assert.deepEqual(seen, [1, 2, 3], 'each run delivered exactly once');
  assert.ok(r.outcomes.every((o) => o?.ok));
  const retried = (await Promise.all(c.runs.map((run) => queue.getJob(run.key)))).filter((j) => j!.attemptsStarted > 1 || j!.stalledCounter > 0);
  assert.ok(retried.length >= 1, 'the killed run was started again');
  for (const o of r.outcomes) assert.equal(o!.ok && o!.worker!.split('/')[1], String(w2.proc.pid));
  await queue.close();
  w1 = await startWorker();
});

test('the coordinator killed and restarted with --resume re-attaches and runs only what is missing', async () => {
  const dir = join(tmp, 'resume');
  const args = ['sweep', LEARN, '--vary', 'population.size=30000,30001,30002,30003', '--seed', '31', '--out', dir, '--queue', redis.url];
  const coord = spawn(process.execPath, ['bin/reglab.mjs', ...args], { cwd: ROOT, stdio: 'ignore' });
  procs.add(coord);
  for (let i = 0; i < 1200 && !(existsSync(join(dir, 'runs')) && readdirSync(join(dir, 'runs')).some((f) => f.endsWith('.json'))); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopProc(coord, 'SIGKILL');
  assert.ok(!existsSync(join(dir, 'sweep.csv')), 'no sweep.csv from a coordinator that died');
  const r = await reglab(...args, '--resume');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /4 runs \([1-4] reused\)/);
  const rows = readFileSync(join(dir, 'sweep.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(rows.length, 4);
  assert.ok(rows.every((l) => l.includes(',ok,')));
  // Nothing ran twice: every job of the campaign was started once.
  const queue = new Queue(queueName(REGLAB_VERSION), { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  const c = JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8')) as Campaign;
  for (const run of c.runs) assert.equal((await queue.getJob(run.key))!.attemptsStarted, 1, run.label);
  await queue.close();
  // --resume on a directory of another campaign is refused.
  const other = await reglab('sweep', LEARN, '--vary', 'population.size=5,6', '--out', dir, '--resume', '--queue', redis.url);
  assert.equal(other.code, 2);
  assert.match(other.err, /--resume: .* holds campaign .*not this campaign.*\[E_CAMPAIGN\]/);
});

test('a run that fails deterministically is reported once with its error, not retried; the rest complete', async () => {
  const good = expandSweep(LEARN, { vary: ['population.size=11,12'], seed: 41 });
  const broken: Campaign = { ...good, runs: [good.runs[0], { ...good.runs[1], key: 'f'.repeat(40), sets: ['population.size=-3'] }] };
  const backend = await QueueBackend.connect(parseQueueUrl(redis.url));
  const r = await runCampaign(broken, { backend });
  await backend.close();
  assert.ok(r.outcomes[0]?.ok);
  const bad = r.outcomes[1]!;
  assert.ok(!bad.ok && bad.code === 'E_SCENARIO' && /population\.size/.test(bad.message));
  const queue = new Queue(queueName(REGLAB_VERSION), { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  const job = await queue.getJob('f'.repeat(40));
  assert.equal(await job!.getState(), 'completed');
  assert.equal(job!.attemptsStarted, 1);
  await queue.close();
});

test('a worker of another RegLab version: named with both versions, takes none of the runs', async () => {
  const other = await spawnReady(['--import', 'tsx', 'test/campaign/other-version-worker.ts', redis.url], /RegLab 0\.0\.0-other/);
  const r = await reglab('sweep', LEARN, '--vary', 'population.size=13,14', '--seed', '51', '--out', join(tmp, 'ver'), '--queue', redis.url);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`worker \\S+/${other.proc.pid} runs RegLab 0\\.0\\.0-other; this campaign is RegLab ${REGLAB_VERSION.replace(/\./g, '\\.')}`));
  assert.ok(!workersOf(join(tmp, 'ver')).has(String(other.proc.pid)));
  await stopProc(other.proc);
});

test('bad input: unreachable Redis → exit 2 within 5 s naming the URL without its password; bad shard specs → exit 2', async () => {
  const dir = join(tmp, 'bad');
  const t0 = performance.now();
  const r = await reglab('sweep', LEARN, '--vary', 'population.size=5,6', '--out', dir, '--queue', 'redis://user:s3cretPW@127.0.0.1:1');
  assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
  assert.equal(r.code, 2);
  assert.match(r.err, /redis:\/\/user:\*\*\*@127\.0\.0\.1:1: cannot reach Redis .*\[E_QUEUE\]/);
  assert.ok(!(r.out + r.err).includes('s3cretPW'));
  assert.ok(!existsSync(join(dir, 'sweep.csv')));
  const bad = await reglab('sweep', LEARN, '--vary', 'population.size=5,6', '--out', dir, '--queue', 'http://x:pw@h:1');
  assert.equal(bad.code, 2);
  assert.ok(!bad.err.includes('pw@') && /expected a redis:\/\//.test(bad.err));
  const worker = await reglab('worker', '--queue', 'redis://:hunter2@127.0.0.1:1');
  assert.equal(worker.code, 2);
  assert.match(worker.err, /redis:\/\/:\*\*\*@127\.0\.0\.1:1: cannot reach Redis/);
  assert.ok(!worker.err.includes('hunter2'));
  for (const s of ['3/2', '0/0', '2/2', 'a/b', '-1/3']) {
    const x = await reglab('sweep', LEARN, '--vary', 'population.size=5,6', '--out', dir, '--shard', s);
    assert.equal(x.code, 2, s);
    assert.match(x.err, /--shard .*: expected i\/n .*\[E_USAGE\]/, s);
  }
});

test('the dashboard API: GET /api/queue shows a running campaign (done / running / total) and the workers seen', async () => {
  const server = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios'), queue: redis.url });
  const plain = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios') });
  try {
    const get = async (base: string) => (await (await fetch(new URL('/api/queue', base))).json()) as QueueStatusReply;
    assert.deepEqual((await get(plain.url)).enabled, false);
    const c = expandSweep(LEARN, { vary: ['population.size=30000,30001,30002'], seed: 71 });
    const backend = await QueueBackend.connect(parseQueueUrl(redis.url));
    const campaign = runCampaign(c, { backend });
    let running: QueueStatusReply | undefined;
    for (let i = 0; i < 200; i++) {
      const s = await get(server.url);
      if (s.enabled && s.campaigns.some((x) => x.id === c.id && x.state === 'running')) {
        running = s;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await campaign;
    await backend.close();
    assert.ok(running?.enabled);
    const mine = running.campaigns.find((x) => x.id === c.id)!;
    assert.equal(mine.total, 3);
    assert.equal(mine.scenario, 'learn/request-response');
    assert.ok(mine.done < 3);
    const pids = running.workers.filter((w) => w.sameVersion).map((w) => w.pid);
    assert.ok(pids.includes(w1.proc.pid!) && pids.includes(w2.proc.pid!), JSON.stringify(running.workers));
    const after = await get(server.url);
    assert.ok(after.enabled);
    const done = after.campaigns.find((x) => x.id === c.id)!;
    assert.deepEqual([done.state, done.done, done.failed, done.total], ['finished', 3, 0, 3]);
  } finally {
    await server.close();
    await plain.close();
  }
  await assert.rejects(startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios'), queue: 'redis://:pw123@127.0.0.1:1' }), (e: Error & { code?: string }) => e.code === 'E_QUEUE' && !e.message.includes('pw123') && e.message.includes(':***@127.0.0.1:1'));
});

test('Ctrl-C on a worker finishes its current run; Ctrl-C twice returns it to the queue at once', async () => {
  const queue = new Queue(queueName(REGLAB_VERSION), { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
  const untilActive = async () => {
    for (let i = 0; i < 600 && (await queue.getActiveCount()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
  };
  const exitOf = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code))));
  await stopProc(w2.proc); // idle: SIGTERM stops it at once
  // Once: the run in progress is finished and delivered, then the worker exits 0.
  const a = expandSweep(LEARN, { vary: ['population.size=80000'], seed: 81 });
  let backend = await QueueBackend.connect(parseQueueUrl(redis.url));
  const ra = runCampaign(a, { backend });
  await untilActive();
  w1.proc.kill('SIGINT');
  const [outA, codeA] = await Promise.all([ra, exitOf(w1.proc)]);
  await backend.close();
  assert.equal(codeA, 0);
  assert.ok(outA.outcomes[0]?.ok && outA.outcomes[0].worker!.endsWith(`/${w1.proc.pid}`));
  assert.match(w1.log(), /stopping: finishing the current runs/);
  // Twice: the run goes back to waiting now, not when its 60 s lock would expire.
  const slow = await spawnReady(['bin/reglab.mjs', 'worker', '--queue', redis.url, '--lock-duration', '60000'], /worker \S+: RegLab/);
  const b = expandSweep(LEARN, { vary: ['population.size=80000'], seed: 82 });
  backend = await QueueBackend.connect(parseQueueUrl(redis.url));
  const rb = runCampaign(b, { backend });
  await untilActive();
  slow.proc.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  slow.proc.kill('SIGINT');
  assert.equal(await exitOf(slow.proc), 0);
  assert.match(slow.log(), /returning the current runs to the queue/);
  assert.equal(await (await queue.getJob(b.runs[0].key))!.getState(), 'waiting');
  w2 = await startWorker();
  const outB = await rb;
  await backend.close();
  assert.ok(outB.outcomes[0]?.ok && outB.outcomes[0].worker!.endsWith(`/${w2.proc.pid}`));
  await queue.close();
});
