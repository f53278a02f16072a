/**
 * The threads dashboard runs execute on. Each run gets a worker thread with its own heap limit
 * (`resourceLimits`): a scenario that asks for more memory than estimated, or loops, takes down its
 * thread and nothing else — /api/health and every other client keep being answered. A finished
 * run's thread is kept (unref'd) for the next run, so the common case pays no start-up cost;
 * a cancelled or failed one is terminated.
 */
import { Worker } from 'node:worker_threads';
import { totalmem } from 'node:os';
import type { WorkerEvent, WorkerJob } from './run-protocol.ts';

export interface RunLimits {
  /** Old-generation heap of one run's thread, in MB. */
  heapMb: number;
  /** Runs at the same time, over all sockets; more are refused with E_LIMIT. */
  maxRuns: number;
}

/** What a run's thread reports, plus the thread's own end: out of memory, or died. */
export type RunOutcome = WorkerEvent | { type: 'failed'; code: 'E_LIMIT'; message: string };

export interface RunHandle {
  /** Stops the run now (terminates its thread); no event follows. */
  cancel(): void;
}

/** Two runs at once, each with a fair share of half the machine's memory (at least 256 MB, at most 16 GB). */
export function defaultRunLimits(): RunLimits {
  const maxRuns = 2;
  const heapMb = Math.max(256, Math.min(16_384, Math.floor((totalmem() * 0.5) / maxRuns / 2 ** 20)));
  return { heapMb, maxRuns };
}

const ENTRY = new URL('./run-worker.mjs', import.meta.url);
const KEEP_IDLE = 1;

export class RunWorkers {
  private idle: Worker[] = [];
  private running = new Set<Worker>();

  constructor(
    readonly limits: RunLimits,
    /** The worker entry; tests substitute a runaway one. */
    private readonly entry: URL = ENTRY,
  ) {}

  get active(): number {
    return this.running.size;
  }

  /** Starts a run, or returns a refusal message when maxRuns are already running. */
  start(job: WorkerJob, onEvent: (ev: RunOutcome) => void): RunHandle | string {
    if (this.running.size >= this.limits.maxRuns) {
      return `the server already runs ${this.running.size} scenario(s), the most it allows at once (reglab serve --max-runs) — cancel one or wait for it to finish`;
    }
    const w = this.idle.pop() ?? new Worker(this.entry, { resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb } });
    w.ref();
    this.running.add(w);
    let over = false;
    const end = (keep: boolean) => {
      if (over) return;
      over = true;
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      this.running.delete(w);
      if (keep && this.idle.length < KEEP_IDLE) {
        w.unref();
        this.idle.push(w);
      } else void w.terminate();
    };
    const onMessage = (ev: WorkerEvent) => {
      if (over) return;
      const last = ev.type === 'finished' || ev.type === 'failed';
      if (last) end(true);
      onEvent(ev);
    };
    const onError = (err: Error & { code?: string }) => {
      if (over) return;
      end(false);
      onEvent(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? {
              type: 'failed',
              code: 'E_LIMIT',
              message: `the run needed more than the ${this.limits.heapMb} MB of memory the server gives one run — lower population.size, observe.watch or observe.trace, or start the server with a larger --run-heap-mb`,
            }
          : { type: 'failed', code: 'E_RUN', message: err.message, stack: err.stack },
      );
    };
    const onExit = (code: number) => {
      if (over) return;
      end(false);
      onEvent({ type: 'failed', code: 'E_RUN', message: `the run's thread exited with code ${code}` });
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage(job);
    return { cancel: () => end(false) };
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.running];
    this.idle = [];
    this.running.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}
