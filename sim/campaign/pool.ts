import { Worker } from 'node:worker_threads';
import { REGLAB_VERSION } from '../version.ts';
import type { RunTask } from './execute.ts';
import type { RunOutcome } from './types.ts';

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Resolves when the thread has loaded its modules. */
  ready: Promise<void>;
}

/** The message a pool thread sends once, when loaded. */
export const READY = 'reglab-pool-thread-ready';

interface Waiting {
  task: RunTask;
  resolve: (r: RunOutcome) => void;
  reject: (e: Error) => void;
}

/**
 * A fixed set of worker threads, each running one scenario at a time (a run is single-threaded:
 * 2 cores run two at once). Tasks queue in order. A thread that dies fails only the run it held
 * (as a result, code E_RUN) and is replaced. The caller's thread stays free for I/O (a queue
 * worker's lock renewals, the server's sockets).
 */
export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiting[] = [];
  private closed = false;
  private readonly url = new URL('./pool-worker.mjs', import.meta.url);

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`ThreadPool: size ${size} must be a whole number ≥ 1`);
  }

  /** Runs in the next free thread; rejects with an AbortError if the pool is terminated first. */
  run(task: RunTask): Promise<RunOutcome> {
    if (this.closed) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts every thread now and waits until each has loaded (a second or more under tsx): a queue
   * worker does this before taking jobs, so no job's lock runs while a thread boots.
   */
  async warm(): Promise<void> {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
    await Promise.all(this.slots.map((s) => s.ready));
  }

  get busy(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  /** Stops every thread now: runs in progress and queued reject with an AbortError. */
  async terminate(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(abortError());
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) {
        slot = this.spawn();
        this.slots.push(slot);
      }
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.url);
    const ready = new Promise<void>((res) => {
      const on = (m: unknown) => {
        if (m !== READY) return;
        worker.off('message', on);
        res();
      };
      worker.on('message', on);
      worker.once('exit', () => res());
    });
    return { worker, busy: false, ready };
  }

  private start(slot: Slot, w: Waiting): void {
    slot.busy = true;
    const { worker } = slot;
    const settle = (fn: () => void) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      slot.busy = false;
      fn();
      this.pump();
    };
    const onMessage = (r: RunOutcome | typeof READY) => {
      if (r !== READY) settle(() => w.resolve(r));
    };
    const died = (why: string) => {
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      if (this.closed) return settle(() => w.reject(abortError()));
      settle(() =>
        w.resolve({ key: w.task.run.key, label: w.task.run.label, ok: false, reglabVersion: REGLAB_VERSION, code: 'E_RUN', message: `the run's worker thread ${why}` }),
      );
    };
    const onError = (err: Error) => {
      void worker.terminate();
      died(`failed: ${err.stack ?? err.message}`);
    };
    const onExit = (code: number) => died(`exited with code ${code}`);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(w.task);
  }
}

function abortError(): Error {
  const e = new Error('campaign cancelled');
  e.name = 'AbortError';
  return e;
}
