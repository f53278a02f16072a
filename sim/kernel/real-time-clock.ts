import { EventQueue } from './event-queue.ts';
import { Timer, fireTimer, cancelTimer, checkDelay, type Clock } from './clock.ts';
import type { Ns } from './time.ts';

/**
 * The Clock on the wall: the emulation lab's binding (DESIGN principle 1). Same total order as the
 * simulator, because it is the same event queue; only the driver differs: one host timer armed
 * for the earliest event, and every due event run in (time, sequence) order when it fires.
 *
 * This file and the kernel's tests are the only places in sim/ that touch the host's timers.
 */
export class RealTimeClock implements Clock {
  private readonly queue = new EventQueue(256);
  private readonly origin = process.hrtime.bigint();
  private wake: ReturnType<typeof setTimeout> | undefined;
  private wakeAt = Infinity;
  private running = false;
  private closed = false;

  now(): Ns {
    return Number(process.hrtime.bigint() - this.origin);
  }

  schedule(delay: Ns, fn: (arg: any) => void, arg?: unknown): Timer {
    checkDelay(delay);
    const t = new Timer(this.now() + delay, fn, arg);
    this.queue.push(t.at, fireTimer, t);
    if (!this.running) this.arm();
    return t;
  }

  cancel(timer: Timer): void {
    cancelTimer(timer);
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Stops the driver; pending events never fire. */
  close(): void {
    this.closed = true;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    this.queue.clear();
  }

  private arm(): void {
    if (this.closed) return;
    const next = this.queue.peekTime();
    if (next === Infinity) return;
    if (this.wake && next >= this.wakeAt) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAt = next;
    const ms = Math.max(0, (next - this.now()) / 1e6);
    this.wake = setTimeout(() => this.drain(), Math.ceil(ms));
  }

  private drain(): void {
    this.wake = undefined;
    this.wakeAt = Infinity;
    const q = this.queue;
    this.running = true;
    try {
      // Host timers may fire a little early; run only what is due, in queue order.
      while (q.size > 0 && q.peekTime() <= this.now()) {
        q.pop();
        q.fn!(q.arg);
        if (this.closed) return;
      }
    } finally {
      this.running = false;
      this.arm();
    }
  }
}

/** Milliseconds of wall time from an arbitrary origin: for measuring runs, never for model time. */
export function wallClockMs(): number {
  return performance.now();
}

/** Lets the host's event loop run (sockets, progress output) between chunks of a simulation. */
export function yieldToHost(): Promise<void> {
  return new Promise((res) => setImmediate(res));
}
