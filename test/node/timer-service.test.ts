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
  const pendingSeen: number[] = [];
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
  // A driver that advances time in steps, adding and cancelling between them.
  for (let step = 0; step < 400; step++) {
    sim.post(step * 137 * MS, () => {
      const n = Math.floor(rnd.next() * 6);
      for (let k = 0; k < n; k++) add();
      for (let k = 0; k < 3 && live.length > 0; k++) if (rnd.next() < 0.5) svc.cancel(live[Math.floor(rnd.next() * live.length)]);
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
