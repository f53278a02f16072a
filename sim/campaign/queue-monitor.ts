import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { REGLAB_VERSION } from '../version.ts';
import { bullConnection, parseQueueUrl, preflight, scrub, type QueueUrl } from './redis-url.ts';
import { CAMPAIGNS_KEY, PREFIX, WORKERS_KEY, WORKER_STALE_MS, queueName, type CampaignStatus, type QueueStatus, type WorkerBeat } from './queue-names.ts';

export type { QueueStatus } from './queue-names.ts';

/** Reads a distributed campaign's progress from Redis for the dashboard (read-only). */
export class QueueMonitor {
  private readonly redis: Redis;
  private readonly queue: Queue;

  private constructor(readonly url: QueueUrl) {
    this.redis = new Redis(bullConnection(url) as RedisOptions);
    this.redis.on('error', () => {});
    this.queue = new Queue(queueName(REGLAB_VERSION), { connection: bullConnection(url), prefix: PREFIX, skipMetasUpdate: true });
    this.queue.on('error', () => {});
  }

  /** Fails within 5 s (E_QUEUE, URL without password) when Redis cannot be reached. */
  static async connect(text: string): Promise<QueueMonitor> {
    const url = parseQueueUrl(text);
    await preflight(url);
    return new QueueMonitor(url);
  }

  async status(): Promise<QueueStatus> {
    const base: QueueStatus = {
      queue: this.url.shown,
      reachable: true,
      reglabVersion: REGLAB_VERSION,
      jobs: { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 },
      campaigns: [],
      workers: [],
    };
    try {
      const [counts, campaigns, workers] = await withTimeout(
        Promise.all([
          this.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed'),
          this.redis.hgetall(CAMPAIGNS_KEY),
          this.redis.hgetall(WORKERS_KEY),
        ]),
        2000,
      );
      const now = Date.now();
      base.jobs = { waiting: counts.waiting ?? 0, active: counts.active ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0, delayed: counts.delayed ?? 0 };
      base.campaigns = Object.values(campaigns)
        .map((s) => JSON.parse(s) as CampaignStatus)
        .sort((a, b) => b.updatedAt - a.updatedAt);
      base.workers = Object.values(workers)
        .map((s) => JSON.parse(s) as WorkerBeat)
        .filter((w) => now - w.lastSeen <= WORKER_STALE_MS)
        .map((w) => ({ ...w, sameVersion: w.reglabVersion === REGLAB_VERSION }))
        .sort((a, b) => a.id.localeCompare(b.id));
      return base;
    } catch (err) {
      return { ...base, reachable: false, error: scrub((err as Error).message, this.url) };
    }
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
    this.redis.disconnect();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`Redis did not answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}
