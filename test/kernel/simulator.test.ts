import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../../sim/kernel/simulator.ts';
import { MS, SECOND } from '../../sim/kernel/time.ts';

/** Schedules a recorder at each time; returns the list the callbacks append (time) to. */
function scheduleAt(sim: Simulator, times: number[]): number[] {
  const fired: number[] = [];
  for (const t of times) sim.schedule(t - sim.now(), () => fired.push(sim.now()));
  return fired;
}

test("run(until) returns 'until' at until when the next event is later, and goes on from there", () => {
  const sim = new Simulator();
  const fired = scheduleAt(sim, [1 * MS, 5 * MS, 20 * MS]);
  assert.equal(sim.run(10 * MS), 'until');
  assert.equal(sim.now(), 10 * MS);
  assert.deepEqual(fired, [1 * MS, 5 * MS]);
  assert.equal(sim.nextTime(), 20 * MS);
  // A delay now counts from `until`, not from the last event.
  sim.schedule(1 * MS, () => fired.push(sim.now()));
  assert.equal(sim.run(), 'idle');
  assert.deepEqual(fired, [1 * MS, 5 * MS, 11 * MS, 20 * MS]);
});

test('run(until) processes an event due exactly at until', () => {
  const sim = new Simulator();
  const fired = scheduleAt(sim, [10 * MS, 10 * MS + 1]);
  assert.equal(sim.run(10 * MS), 'until');
  assert.deepEqual(fired, [10 * MS]);
  assert.equal(sim.now(), 10 * MS);
});

test(
  'run(until) with until earlier than now() never moves time backwards',
  () => {
    const sim = new Simulator();
    const fired = scheduleAt(sim, [10 * MS, 30 * MS]);
    assert.equal(sim.run(20 * MS), 'until');
    assert.equal(sim.now(), 20 * MS);
    // Either refusing (RangeError, as post() in the past) or doing nothing is acceptable; going back is not.
    try {
      sim.run(5 * MS);
    } catch (e) {
      assert.ok(e instanceof RangeError, String(e));
    }
    assert.equal(sim.now(), 20 * MS);
    sim.schedule(0, () => fired.push(sim.now()));
    sim.run();
    assert.deepEqual(fired, [10 * MS, 20 * MS, 30 * MS]);
  },
);

test("run() returns 'idle' when no event is left, leaving now() at the last event", () => {
  const sim = new Simulator();
  assert.equal(sim.run(), 'idle');
  assert.equal(sim.now(), 0);
  scheduleAt(sim, [3 * MS, 7 * MS]);
  assert.equal(sim.run(SECOND), 'idle');
  assert.equal(sim.now(), 7 * MS);
  assert.equal(sim.pending, 0);
  assert.equal(sim.nextTime(), Infinity);
});

test("run(_, maxEvents) returns 'budget' after that many events, and a later run resumes in order", () => {
  const sim = new Simulator();
  const times = [1, 2, 3, 4, 5, 6, 7].map((t) => t * MS);
  const fired = scheduleAt(sim, times);
  assert.equal(sim.run(Infinity, 3), 'budget');
  assert.deepEqual(fired, times.slice(0, 3));
  assert.equal(sim.now(), 3 * MS);
  assert.equal(sim.run(Infinity, 0), 'budget');
  assert.equal(fired.length, 3);
  assert.equal(sim.run(Infinity, 3), 'budget');
  assert.deepEqual(fired, times.slice(0, 6));
  assert.equal(sim.run(), 'idle');
  assert.deepEqual(fired, times);
});

test('the event budget counts events processed, not cancelled timers skipped', () => {
  const sim = new Simulator();
  const fired: string[] = [];
  const dead = [sim.schedule(1 * MS, () => fired.push('x')), sim.schedule(2 * MS, () => fired.push('y'))];
  sim.schedule(3 * MS, () => fired.push('a'));
  sim.schedule(4 * MS, () => fired.push('b'));
  for (const t of dead) sim.cancel(t);
  assert.equal(sim.run(Infinity, 1), 'budget');
  assert.deepEqual(fired, ['a']);
  assert.equal(sim.now(), 3 * MS);
  // The last event: nothing is left after it, so the run is idle rather than out of budget.
  assert.equal(sim.run(Infinity, 1), 'idle');
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(sim.events, 2);
});

test('postIn(delay) is post(now + delay): same time, same place in the scheduling order', () => {
  const sim = new Simulator();
  const order: string[] = [];
  sim.post(10 * MS, () => {
    sim.post(15 * MS, () => order.push('post@15'));
    sim.postIn(5 * MS, () => order.push('postIn+5'));
    sim.post(15 * MS, () => order.push('post@15 again'));
    sim.postIn(0, () => order.push('postIn+0 at ' + sim.now()));
  });
  sim.run();
  assert.deepEqual(order, ['postIn+0 at ' + 10 * MS, 'post@15', 'postIn+5', 'post@15 again']);
  assert.equal(sim.now(), 15 * MS);
  assert.throws(() => sim.postIn(-1, () => {}), /in the past/);
  assert.throws(() => sim.postIn(NaN, () => {}), /in the past/);
});

