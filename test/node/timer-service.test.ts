// The IMS nodes' TimerService: a Clock like any other (the conformance suite), whose FIFO lanes for
// fixed delays fire in exactly the order a single heap would, and arm the kernel exactly as often.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../../sim/kernel/simulator.ts';
import type { Timer } from '../../sim/kernel/clock.ts';
import { MS, SECOND } from '../../sim/kernel/time.ts';
import { TimerService } from '../../sim/node/timer-service.ts';
import { clockConformance } from '../kernel/clock-conformance.ts';

// The suite's delays are 0–4 ms: with lanes for some of them and the heap for the others.
for (const lanes of [[], [0, 2 * MS], [1 * MS, 2 * MS, 3 * MS, 4 * MS, 0]]) {
  clockConformance(`TimerService (lanes: ${lanes.map((d) => d / MS).join(', ') || 'none'} ms)`, () => {
    const sim = new Simulator(1);
    return { clock: new TimerService(sim, lanes), run: async () => void sim.run(), tolerance: 0 };
  });
}

/** Random schedules (from a few fixed delays and some odd ones), cancels and nested schedules. */
function scenario(lanes: number[], seed: number): { fired: string[]; events: number; pendingSeen: number[] } {
  const sim = new Simulator(seed);
  const svc = new TimerService(sim, lanes);
  const rnd = sim.stream('ops');
  const fired: string[] = [];
  const live: Timer[] = [];
  const delays = [32 * SECOND, 5 * SECOND, 500 * MS, 1 * SECOND, 0];
  let id = 0;
  const fire = (label: string) => {
    fired.push(`${sim.now()}:${label}`);
    // Some callbacks schedule again (as a retransmission timer does), some cancel another timer.
    if (rnd.next() < 0.3) add();
    if (rnd.next() < 0.2 && live.length > 0) svc.cancel(live[Math.floor(rnd.next() * live.length)]);
  };
  const add = () => {
    const d = rnd.next() < 0.8 ? delays[Math.floor(rnd.next() * delays.length)] : Math.floor(rnd.next() * 40) * 100 * MS + 7;
    const label = `t${id++}/${d}`;
    live.push(svc.schedule(d, fire, label));
  };
  return drive(sim, svc, rnd, add, () => svc.cancel(live[Math.floor(rnd.next() * live.length)]), () => live.length > 0, fired);
}

/** A driver that advances time in steps, adding and cancelling between them; runs to the end. */
function drive(
  sim: Simulator,
  svc: TimerService,
  rnd: { next(): number },
  add: () => void,
  cancelOne: () => void,
  any: () => boolean,
  fired: string[],
): { fired: string[]; events: number; pendingSeen: number[] } {
  const pendingSeen: number[] = [];
  for (let step = 0; step < 400; step++) {
    sim.post(step * 137 * MS, () => {
      const n = Math.floor(rnd.next() * 6);
      for (let k = 0; k < n; k++) add();
      for (let k = 0; k < 3 && any(); k++) if (rnd.next() < 0.5) cancelOne();
      pendingSeen.push(svc.pending);
    });
  }
  sim.run();
  assert.equal(svc.pending, 0);
  return { fired, events: sim.events, pendingSeen };
}

test('FIFO lanes fire in the same order, at the same times, with the same kernel events as the heap alone', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const heap = scenario([], seed);
    const lanes = scenario([32 * SECOND, 5 * SECOND, 500 * MS, 1 * SECOND, 0], seed);
    assert.ok(heap.fired.length > 500, `the scenario fires enough timers (${heap.fired.length})`);
    assert.deepEqual(lanes.fired, heap.fired, `seed ${seed}: firing order`);
    assert.deepEqual(lanes.pendingSeen, heap.pendingSeen, `seed ${seed}: pending counts`);
    assert.equal(lanes.events, heap.events, `seed ${seed}: kernel events (arming)`);
  }
});

