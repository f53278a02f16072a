// The MSC's per-subscriber refresh queue: pops in (time, subscriber) order whatever was set, moved
// or cleared before, and sweeps stale entries out instead of popping them one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueQueue } from '../../sim/node/due-queue.ts';
import { RandomStream } from '../../sim/kernel/random.ts';

test('pops in (time, subscriber) order, through sets, moves, clears and sweeps of stale entries', () => {
  for (const seed of [1, 2, 3]) {
    const n = 5000;
    const q = new DueQueue(n, 16);
    const rnd = new RandomStream(seed, 'due-queue');
    const ref = new Map<number, number>(); // the model: subscriber → due time
    q.load((s) => (s % 3 === 0 ? -1 : 1000 + rnd.int(100_000)), 0, n);
    for (let s = 0; s < n; s++) if (q.due[s] >= 0) ref.set(s, q.due[s]);
    let now = 0;
    for (let round = 0; round < 60; round++) {
      // Clear most (a restart sweep), move and add some.
      for (let k = 0; k < 200; k++) {
        const s = rnd.int(n);
        const r = rnd.next();
        if (r < 0.7) {
          q.clear(s);
          ref.delete(s);
        } else {
          const at = now + 1 + rnd.int(50_000);
          q.set(s, at);
          ref.set(s, at);
        }
      }
      now += 2000;
      const want = [...ref].filter(([, t]) => t <= now).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      const got: [number, number][] = [];
      for (let s = q.popDue(now); s >= 0; s = q.popDue(now)) got.push([s, ref.get(s)!]);
      assert.deepEqual(got, want, `seed ${seed}, round ${round}`);
      for (const [s] of got) ref.delete(s);
      const next = [...ref.values()].reduce((a, b) => Math.min(a, b), Infinity);
      assert.equal(q.peekTime(), next);
      assert.ok(q.size <= 2 * ref.size + 1024 + 200, `stale entries are swept (size ${q.size}, live ${ref.size})`);
    }
  }
});

test('clearing a million subscribers one by one costs a few sweeps, not a million pops', () => {
  const n = 1_000_000;
  const q = new DueQueue(n);
  q.load((s) => 1e12 + ((s * 2654435761) % 1e9), 0, n);
  const t0 = performance.now();
  for (let s = 0; s < n; s++) q.clear(s);
  assert.ok(q.size <= 1024, `heap emptied by sweeps (size ${q.size})`);
  assert.equal(q.peekTime(), Infinity);
  assert.ok(performance.now() - t0 < 2000, 'linear, not n·log n with a large constant');
});
