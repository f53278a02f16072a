// IdTable: the Map subset ImsNode needs for Diameter answers in flight, without hashing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdTable } from '../../sim/node/id-table.ts';
import { RandomStream } from '../../sim/kernel/random.ts';

test('behaves as a Map under sequential ids answered out of order, stragglers, wrap-around and re-sets', () => {
  for (const start of [1, 2 ** 31 - 500, 2 ** 32 - 3000]) {
    const t = new IdTable<number>(16);
    const m = new Map<number, number>();
    const rnd = new RandomStream(start, 'id-table');
    let next = start;
    const live: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const r = rnd.next();
      if (r < 0.5) {
        const id = next >>> 0;
        next = (next + 1) >>> 0;
        t.set(id, step);
        m.set(id, step);
        live.push(id);
      } else if (r < 0.9 && live.length > 0) {
        // Answers come back out of order, mostly recent ones; a few stay pending for long.
        const i = live.length - 1 - Math.min(live.length - 1, Math.floor(rnd.exponential(20)));
        const id = live[i];
        live.splice(i, 1);
        assert.equal(t.get(id), m.get(id));
        assert.equal(t.delete(id), m.delete(id));
        assert.equal(t.has(id), false);
      } else if (live.length > 0) {
        const id = live[Math.floor(rnd.next() * live.length)];
        t.set(id, -step); // overwrite
        m.set(id, -step);
      }
      // An id never set, or already answered, is absent.
      assert.equal(t.get((next + 7) >>> 0), undefined);
      assert.equal(t.size, m.size);
    }
    for (const [id, v] of m) assert.equal(t.get(id), v);
    t.clear();
    assert.equal(t.size, 0);
    for (const id of m.keys()) assert.equal(t.has(id), false);
  }
});

test('a straggler far behind the newest ids grows the table instead of being overwritten', () => {
  const t = new IdTable<string>(16);
  t.set(5, 'old');
  for (let id = 6; id < 5000; id++) {
    t.set(id, 'x');
    t.delete(id);
  }
  assert.equal(t.get(5), 'old');
  assert.equal(t.delete(5), true);
  assert.equal(t.size, 0);
});