test('a cancelled lane timer is gone at once; clear() forgets lanes and heap alike', () => {
  const sim = new Simulator(1);
  const svc = new TimerService(sim, [32 * SECOND]);
  const fired: number[] = [];
  const ts = [0, 1, 2, 3, 4].map((i) => svc.schedule(32 * SECOND, (x: number) => fired.push(x), i));
  svc.schedule(7 * SECOND, (x: number) => fired.push(x), 99); // heap
  svc.cancel(ts[0]); // head
  svc.cancel(ts[2]); // middle
  svc.cancel(ts[4]); // tail
  assert.equal(svc.pending, 3);
  sim.run();
  assert.deepEqual(fired, [99, 1, 3]);
  svc.schedule(32 * SECOND, () => fired.push(-1));
  svc.schedule(3 * SECOND, () => fired.push(-2));
  assert.equal(svc.pending, 2);
  svc.clear();
  assert.equal(svc.pending, 0);
  // The node's guarded kernel timer would be void after a crash; here the service must simply not fire.
  const again = svc.schedule(32 * SECOND, () => fired.push(7));
  sim.run();
  assert.deepEqual(fired, [99, 1, 3, 7]);
  svc.cancel(again); // fired: harmless
});

test('disarmWhenEmpty: cancelling the last pending timer cancels the kernel timer, so the run ends at its last real event', () => {
  for (const disarm of [false, true]) {
    const sim = new Simulator(1);
    const svc = new TimerService(sim, [30 * SECOND], { disarmWhenEmpty: disarm });
    const a = svc.schedule(30 * SECOND, () => assert.fail('cancelled'));
    const b = svc.schedule(30 * SECOND, () => assert.fail('cancelled'));
    sim.post(10 * MS, () => svc.cancel(a));
    sim.post(20 * MS, () => svc.cancel(b));
    sim.run();
    assert.equal(svc.pending, 0);
    // Without the option the kernel timer still fires, empty, at 30 s; with it the run ends at 20 ms.
    assert.equal(sim.now(), disarm ? 20 * MS : 30 * SECOND);
    assert.equal(sim.events, disarm ? 2 : 3);
  }
});

test('a timer scheduled from a firing callback does not arm a kernel timer at once: one event fires every due timer', () => {
  const sim = new Simulator(1);
  const svc = new TimerService(sim, [1 * SECOND]);
  const fired: string[] = [];
  // Three timers due at the same instant; the first one's callback schedules a fourth.
  svc.schedule(1 * SECOND, () => {
    fired.push(`a@${sim.now()}`);
    svc.schedule(1 * SECOND, () => fired.push(`d@${sim.now()}`));
  });
  svc.schedule(1 * SECOND, () => fired.push(`b@${sim.now()}`));
  svc.schedule(1 * SECOND, () => fired.push(`c@${sim.now()}`));
  sim.run();
  assert.deepEqual(fired, [`a@${SECOND}`, `b@${SECOND}`, `c@${SECOND}`, `d@${2 * SECOND}`]);
  assert.equal(sim.events, 2, 'one kernel event per distinct due time');
});

/**
 * The scenario above with one delay on a keyed lane: every timer of that delay is a key (its own
 * small integer) instead of a Timer object, cancelled by key. Same firing order, pending counts and
 * kernel events as the Timer objects.
 */
