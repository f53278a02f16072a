/**
 * The Clock conformance suite (the ns-3 habit: one suite, run against every implementation).
 * Every Clock — virtual time (Simulator) and wall-clock time (RealTimeClock) — must pass it, so that
 * node logic behaves the same in the simulator and in the emulation lab (DESIGN principle 1).
 *
 * Delays are a few milliseconds: meaningless to virtual time, and large enough against the host's
 * scheduling noise for the real-time clock, while keeping the suite fast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerState, type Clock, type Timer } from '../../sim/kernel/clock.ts';
import { MS } from '../../sim/kernel/time.ts';

export interface ClockHarness {
  clock: Clock;
  /** Resolves when no event is left. */
  run(): Promise<void>;
  /** How late (ns) a callback may see now() compared with its timer's `at`: 0 for virtual time. */
  tolerance: number;
  /** Releases host resources, if any. */
  close?(): void;
}

export function clockConformance(name: string, makeHarness: () => ClockHarness): void {
  async function withHarness(body: (h: ClockHarness) => Promise<void> | void): Promise<void> {
    const h = makeHarness();
    try {
      await body(h);
    } finally {
      h.close?.();
    }
  }

  test(`${name}: events fire in time order, whatever the scheduling order`, () =>
    withHarness(async ({ clock, run }) => {
      const fired: number[] = [];
      // Due times are what the order is about: on a wall clock, the scheduling loop itself may be
      // preempted between calls, so compare with each timer's own `at` (virtual time: exactly d).
      const timers = [4, 1, 3, 0, 2].map((d) => ({ d, t: clock.schedule(d * 10 * MS, () => fired.push(d)) }));
      await run();
      const expected = [...timers].sort((x, y) => x.t.at - y.t.at).map((x) => x.d);
      assert.deepEqual(fired, expected);
      assert.equal(new Set(fired).size, 5);
    }));

  test(`${name}: equal-time events fire in the order they were scheduled`, () =>
    withHarness(async ({ clock, run }) => {
      const fired: string[] = [];
      const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const scheduled: { name: string; t: Timer }[] = [];
      const add = (name: string, delay: number) =>
        scheduled.push({ name, t: clock.schedule(delay, () => fired.push(name)) });
      for (const l of labels) add(`2ms:${l}`, 2 * MS);
      for (const l of labels) add(`0:${l}`, 0);
      await run();
      // Due time first, then scheduling order (Array.prototype.sort is stable). On a wall clock the
      // scheduling loop may be preempted for more than 2 ms (a loaded CI host did), which gives the
      // "0" timers later due times than the "2ms" ones: what must hold is the order of the `at`s.
      const expected = [...scheduled].sort((x, y) => x.t.at - y.t.at).map((x) => x.name);
      assert.deepEqual(fired, expected);
      assert.equal(new Set(fired).size, 16);
    }));

  test(`${name}: schedule(0) inside a callback fires after that callback and after events already due`, () =>
    withHarness(async ({ clock, run }) => {
      const fired: string[] = [];
      let inner: Timer | undefined;
      clock.schedule(1 * MS, () => {
        fired.push('a:begin');
        inner = clock.schedule(0, () => fired.push('inner'));
        fired.push('a:end');
      });
      const b = clock.schedule(1 * MS, () => fired.push('b'));
      await run();
      // Virtual time: b is due with a, so before inner. A wall clock preempted between the two
      // schedule calls may give b a due time after a's callback ran: then inner comes first.
      const bFirst = b.at <= inner!.at;
      assert.deepEqual(fired, ['a:begin', 'a:end', ...(bFirst ? ['b', 'inner'] : ['inner', 'b'])]);
    }));

  test(`${name}: now() in a callback is at or after the timer's due time, within tolerance`, () =>
    withHarness(async ({ clock, run, tolerance }) => {
      const seen: { at: number; now: number }[] = [];
      const start = clock.now();
      for (const d of [0, 1, 2, 3]) {
        const t: Timer = clock.schedule(d * MS, () => seen.push({ at: t.at, now: clock.now() }));
        // The due time is the scheduling time plus the delay.
        assert.ok(t.at >= start + d * MS, `at ${t.at} < start ${start} + ${d} ms`);
      }
      await run();
      assert.equal(seen.length, 4);
      for (const { at, now } of seen) {
        assert.ok(now >= at, `callback ran early: now ${now} < at ${at}`);
        assert.ok(now - at <= tolerance, `callback ran ${now - at} ns late (tolerance ${tolerance})`);
        assert.ok(Number.isInteger(now), `now() is not an integer number of ns: ${now}`);
      }
    }));

  test(`${name}: cancel prevents firing, also from a callback due at the same time`, () =>
    withHarness(async ({ clock, run }) => {
      const fired: string[] = [];
      const x = clock.schedule(1 * MS, () => fired.push('x'));
      clock.schedule(0, () => fired.push('y'));
      clock.cancel(x);
      let z: Timer | undefined = undefined;
      clock.schedule(2 * MS, () => {
        fired.push('w');
        clock.cancel(z!);
      });
      z = clock.schedule(2 * MS, () => fired.push('z'));
      await run();
      assert.deepEqual(fired, ['y', 'w']);
    }));

  test(`${name}: cancelling a fired or cancelled timer is harmless`, () =>
    withHarness(async ({ clock, run }) => {
      let count = 0;
      const t = clock.schedule(0, () => count++);
      await run();
      assert.equal(count, 1);
      clock.cancel(t);
      clock.cancel(t);
      assert.equal(t.state, TimerState.Fired);
      const u = clock.schedule(0, () => count++);
      clock.cancel(u);
      clock.cancel(u);
      assert.equal(u.state, TimerState.Cancelled);
      // The clock keeps working afterwards.
      clock.schedule(1 * MS, () => count++);
      await run();
      assert.equal(count, 2);
    }));

  test(`${name}: timer states go pending → fired, or pending → cancelled`, () =>
    withHarness(async ({ clock, run }) => {
      let stateInside: TimerState | undefined;
      const a: Timer = clock.schedule(1 * MS, () => {
        stateInside = a.state;
      });
      const b = clock.schedule(1 * MS, () => assert.fail('cancelled timer fired'));
      assert.equal(a.state, TimerState.Pending);
      assert.equal(a.pending, true);
      assert.equal(b.state, TimerState.Pending);
      clock.cancel(b);
      assert.equal(b.state, TimerState.Cancelled);
      assert.equal(b.pending, false);
      await run();
      assert.equal(stateInside, TimerState.Fired);
      assert.equal(a.state, TimerState.Fired);
      assert.equal(a.pending, false);
      assert.equal(b.state, TimerState.Cancelled);
    }));

  test(`${name}: a negative, NaN or infinite delay throws RangeError and schedules nothing`, () =>
    withHarness(async ({ clock, run }) => {
      let fired = 0;
      for (const bad of [-1, -MS, NaN, Infinity, -Infinity]) {
        assert.throws(() => clock.schedule(bad, () => fired++), RangeError, `delay ${bad}`);
      }
      await run();
      assert.equal(fired, 0);
    }));

  test(`${name}: the argument reaches the callback unchanged`, () =>
    withHarness(async ({ clock, run }) => {
      const payload = { id: 42 };
      const got: unknown[] = [];
      clock.schedule(0, (arg: { id: number }) => got.push(arg), payload);
      clock.schedule(1 * MS, (arg: number) => got.push(arg), 0);
      clock.schedule(1 * MS, (...args: unknown[]) => got.push(args[0]));
      await run();
      assert.equal(got.length, 3);
      assert.equal(got[0], payload); // the same object, not a copy
      assert.equal(got[1], 0);
      assert.equal(got[2], undefined);
    }));
}
