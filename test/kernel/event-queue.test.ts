import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../../sim/kernel/event-queue.ts';
import { RandomStream } from '../../sim/kernel/random.ts';

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
