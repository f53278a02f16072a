import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { hostname } from 'node:os';
import { REGLAB_VERSION } from '../version.ts';
import { encodeOutcome } from './codec.ts';
import { ThreadPool } from './pool.ts';
import { bullConnection, preflight, type QueueUrl } from './redis-url.ts';
import { PREFIX, WORKERS_KEY, queueName, type JobData, type WorkerBeat } from './queue-names.ts';
import { versionMismatch } from './runner.ts';

export interface QueueWorkerOptions {
  url: QueueUrl;
  /** Runs at once, each on its own thread (default 1). */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (BullMQ's lockDuration, default 30 s). A worker
   * killed mid-run has its job retried by another worker about this long after its death.
   */
  lockDurationMs?: number;
  /** The RegLab version this worker claims (a test can play a worker of another version). */
  version?: string;
  log?: (line: string) => void;
}

export interface QueueWorker {
  readonly id: string;
  /** Stops taking jobs and finishes the ones it holds. */
  stop(): Promise<void>;
  /** Stops now: the jobs it holds go back to the queue for another worker. */
  returnJobs(): Promise<void>;
  /** Resolves once stopped. */
  readonly stopped: Promise<void>;
}

const BEAT_MS = 2000;

/**
 * `reglab worker`: takes runs from the queue of its RegLab version until stopped. Each run executes
 * on a worker thread, so this thread stays free to renew the job's lock while it runs.
 */
export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  await preflight(opts.url);
  const version = opts.version ?? REGLAB_VERSION;
  const concurrency = opts.concurrency ?? 1;
  const lockDuration = opts.lockDurationMs ?? 30_000;
  const log = opts.log ?? (() => {});
  const id = `${hostname()}/${process.pid}`;
  const pool = new ThreadPool(concurrency);
  await pool.warm();
  const redis = new Redis(bullConnection(opts.url) as RedisOptions);
  redis.on('error', () => {});
  const beat: WorkerBeat = { id, host: hostname(), pid: process.pid, reglabVersion: version, concurrency, busy: 0, done: 0, startedAt: Date.now(), lastSeen: Date.now() };
  const sendBeat = async () => {
    beat.lastSeen = Date.now();
    await redis.hset(WORKERS_KEY, id, JSON.stringify(beat)).catch(() => {});
  };

  const processor = async (job: Job<JobData>, token?: string, signal?: AbortSignal): Promise<string> => {
    const data = job.data;
    // One queue per version makes this unreachable; kept so a mislabelled job can never pass.
    if (data.reglabVersion !== version) throw new UnrecoverableError(versionMismatch(version, data.reglabVersion, id));
    beat.busy++;
    try {
      const aborted = new Promise<never>((_, rej) => {
        if (signal?.aborted) rej(new WaitingError());
        signal?.addEventListener('abort', () => rej(new WaitingError()), { once: true });
      });
      const o = await Promise.race([pool.run({ bundle: data.bundle, run: data.run }), aborted]);
      beat.done++;
      return encodeOutcome({ ...o, reglabVersion: version });
    } catch (err) {
      if (err instanceof WaitingError || (err as Error).name === 'AbortError') {
        // Ctrl-C twice: the run goes back to the queue now rather than after the lock expires.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw err;
    } finally {
      beat.busy--;
    }
  };

  const worker = new Worker<JobData, string>(queueName(version), processor, {
    connection: bullConnection(opts.url),
    prefix: PREFIX,
    concurrency,
    lockDuration,
    stalledInterval: Math.min(30_000, lockDuration),
    // A run whose worker dies twice in a row (it kills its worker) is failed, not retried forever.
    maxStalledCount: 2,
    removeOnComplete: { count: 1_000_000 },
    removeOnFail: { count: 1_000_000 },
  });
  worker.on('error', (err) => log(`worker: ${err.message}`));
  worker.on('completed', (job) => log(`  done ${job.data.run.label} (${job.id!.slice(0, 12)})`));
  await worker.waitUntilReady();
  await sendBeat();
  const timer = setInterval(() => void sendBeat(), BEAT_MS);
  log(`worker ${id}: RegLab ${version}, ${concurrency} at a time, queue ${opts.url.shown}`);

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  const shutdown = (force: boolean) => {
    // Cancelled processors put their jobs back (moveToWait) and return at once, so close() is quick.
    if (force) worker.cancelAllJobs('returned by Ctrl-C');
    stopping ??= (async () => {
      await worker.close();
      clearInterval(timer);
      await pool.terminate();
      await redis.hdel(WORKERS_KEY, id).catch(() => {});
      redis.disconnect();
      resolveStopped();
    })();
    return stopping;
  };
  return { id, stop: () => shutdown(false), returnJobs: () => shutdown(true), stopped };
}
