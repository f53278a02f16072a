import type { Ns } from './time.ts';

/**
 * What node logic knows of time (DESIGN principle 1). The simulator binds it to virtual time;
 * the emulation lab to the wall clock. Both pass test/kernel/clock-conformance.ts.
 */
export interface Clock {
  /** Current time in integer nanoseconds since the start of the run. */
  now(): Ns;
  /**
   * Calls `fn(arg)` after `delay` ns (>= 0). Events due at the same instant fire in the order they
   * were scheduled.
   */
  schedule<A>(delay: Ns, fn: (arg: A) => void, arg: A): Timer;
  schedule(delay: Ns, fn: () => void): Timer;
  /** Prevents a pending timer from firing; cancelling a fired or cancelled timer does nothing. */
  cancel(timer: Timer): void;
}

/** A timer's states, named as SimPy names its event states. */
export enum TimerState {
  Pending = 0,
  Fired = 1,
  Cancelled = 2,
}

export class Timer {
  state: TimerState = TimerState.Pending;
  constructor(
    /** Absolute due time (ns). */
    readonly at: Ns,
    /** Cleared on cancel: a cancelled timer waits in the queue until due, and must not keep its payload alive. */
    public fn: ((arg: any) => void) | undefined,
    public arg: unknown,
  ) {}
  get pending(): boolean {
    return this.state === TimerState.Pending;
  }
}

/** Fires a timer unless it was cancelled: cancellation is lazy, the heap entry stays until due. */
export function fireTimer(timer: Timer): void {
  if (timer.state !== TimerState.Pending) return;
  timer.state = TimerState.Fired;
  const fn = timer.fn!;
  const arg = timer.arg;
  timer.fn = undefined;
  timer.arg = undefined;
  fn(arg);
}

export function cancelTimer(timer: Timer): void {
  if (timer.state !== TimerState.Pending) return;
  timer.state = TimerState.Cancelled;
  timer.fn = undefined;
  timer.arg = undefined;
}

export function checkDelay(delay: Ns): void {
  // Integer ns only: a fractional delay would put an event off the kernel's time grid.
  if (!(delay >= 0) || !Number.isSafeInteger(delay)) {
    throw new RangeError(`delay must be a whole number of ns >= 0, got ${delay}`);
  }
}
