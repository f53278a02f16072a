import { RealTimeClock } from '../kernel/real-time-clock.ts';
import type { Timer } from '../kernel/clock.ts';
import type { Simulator } from '../kernel/simulator.ts';
import type { EventFn } from '../kernel/event-queue.ts';
import type { Ns } from '../kernel/time.ts';

/** What to do when an event runs later than its due time (issue 12 item 3). */
export type LatenessMode = { kind: 'best-effort' } | { kind: 'hard-limit'; limitNs: Ns };

/** Parses `best-effort` | `hard-limit=<ms>`; throws a message naming the fix. */
export function parseLatenessMode(s: string): LatenessMode {
  if (s === 'best-effort') return { kind: 'best-effort' };
  const m = /^hard-limit=(\d+(?:\.\d+)?)$/.exec(s);
  if (m && Number(m[1]) > 0) return { kind: 'hard-limit', limitNs: Math.round(Number(m[1]) * 1e6) };
  throw new Error(`--lateness '${s}': use 'best-effort' or 'hard-limit=<ms>' (e.g. hard-limit=20)`);
}

/** Lateness figures of a run (ms), as summary.json reports them. */
export interface LatenessSummary {
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  mode: string;
  timeScale: number;
}

/**
 * Lateness samples in a log-linear histogram (1 µs resolution below 1 ms, then 64 buckets per
 * octave): constant memory however long the emulation runs.
 */
class LatenessHistogram {
  private readonly fine = new Float64Array(1000); // 0…999 µs
  private readonly coarse = new Float64Array(64 * 40);
  count = 0;
  max = 0;
  add(ns: Ns): void {
    this.count++;
    if (ns > this.max) this.max = ns;
    const us = Math.floor(ns / 1000);
    if (us < 1000) this.fine[us]++;
    else {
      const oct = Math.floor(Math.log2(us / 1000));
      const frac = Math.floor(64 * (us / (1000 * 2 ** oct) - 1));
      this.coarse[Math.min(this.coarse.length - 1, oct * 64 + frac)]++;
    }
  }
  /** Upper edge of the bucket holding quantile q, in ns (never above the max seen). */
  quantile(q: number): Ns {
    if (this.count === 0) return 0;
    const want = Math.ceil(q * this.count);
    let acc = 0;
    for (let i = 0; i < this.fine.length; i++) {
      acc += this.fine[i];
      if (acc >= want) return Math.min(this.max, (i + 1) * 1000);
    }
    for (let i = 0; i < this.coarse.length; i++) {
      acc += this.coarse[i];
      if (acc >= want) {
        const oct = Math.floor(i / 64);
        return Math.min(this.max, 1000 * 1000 * 2 ** oct * (1 + ((i % 64) + 1) / 64));
      }
    }
    return this.max;
  }
}

/** Thrown (through the driver's onError) when hard-limit mode sees an event run too late. */
export class LatenessExceeded extends Error {
  readonly code = 'E_EMULATE_LATE';
  constructor(lateNs: Ns, limitNs: Ns, at: Ns) {
    super(
      `an event due at ${(at / 1e6).toFixed(3)} ms ran ${(lateNs / 1e6).toFixed(3)} ms late, over the hard limit of ${(limitNs / 1e6).toFixed(3)} ms ` +
        `— lower the load, raise the limit, slow the run down with --time-scale, or use --lateness best-effort`,
    );
  }
}

/**
 * Drives a Simulator in wall-clock time (ns-3's RealtimeSimulatorImpl, SimPy's rt.py): the same
 * event queue and the same (time, sequence) order as in simulation; only the stepping differs.
 * Each event runs once the monotonic clock reaches its due time (absolute deadlines, never chained
 * timers); the one host timer comes from the kernel's RealTimeClock, armed for the next due event.
 * Socket arrivals enter through inject(): an event at the current time.
 *
 * Virtual time = wall time since start ÷ timeScale (2 = twice slower than real time).
 */
export class RealTimeDriver {
  private readonly host = new RealTimeClock();
  private origin = 0;
  private wake: Timer | undefined;
  private wakeAt = Infinity;
  private draining = false;
  private stopped = false;
  private readonly hist = new LatenessHistogram();
  /** Called once when the run must end on an error (hard-limit exceeded, an exception in a handler). */
  onError: (e: Error) => void = () => {};

  constructor(
    readonly sim: Simulator,
    readonly timeScale = 1,
    readonly mode: LatenessMode = { kind: 'best-effort' },
  ) {
    if (!(timeScale > 0)) throw new RangeError(`--time-scale ${timeScale}: must be > 0 (2 runs twice slower than real time)`);
  }

  /** Virtual time now, by the wall clock. */
  wallNow(): Ns {
    return Math.floor((this.host.now() - this.origin) / this.timeScale);
  }

  start(): void {
    this.origin = this.host.now();
    this.drain();
  }

  /** Runs fn(arg) as an event at the current wall-clock time (a socket arrival). */
  inject(fn: EventFn, arg?: unknown): void {
    if (this.stopped) return;
    const t = Math.max(this.wallNow(), this.sim.now());
    this.sim.post(t, fn, arg);
    if (!this.draining) this.drain();
  }

  stop(): void {
    this.stopped = true;
    if (this.wake) this.host.cancel(this.wake);
    this.host.close();
  }

  lateness(): LatenessSummary {
    const h = this.hist;
    return {
      events: h.count,
      p50Ms: round3(h.quantile(0.5) / 1e6),
      p99Ms: round3(h.quantile(0.99) / 1e6),
      maxMs: round3(h.max / 1e6),
      mode: this.mode.kind === 'best-effort' ? 'best-effort' : `hard-limit=${this.mode.limitNs / 1e6}`,
      timeScale: this.timeScale,
    };
  }

  /** Runs every due event, one at a time so each one's lateness is measured, then re-arms. */
  /** The host timer fired: it is spent. */
  private readonly onWake = (): void => {
    this.wake = undefined;
    this.wakeAt = Infinity;
    this.drain();
  };

  private drain(): void {
    if (this.stopped) return;
    this.draining = true;
    const sim = this.sim;
    try {
      for (;;) {
        const next = sim.nextTime();
        if (next === Infinity) break;
        const now = this.wallNow();
        if (next > now) break;
        const late = now - next;
        this.hist.add(late);
        if (this.mode.kind === 'hard-limit' && late > this.mode.limitNs) throw new LatenessExceeded(late, this.mode.limitNs, next);
        sim.run(next, 1);
        if (this.stopped) return;
      }
    } catch (e) {
      this.stopped = true;
      this.draining = false;
      this.onError(e as Error);
      return;
    }
    this.draining = false;
    this.arm();
  }

  private arm(): void {
    const next = this.sim.nextTime();
    if (next === Infinity || this.stopped) return;
    if (this.wake !== undefined && this.wakeAt <= next) return;
    if (this.wake !== undefined) this.host.cancel(this.wake);
    this.wakeAt = next;
    // Host delay in wall ns from the absolute deadline: a late wake-up is never carried into the next one.
    const delay = Math.max(0, Math.ceil((next - this.wallNow()) * this.timeScale));
    this.wake = this.host.schedule(delay, this.onWake);
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