test("stop() from a callback makes run() return 'stopped' after that event; the next run goes on", () => {
  const sim = new Simulator();
  const fired: string[] = [];
  sim.schedule(1 * MS, () => fired.push('a'));
  sim.schedule(2 * MS, () => {
    fired.push('b');
    sim.stop();
    fired.push('b:after-stop');
  });
  sim.schedule(2 * MS, () => fired.push('c'));
  sim.schedule(3 * MS, () => fired.push('d'));
  assert.equal(sim.run(), 'stopped');
  assert.deepEqual(fired, ['a', 'b', 'b:after-stop']);
  assert.equal(sim.now(), 2 * MS);
  assert.equal(sim.run(), 'idle');
  assert.deepEqual(fired, ['a', 'b', 'b:after-stop', 'c', 'd']);
});

test('post() in the past throws RangeError; at now is fine', () => {
  const sim = new Simulator();
  sim.schedule(5 * MS, () => {});
  sim.run();
  assert.throws(() => sim.post(5 * MS - 1, () => {}), RangeError);
  assert.throws(() => sim.post(NaN, () => {}), RangeError);
  let got: unknown;
  sim.post(5 * MS, (arg) => (got = arg), 'x');
  sim.run();
  assert.equal(got, 'x');
  assert.equal(sim.now(), 5 * MS);
});

test('post() events interleave with timers in (time, scheduling order)', () => {
  const sim = new Simulator();
  const fired: string[] = [];
  sim.post(2 * MS, (s: string) => fired.push(s), 'p2');
  sim.schedule(1 * MS, () => fired.push('t1'));
  sim.schedule(2 * MS, () => fired.push('t2'));
  sim.post(1 * MS, (s: string) => fired.push(s), 'p1');
  sim.run();
  assert.deepEqual(fired, ['t1', 'p1', 'p2', 't2']);
});

test('events counts processed events, across run() calls', () => {
  const sim = new Simulator();
  scheduleAt(sim, [1, 2, 3, 4, 5]);
  sim.post(3, () => {});
  assert.equal(sim.events, 0);
  assert.equal(sim.pending, 6);
  sim.run(2);
  assert.equal(sim.events, 2);
  sim.run(Infinity, 2);
  assert.equal(sim.events, 4);
  sim.run();
  assert.equal(sim.events, 6);
  assert.equal(sim.pending, 0);
});

test('cancelled timers are discarded unseen: not counted in events or pending, not run', () => {
  const sim = new Simulator();
  sim.schedule(1, () => {});
  const t = sim.schedule(2, () => assert.fail('cancelled timer fired'));
  sim.post(3, () => {});
  assert.equal(sim.pending, 3);
  sim.cancel(t);
  sim.cancel(t); // a second cancel must not be counted twice
  assert.equal(sim.pending, 2);
  assert.equal(sim.run(2), 'until');
  assert.equal(sim.events, 1);
  assert.equal(sim.pending, 1);
  assert.equal(sim.run(), 'idle');
  assert.equal(sim.events, 2);
  assert.equal(sim.pending, 0);
});

test('a cancelled timer does not stretch a run: idle leaves now() at the last real event', () => {
  const sim = new Simulator();
  sim.schedule(5 * MS, () => {});
  sim.cancel(sim.schedule(50 * MS, () => {}));
  assert.equal(sim.run(), 'idle');
  assert.equal(sim.now(), 5 * MS);
});

test(
  'a cancelled timer does not stretch a run(until) either: only cancelled timers left means idle',
  () => {
    const sim = new Simulator();
    sim.schedule(5 * MS, () => {});
    sim.cancel(sim.schedule(50 * MS, () => {}));
    // Same outcome as if the cancelled timer had never been scheduled.
    assert.equal(sim.run(20 * MS), 'idle');
    assert.equal(sim.now(), 5 * MS);
  },
);

// ---- random streams ----------------------------------------------------------------------------

function draw(sim: Simulator, name: string, n = 8): number[] {
  const s = sim.stream(name);
  return Array.from({ length: n }, () => s.nextUint32());
}

test('stream(name) returns the same object for the same name', () => {
  const sim = new Simulator(3);
  assert.equal(sim.stream('a'), sim.stream('a'));
  assert.notEqual(sim.stream('a'), sim.stream('b'));
});

test('same (seed, name) gives the same sequence in another simulator', () => {
  assert.deepEqual(draw(new Simulator(7), 'net'), draw(new Simulator(7), 'net'));
});

test('a different name or a different seed gives a different sequence', () => {
  const base = draw(new Simulator(7), 'net');
  assert.notDeepEqual(draw(new Simulator(7), 'net2'), base);
  assert.notDeepEqual(draw(new Simulator(8), 'net'), base);
  // Seeds beyond 32 bits still count (the high word is part of the derivation).
  assert.notDeepEqual(draw(new Simulator(7 + 2 ** 32), 'net'), base);
});

test("creating and drawing from other streams does not change a stream's numbers", () => {
  const alone = draw(new Simulator(11), 'node/hss/loss', 20);

  const sim = new Simulator(11);
  draw(sim, 'node/icscf/loss', 100);
  const s = sim.stream('node/hss/loss');
  const first = Array.from({ length: 10 }, () => s.nextUint32());
  draw(sim, 'net', 1000);
  draw(sim, 'node/zzz', 3);
  const rest = Array.from({ length: 10 }, () => s.nextUint32());
  assert.deepEqual([...first, ...rest], alone);
});