function keyedScenario(seed: number, keyed: boolean): { fired: string[]; events: number; pendingSeen: number[] } {
  const sim = new Simulator(seed);
  const svc = new TimerService(sim, [5 * SECOND]);
  const rnd = sim.stream('ops');
  const fired: string[] = [];
  const live: (() => void)[] = [];
  const KEYED = 32 * SECOND;
  let id = 0;
  // Keys are reused once their deadline fired or was cancelled, as connection slots are.
  const freeKeys: number[] = [];
  let nextKey = 0;
  const fire = (label: string) => {
    fired.push(`${sim.now()}:${label}`);
    if (rnd.next() < 0.3) add();
    if (rnd.next() < 0.2 && live.length > 0) live[Math.floor(rnd.next() * live.length)]();
  };
  const labelOfKey: string[] = [];
  // Bumped when a key's deadline fires or is cancelled: a cancel closure of an earlier use does nothing.
  const gen: number[] = [];
  const lane = svc.keyLane(KEYED, (key) => {
    gen[key]++;
    freeKeys.push(key);
    fire(labelOfKey[key]);
  });
  const add = () => {
    const d = [KEYED, 5 * SECOND, 700 * MS, KEYED][Math.floor(rnd.next() * 4)];
    const label = `t${id++}/${d}`;
    if (d === KEYED && keyed) {
      const key = freeKeys.pop() ?? nextKey++;
      labelOfKey[key] = label;
      gen[key] ??= 0;
      const g = gen[key];
      svc.scheduleKey(lane, key);
      live.push(() => {
        if (gen[key] !== g) return; // fired or cancelled already (as cancel() of a fired Timer does nothing)
        gen[key]++;
        svc.cancelKey(lane, key);
        freeKeys.push(key);
      });
    } else {
      const t = svc.schedule(d, fire, label);
      live.push(() => svc.cancel(t));
    }
  };
  return drive(sim, svc, rnd, add, () => live[Math.floor(rnd.next() * live.length)](), () => live.length > 0, fired);
}

test('a keyed lane fires in the same order, at the same times, with the same kernel events as Timer objects of that delay', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const objects = keyedScenario(seed, false);
    const keyed = keyedScenario(seed, true);
    assert.ok(objects.fired.filter((f) => f.endsWith(`/${32 * SECOND}`)).length > 200, `keyed deadlines fire (${objects.fired.length})`);
    assert.deepEqual(keyed.fired, objects.fired, `seed ${seed}: firing order`);
    assert.deepEqual(keyed.pendingSeen, objects.pendingSeen, `seed ${seed}: pending counts`);
    assert.equal(keyed.events, objects.events, `seed ${seed}: kernel events (arming)`);
  }
});

test('keyed lane: cancel by key, rescheduling a key replaces its deadline, keys beyond the initial count grow the lane, clear() forgets them', () => {
  const sim = new Simulator(1);
  const svc = new TimerService(sim, [], { disarmWhenEmpty: true });
  const fired: string[] = [];
  const lane = svc.keyLane(30 * SECOND, (key) => fired.push(`${key}@${sim.now() / SECOND}`), 2);
  svc.scheduleKey(lane, 0);
  svc.scheduleKey(lane, 1);
  svc.scheduleKey(lane, 1000); // beyond the 2 keys given: grows
  assert.equal(svc.pending, 3);
  sim.post(1 * SECOND, () => svc.cancelKey(lane, 0));
  sim.post(2 * SECOND, () => svc.scheduleKey(lane, 1)); // replaces key 1's deadline: now due at 32 s
  sim.post(3 * SECOND, () => svc.cancelKey(lane, 7)); // never scheduled: nothing happens
  sim.run();
  assert.deepEqual(fired, ['1000@30', '1@32']);
  assert.equal(svc.pending, 0);
  svc.cancelKey(lane, 1); // fired: harmless
  svc.scheduleKey(lane, 5);
  svc.clear();
  assert.equal(svc.pending, 0);
  sim.run();
  assert.deepEqual(fired, ['1000@30', '1@32'], 'cleared: never fires');
  // Thousands pending at once (the ring grows), all cancelled: disarmWhenEmpty ends the run at the last cancel.
  const t0 = sim.now();
  for (let k = 0; k < 5000; k++) svc.scheduleKey(lane, k);
  sim.postIn(1 * MS, () => {
    for (let k = 0; k < 5000; k++) svc.cancelKey(lane, k);
  });
  sim.run();
  assert.equal(svc.pending, 0);
  assert.equal(sim.now(), t0 + 1 * MS);
  assert.deepEqual(fired, ['1000@30', '1@32']);
});
