import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../../sim/kernel/event-queue.ts';
import { RandomStream } from '../../sim/kernel/random.ts';

/**
 * An EventQueue beside a reference (a sorted list of (time, id)): every push goes to both, every
 * pop records the id the queue gave and the one the reference says comes next.
 */
class Checked {
  readonly q: EventQueue;
  now = 0;
  private id = 0;
  private readonly ref: { t: number; id: number }[] = [];
  readonly got: number[] = [];
  readonly want: number[] = [];
  constructor(capacity: number) {
    this.q = new EventQueue(capacity);
  }
  push(t: number): void {
    this.q.push(t, () => {}, this.id);
    // Kept sorted: after every entry of time <= t (ids grow, so that is (time, id) order).
    let lo = 0;
    let hi = this.ref.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ref[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    this.ref.splice(lo, 0, { t, id: this.id++ });
  }
  pop(): boolean {
    if (!this.q.pop()) return false;
    if (this.q.time !== Infinity) this.now = this.q.time;
    this.got.push(this.q.arg as number);
    this.want.push(this.ref.shift()!.id);
    return true;
  }
}

test('event queue pops in (time, scheduling order) for random input', () => {
  const q = new EventQueue(4);
  const r = new RandomStream(7, 'eq');
  const pushed: { t: number; id: number }[] = [];
  for (let i = 0; i < 20000; i++) {
    // Few distinct times, so ties are frequent and the sequence tie-break is exercised.
    const t = r.int(50);
    q.push(t, () => {}, i);
    pushed.push({ t, id: i });
  }
  const expected = [...pushed].sort((a, b) => a.t - b.t || a.id - b.id).map((e) => e.id);
  const got: number[] = [];
  while (q.pop()) got.push(q.arg as number);
  assert.deepEqual(got, expected);
});

test('event queue interleaves pushes and pops correctly', () => {
  const q = new EventQueue(2);
  const r = new RandomStream(3, 'eq2');
  let now = 0;
  let id = 0;
  const ref: { t: number; id: number }[] = [];
  const order: number[] = [];
  const refOrder: number[] = [];
  for (let step = 0; step < 5000; step++) {
    if (ref.length === 0 || r.chance(0.55)) {
      const t = now + r.int(20);
      q.push(t, () => {}, id);
      ref.push({ t, id });
      id++;
    } else {
      assert.ok(q.pop());
      now = q.time;
      order.push(q.arg as number);
      ref.sort((a, b) => a.t - b.t || a.id - b.id);
      refOrder.push(ref.shift()!.id);
    }
  }
  assert.deepEqual(order, refOrder);
  assert.equal(q.size, ref.length);
});

test('empty queue reports Infinity and pop() false', () => {
  const q = new EventQueue();
  assert.equal(q.peekTime(), Infinity);
  assert.equal(q.pop(), false);
  q.push(3, () => {});
  assert.equal(q.peekTime(), 3);
});

test('event queue keeps (time, seq) order through renumbering rebuilds, with later pushes and +Infinity', () => {
  // Large batches (renumbered: contiguous slot runs per bucket) alternate with interleaved pushes
  // into the buckets' lists, spread times (many buckets), ties, +Infinity, and a drain to empty.
  const c = new Checked(16);
  const r = new RandomStream(11, 'eq-renumber');
  for (let round = 0; round < 6; round++) {
    const batch = 3000 + r.int(5000);
    for (let i = 0; i < batch; i++) c.push(r.chance(0.001) ? Infinity : c.now + r.int(round % 2 === 0 ? 1_000_000 : 300));
    let k = 0;
    const pops = round === 5 ? Infinity : batch - 500;
    while (k < pops && c.pop()) {
      k++;
      // A chain's next event, a little later: into the heap or a bucket's list.
      if (r.chance(0.5) && c.q.time !== Infinity) c.push(c.now + r.int(5000));
    }
  }
  assert.deepEqual(c.got, c.want);
  assert.equal(c.q.size, 0);
  assert.ok(c.got.length > 20000);
});

test('pushAfter(origin, delay) files the event at origin[0] + delay, in push order with push()', () => {
  const q = new EventQueue(4);
  const origin = Float64Array.of(1e12);
  q.push(1e12 + 5, () => {}, 'a');
  q.pushAfter(origin, 5, () => {}, 'b');
  q.pushAfter(origin, 0, () => {}, 'c');
  q.push(1e12 + 5, () => {}, 'd');
  const out: [number, unknown][] = [];
  while (q.pop()) out.push([q.time, q.arg]);
  assert.deepEqual(out, [[1e12, 'c'], [1e12 + 5, 'a'], [1e12 + 5, 'b'], [1e12 + 5, 'd']]);
});

test('a small population lives in the heap alone; a burst brings the calendar back, in (time, seq) order throughout', () => {
  const c = new Checked(8);
  const q = c.q;
  const r = new RandomStream(5, 'eq-small');
  // A chain-like trickle: a few pending events, each pop pushing 0–2 more (ties included).
  const trickle = (steps: number): void => {
    for (let s = 0; s < steps; s++) {
      if (q.size === 0 || (q.size < 6 && r.chance(0.5))) c.push(c.now + r.int(3) * 1000);
      else c.pop();
    }
  };
  // (An empty queue resets to the calendar; the mode is decided at the pop after a rebuild.)
  const settle = (): void => {
    c.push(c.now + 1000);
    c.push(c.now + 2000);
    c.pop();
  };
  trickle(2000);
  settle();
  assert.equal(q.heapOnly, true, 'a handful of pending events: heap only');
  // A burst beyond HEAP_ONLY_MAX, spread wide and with ties, then a pop: a calendar again.
  for (let i = 0; i < 3000; i++) c.push(c.now + r.int(200) * 997);
  c.pop();
  assert.equal(q.heapOnly, false, 'a burst of 3000: calendar');
  // Drain most of it while the chain goes on, back to a handful: heap only again.
  while (q.size > 3) c.pop();
  trickle(3000);
  settle();
  assert.equal(q.heapOnly, true, 'drained to a handful: heap only again');
  while (c.pop());
  assert.deepEqual(c.got, c.want);
  assert.ok(c.got.length > 4000);
});

test('a far-off event does not stretch the calendar: the dense front keeps a small near heap, in order', () => {
  const c = new Checked(64);
  const q = c.q;
  const r = new RandomStream(9, 'eq-tail');
  // A hold model with ~500 pending events 0–10 ms ahead, and one timer ten minutes ahead (as a
  // registration expiry during a deregistration storm). Sized from its latest event, the calendar
  // put the whole front in one bucket and every pop sifted a heap of ~500.
  c.push(600e9);
  for (let i = 0; i < 500; i++) c.push(r.int(10_000_000));
  let peak = 0;
  for (let i = 0; i < 100_000; i++) {
    c.pop();
    if (q.nearSize > peak) peak = q.nearSize;
    c.push(c.now + r.int(10_000_000));
  }
  assert.ok(peak <= 32, `near heap peaked at ${peak} events`);
  while (c.pop());
  assert.deepEqual(c.got, c.want);
  assert.equal(c.q.time, 600e9, 'the far timer comes last');
});

test('a far tail behind one crowded instant: the instant drains first, then the tail, in (time, seq) order', () => {
  const c = new Checked(64);
  const r = new RandomStream(11, 'eq-instant');
  // Most pending events at one instant (an all-at-once workload), a few hours-long timers: the median
  // is the instant itself, so the calendar spans 1 ns and everything after it waits for a rebuild.
  for (let i = 0; i < 3000; i++) c.push(5_000_000);
  for (let i = 0; i < 50; i++) c.push(3_600e9 + r.int(1_000_000));
  for (let i = 0; i < 20_000; i++) {
    c.pop();
    if (r.chance(0.7)) c.push(c.now + r.int(2_000_000));
  }
  while (c.pop());
  assert.deepEqual(c.got, c.want);
  assert.ok(c.got.length > 17_000);
});
