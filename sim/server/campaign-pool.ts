/**
 * Runs a campaign's jobs on worker threads (sim/server/campaign-worker.ts), with per-run progress,
 * cancellation and a heap limit per worker. The server shares one set of slots among all
 * campaigns, so two browser tabs running sweeps do not put four simulations on two cores.
 *
 * Why not the campaign layer's ThreadPool (sim/campaign/pool.ts), which plans and tabulates these
 * campaigns: its runs return headlines only, with no progress while they run. The dashboard draws
 * each run's time series (load, completion, latency CDF, consequence signals) and a bar per run,
 * so its threads post progress and the series; when the layer's outcomes can carry both, this
 * pool should give way to it.
 */
import { availableParallelism, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerJob, WorkerReply } from './campaign-worker.ts';

/** A counting semaphore, FIFO. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly size: number) {
    this.free = size;
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((res) => this.waiting.push(res));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** One simulation per core, for the whole server. */
export const SERVER_SLOTS = new Slots(Math.max(1, availableParallelism()));

export interface PoolHooks {
  onStart?(index: number): void;
  onProgress(index: number, fraction: number, simulatedNs: number): void;
  onDone(index: number, reply: Extract<WorkerReply, { type: 'done' | 'failed' }>): void;
}

export interface PoolOptions {
  workers?: number;
  /** Old-generation heap per worker, MB; a run above it fails with E_RUN instead of the server. */
  heapMb?: number;
  slots?: Slots;
}

const WORKER_URL = new URL('./campaign-worker.mjs', import.meta.url);

export function defaultHeapMb(workers: number): number {
  return Math.max(512, Math.floor((totalmem() / 2 ** 20) * 0.6 / Math.max(1, workers)));
}

export class CampaignPool {
  private cancelled = false;
  private readonly live = new Set<Worker>();
  private readonly stops = new Set<() => void>();
  readonly workers: number;

  constructor(
    private readonly jobs: readonly WorkerJob[],
    private readonly hooks: PoolHooks,
    private readonly opts: PoolOptions = {},
  ) {
    this.workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), jobs.length));
  }

  /** Resolves when every job is done or failed, or the pool was cancelled. */
  async run(): Promise<void> {
    let next = 0;
    const slots = this.opts.slots ?? SERVER_SLOTS;
    const heapMb = this.opts.heapMb ?? defaultHeapMb(this.workers);
    await Promise.all(
      Array.from({ length: this.workers }, async () => {
        let w: Worker | undefined;
        try {
          while (!this.cancelled && next < this.jobs.length) {
            await slots.acquire();
            try {
              if (this.cancelled || next >= this.jobs.length) break;
              const i = next++;
              w ??= this.spawn(heapMb);
              this.hooks.onStart?.(i);
              const reply = await this.runOne(w, i, heapMb);
              if (this.cancelled) break;
              if (reply.type === 'failed' && reply.code === 'E_WORKER') {
                // The worker died under the job (out of memory, a crash): the next job gets a fresh one.
                this.kill(w);
                w = undefined;
                this.hooks.onDone(i, { type: 'failed', code: 'E_RUN', message: reply.message });
              } else this.hooks.onDone(i, reply);
            } finally {
              slots.release();
            }
          }
        } finally {
          if (w) this.kill(w);
        }
      }),
    );
  }

  /** Stops every worker now; jobs not started never start. */
  cancel(): void {
    this.cancelled = true;
    for (const stop of this.stops) stop();
    for (const w of this.live) this.kill(w);
  }

  private spawn(heapMb: number): Worker {
    const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    this.live.add(w);
    return w;
  }

  private kill(w: Worker): void {
    this.live.delete(w);
    void w.terminate();
  }

  private runOne(w: Worker, i: number, heapMb: number): Promise<Extract<WorkerReply, { type: 'done' | 'failed' }> | { type: 'failed'; code: 'E_WORKER'; message: string }> {
    return new Promise((resolve) => {
      const finish = (r: Extract<WorkerReply, { type: 'done' | 'failed' }> | { type: 'failed'; code: 'E_WORKER'; message: string }) => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        this.stops.delete(stop);
        resolve(r);
      };
      const onMessage = (m: WorkerReply) => {
        if (m.type === 'progress') this.hooks.onProgress(i, m.fraction, m.simulatedNs);
        else finish(m);
      };
      const onError = (e: Error & { code?: string }) =>
        finish({
          type: 'failed',
          code: 'E_WORKER',
          message:
            e.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `the run needed more than the ${heapMb} MB heap a campaign run may use — lower population.size or run it with \`reglab run\``
              : `the run's worker failed: ${e.message}`,
        });
      const onExit = (code: number) => finish({ type: 'failed', code: 'E_WORKER', message: `the run's worker exited (code ${code})` });
      const stop = () => finish({ type: 'failed', code: 'E_WORKER', message: 'cancelled' });
      this.stops.add(stop);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(this.jobs[i]);
    });
  }
}
