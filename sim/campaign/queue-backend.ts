import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { hostname } from 'node:os';
import { decodeOutcome } from './codec.ts';
import { bullConnection, preflight, scrub, type QueueUrl } from './redis-url.ts';
import { CAMPAIGNS_KEY, PREFIX, WORKERS_KEY, WORKER_STALE_MS, queueName, type CampaignStatus, type JobData, type WorkerBeat } from './queue-names.ts';
import type { Backend, BackendHooks } from './backend.ts';
import type { Campaign, RunOutcome, RunSpec } from './types.ts';

/** How often the coordinator publishes its status and looks at the workers. */
const TICK_MS = 2000;
/**
 * Events are the normal path; every pending job's state is looked at (for a missed event, or jobs
 * lost by a Redis restarted without persistence) only after this long without one of our events,
 * and at least every FULL_CHECK_MS. NOTE: a check costs ~2 Redis commands per pending job.
 */
const QUIET_MS = 5000;
const FULL_CHECK_MS = 30_000;
/** Jobs looked at, and added, per batch (concurrent requests share round trips). */
const CHUNK = 200;

export interface QueueBackendOptions {
  /** Progress notes (workers of other versions, waiting for workers). */
  log?: (line: string) => void;
}

/**
 * BullMQ on Redis: each run is a job whose id is the run key, so a run enqueued twice (a resumed
 * or repeated campaign, two coordinators) is one job. Finished jobs are kept: they are the queue's
 * result store. Jobs already finished with an ok result are reused; failed ones are enqueued again
 * once per execution; waiting or active ones are joined. A dead worker's job is retried by
 * BullMQ's stalled-job check once its lock expires.
 */
export class QueueBackend implements Backend {
  readonly name = 'queue';
  private readonly redis: Redis;
  private closed = false;

  private constructor(
    readonly url: QueueUrl,
    private readonly opts: QueueBackendOptions,
  ) {
    this.redis = new Redis(bullConnection(url) as RedisOptions);
    this.redis.on('error', () => {}); // reconnects by itself; a dead Redis shows as no progress
  }

  /** Fails within 5 s, naming the (redacted) URL, when Redis cannot be reached. */
  static async connect(url: QueueUrl, opts: QueueBackendOptions = {}): Promise<QueueBackend> {
    await preflight(url);
    return new QueueBackend(url, opts);
  }

