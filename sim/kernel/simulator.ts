import { EventQueue, type EventFn } from './event-queue.ts';
import { Timer, TimerState, fireTimer, cancelTimer, checkDelay, type Clock } from './clock.ts';
import { RandomStream } from './random.ts';
import type { Ns } from './time.ts';
import { setFlagsFromString } from 'node:v8';

// Why: the hot paths of a million-subscriber run are many small functions (each SIP header's writer
// and length function side by side, the node ports, the transaction layer) that TurboFan must inline
// into a few large ones; its default budget (920 bytecode bytes inlined per function) stops short of
// that since the splits of issue 12. 3000 restored it (one REGISTER transaction pair through two IMS
// SIP stacks 483 → 351 ns CPU, bench/ics-storm.ts --stack); issue 13's per-message content digest
// (recorder → ImsSip/CxMessage.digest(), inlined into the delivery path) then took part of that
// budget. Whole-process CPU of the 1 M ICS storm, alternated runs (BENCHMARKS.md, issue 12): budget
// 4500 is ~5 % below 3000, 6000 above 4500 again (bigger compiles), none (920) ~12 % above 3000. A
// compiler setting, set before any simulation code is hot; it changes no result.
setFlagsFromString('--max-inlined-bytecode-size-cumulative=4500');

/** Why a call to `run` returned. */
export type RunOutcome =
  | 'idle' /** no event left */
  | 'until' /** the next event lies beyond the requested time; now() == until */
  | 'stopped' /** stop() was called */
  | 'budget'; /** maxEvents processed; call run again to go on */

/**
 * The discrete-event kernel on virtual time: a total event order (time, then scheduling order),
 * integer nanoseconds, and one random stream per named component. Everything else in RegLab is
 * built on this public API (the SimPy habit: small sealed kernel).
 */
export class Simulator implements Clock {
  private readonly queue = new EventQueue(4096);
  /** [now, previous event's time]: a typed array, so advancing time never boxes a double. */
  private readonly clockNs = new Float64Array(2);
  private stopRequested = false;
  private readonly streams = new Map<string, RandomStream>();
  /** Cancelled timers still in the queue (cancellation is lazy). */
  private cancelledPending = 0;
  /** Events processed so far; cancelled timers are discarded unseen and not counted. */
  events = 0;

  constructor(readonly seed = 1) {}

  now(): Ns {
    return this.clockNs[0];
  }

  /** Time of the event processed before the current one (an observer's tick uses it to find where activity ended). */
  previousTime(): Ns {
    return this.clockNs[1];
  }

  /** Pending events, not counting cancelled timers. */
  get pending(): number {
    return this.queue.size - this.cancelledPending;
  }

  /** Time of the next event, or Infinity. */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /**
   * Low-level, allocation-free scheduling at an absolute time, for the framework's hot paths
   * (message delivery, service completion). Not cancellable: use schedule() for timers.
   */
  post(at: Ns, fn: EventFn, arg?: unknown): void {
    if (!(at >= this.clockNs[0])) {
      throw new RangeError(`cannot post an event in the past (at=${at}, now=${this.clockNs[0]})`);
    }
    this.queue.push(at, fn, arg);
  }

  /**
   * post() at now + delay. The hot paths pass delays rather than absolute times: a delay below
   * 2^31 ns is a small integer to V8, while an absolute time is a double, boxed on the heap when it
   * crosses a call the compiler did not inline — millions of short-lived objects per run.
   */
  postIn(delay: Ns, fn: EventFn, arg?: unknown): void {
    if (!(delay >= 0)) throw new RangeError(`cannot post an event in the past (delay=${delay})`);
    this.queue.pushAfter(this.clockNs, delay, fn, arg);
  }

  schedule(delay: Ns, fn: (arg: any) => void, arg?: unknown): Timer {
    checkDelay(delay);
    const t = new Timer(this.clockNs[0] + delay, fn, arg);
    this.queue.push(t.at, fireTimer, t);
    return t;
  }

  cancel(timer: Timer): void {
    if (timer.state !== TimerState.Pending) return;
    cancelTimer(timer);
    this.cancelledPending++;
  }

  /** The random stream of a component, created on first use from (seed, name). */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }

  /** Makes the current run() return after the event being processed. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Processes events in order until none is left, the next one lies beyond `until`, stop() is
   * called, or `maxEvents` have been processed in this call.
   */
  run(until: Ns = Infinity, maxEvents = Infinity): RunOutcome {
    const q = this.queue;
    const clock = this.clockNs;
    if (until < clock[0]) throw new RangeError(`run(until=${until}) is earlier than now (${clock[0]}): time never goes back`);
    this.stopRequested = false;
    // Counted up in a small integer: a counter starting at Infinity is a double, and V8 boxed it
    // on every decrement in the on-stack-replaced loop (16 bytes of garbage per event).
    let processed = 0;
    while (q.size > 0) {
      // Only cancelled timers left: the run is idle, whatever their due times.
      if (q.size === this.cancelledPending) {
        q.clear();
        this.cancelledPending = 0;
        break;
      }
      // (Nothing lies beyond an infinite horizon: the peek is skipped, pop() refills on its own.)
      if (until !== Infinity && q.peekTime() > until) {
        clock[0] = until;
        return 'until';
      }
      if (processed >= maxEvents) return 'budget';
      q.pop();
      const fn = q.fn!;
      // A cancelled timer neither advances time nor counts: a run ends at its last real event.
      if (fn === fireTimer && (q.arg as Timer).state === TimerState.Cancelled) {
        this.cancelledPending--;
        continue;
      }
      clock[1] = clock[0];
      clock[0] = q.time;
      this.events++;
      processed++;
      fn(q.arg);
      if (this.stopRequested) return 'stopped';
    }
    // Idle leaves now() at the last event: the run ended there, not at the horizon asked for.
    return 'idle';
  }
}