  async execute(campaign: Campaign, runs: readonly RunSpec[], hooks: BackendHooks): Promise<void> {
    if (runs.length === 0) return;
    const name = queueName(campaign.reglabVersion);
    const connection = bullConnection(this.url);
    const queue = new Queue<JobData>(name, { connection, prefix: PREFIX });
    const events = new QueueEvents(name, { connection, prefix: PREFIX });
    queue.on('error', () => {});
    events.on('error', () => {});
    const pending = new Map(runs.map((r) => [r.key, r]));
    const running = new Set<string>();
    const log = this.opts.log ?? (() => {});
    const status: CampaignStatus = {
      id: campaign.id,
      kind: campaign.def.kind,
      scenario: campaign.bundle.name,
      reglabVersion: campaign.reglabVersion,
      state: 'running',
      total: campaign.runs.length,
      done: campaign.runs.length - runs.length,
      running: 0,
      failed: 0,
      reused: campaign.runs.length - runs.length,
      startedAt: Date.now(),
      updatedAt: Date.now(),
    };
    let finish!: () => void;
    let fail!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => ((finish = res), (fail = rej)));
    let lastEvent = Date.now();
    const deliver = (key: string, o: RunOutcome) => {
      if (!pending.delete(key)) return;
      lastEvent = Date.now();
      running.delete(key);
      status.done++;
      if (!o.ok) status.failed++;
      hooks.onRunning?.(running.size);
      hooks.onOutcome(o);
      if (pending.size === 0) finish();
    };
    const failedRun = (key: string, reason: string): RunOutcome => ({
      key,
      label: pending.get(key)?.label ?? key,
      ok: false,
      reglabVersion: campaign.reglabVersion,
      code: 'E_WORKER',
      message: `the queue gave up on the run: ${reason}`,
    });
    events.on('active', ({ jobId }) => {
      if (pending.has(jobId)) (running.add(jobId), (lastEvent = Date.now()), hooks.onRunning?.(running.size));
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      if (pending.has(jobId)) deliver(jobId, decodeOutcome(String(returnvalue)));
    });
    events.on('failed', ({ jobId, failedReason }) => {
      if (pending.has(jobId)) deliver(jobId, failedRun(jobId, failedReason));
    });
    events.on('stalled', ({ jobId }) => {
      if (pending.has(jobId)) running.delete(jobId);
    });
    const onAbort = () => fail(abortError());
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    const warned = new Set<string>();
    let lastWorkerSeen = Date.now();
    let waitingNoted = false;
    const watchWorkers = async () => {
      const beats = Object.values(await this.redis.hgetall(WORKERS_KEY)).map((s) => JSON.parse(s) as WorkerBeat);
      const now = Date.now();
      for (const b of beats) {
        if (now - b.lastSeen > WORKER_STALE_MS) continue;
        if (b.reglabVersion === campaign.reglabVersion) lastWorkerSeen = now;
        else if (!warned.has(b.id)) {
          warned.add(b.id);
          log(`note: worker ${b.id} runs RegLab ${b.reglabVersion}; this campaign is RegLab ${campaign.reglabVersion} — its results would be refused, so it takes none of these runs`);
        }
      }
      if (now - lastWorkerSeen > 2 * TICK_MS && !waitingNoted) {
        waitingNoted = true;
        log(`waiting for workers: none of RegLab ${campaign.reglabVersion} is running — start \`reglab worker --queue ${this.url.shown}\``);
      }
    };
    // Looks at each pending job: finished ones are delivered, vanished ones enqueued again.
    const reconcile = async (first: boolean) => {
      const toAdd: RunSpec[] = [];
      const check = async (run: RunSpec) => {
        const job = (await queue.getJob(run.key)) as Job<JobData> | undefined;
        const state = job ? await job.getState() : 'unknown';
        if (state === 'completed') {
          const o = decodeOutcome(String(job!.returnvalue));
          // A finished job is a stored result: reused when ok, redone when it failed or is forced.
          if (!first || (o.ok && !hooks.fresh)) deliver(run.key, o);
          else (await removeJob(job!), toAdd.push(run));
        } else if (state === 'failed') {
          if (!first) deliver(run.key, failedRun(run.key, job!.failedReason));
          else (await removeJob(job!), toAdd.push(run));
        } else if (state === 'unknown') toAdd.push(run);
        else if (state === 'active') running.add(run.key);
      };
      const all = [...pending.values()];
      for (let i = 0; i < all.length; i += CHUNK) await Promise.all(all.slice(i, i + CHUNK).map(check));
      for (let i = 0; i < toAdd.length; i += CHUNK) {
        await queue.addBulk(
          toAdd.slice(i, i + CHUNK).map((run) => ({
            name: 'run',
            data: { reglabVersion: campaign.reglabVersion, campaign: campaign.id, bundle: campaign.bundle, run },
            opts: { jobId: run.key, attempts: 1, removeOnComplete: false, removeOnFail: false },
          })),
        );
      }
      lastCheck = Date.now();
      hooks.onRunning?.(running.size);
    };
    const publish = async () => {
      status.running = running.size;
      status.updatedAt = Date.now();
      await this.redis.hset(CAMPAIGNS_KEY, campaign.id, JSON.stringify(status));
    };
    let timer: NodeJS.Timeout | undefined;
    let ticking = false;
    let lastCheck = Date.now();
    const tick = async () => {
      if (ticking || this.closed) return;
      ticking = true;
      try {
        const now = Date.now();
        if (now - Math.max(lastEvent, lastCheck) > QUIET_MS || now - lastCheck > FULL_CHECK_MS) await reconcile(false);
        await watchWorkers();
        await publish();
      } catch {
        // Redis unreachable for a moment (restarting): the next tick tries again.
      } finally {
        ticking = false;
      }
    };
    try {
      await events.waitUntilReady();
      await reconcile(true);
      await publish();
      await watchWorkers();
      if (pending.size === 0) finish();
      timer = setInterval(() => void tick(), TICK_MS);
      await done;
      status.state = 'finished';
    } catch (err) {
      status.state = 'detached';
      throw err;
    } finally {
      clearInterval(timer);
      hooks.signal?.removeEventListener('abort', onAbort);
      await publish().catch(() => {});
      await events.close().catch(() => {});
      await queue.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.redis.disconnect();
  }

  /** The coordinator's own identity, for messages. */
  static who(): string {
    return `${hostname()}/${process.pid}`;
  }

  scrub(text: string): string {
    return scrub(text, this.url);
  }
}

async function removeJob(job: Job): Promise<void> {
  try {
    await job.remove();
  } catch {
    // Locked by a worker right now: it is being recomputed anyway.
  }
}

function abortError(): Error {
  const e = new Error('campaign detached');
  e.name = 'AbortError';
  return e;
}
