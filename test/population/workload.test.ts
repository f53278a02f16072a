import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStream } from '../../sim/kernel/random.ts';
import { generateTriggers, type ReplayRows, type Triggers } from '../../sim/population/workload.ts';

const MS = 1_000_000;
const S = 1_000_000_000;
const rng = (name = 'workload/0', seed = 1) => new RandomStream(seed, name);

function assertSorted(t: Triggers): void {
  for (let i = 1; i < t.length; i++) assert.ok(t.times[i - 1] <= t.times[i], `not sorted at ${i}: ${t.times[i - 1]} > ${t.times[i]}`);
}

function assertShape(t: Triggers, n: number): void {
  assert.equal(t.length, n);
  assert.equal(t.times.length, n);
  assert.equal(t.subs.length, n);
  assert.equal(t.events.length, n);
}

test('all-at-once: every subscriber of the range, in order, at the same instant, default event', () => {
  const t = generateTriggers({ kind: 'all-at-once', at: 250 * MS }, 10, 5, rng());
  assertShape(t, 5);
  assert.deepEqual([...t.times], [250 * MS, 250 * MS, 250 * MS, 250 * MS, 250 * MS]);
  assert.deepEqual([...t.subs], [10, 11, 12, 13, 14]);
  assert.deepEqual([...t.events], [-1, -1, -1, -1, -1]);
  assert.deepEqual(t.eventNames, []);
});

test('an empty range gives no triggers', () => {
  for (const p of [
    { kind: 'all-at-once' as const, at: 0 },
    { kind: 'uniform' as const, start: 0, window: S },
  ]) {
    assertShape(generateTriggers(p, 3, 0, rng()), 0);
  }
});

test('uniform: each subscriber exactly once, at an integer ns in [start, start + window), sorted', () => {
  const start = 3 * S;
  const window = 2 * S;
  const t = generateTriggers({ kind: 'uniform', start, window }, 100, 5000, rng());
  assertShape(t, 5000);
  assertSorted(t);
  for (let i = 0; i < t.length; i++) {
    assert.ok(Number.isInteger(t.times[i]));
    assert.ok(t.times[i] >= start && t.times[i] < start + window, `${t.times[i]} outside the window`);
  }
  assert.deepEqual([...t.subs].sort((a, b) => a - b), Array.from({ length: 5000 }, (_, i) => 100 + i));
  // spread over the window: mean near the middle, both ends reached
  const mean = t.times.reduce((a, b) => a + b, 0) / t.length;
  assert.ok(Math.abs(mean - (start + window / 2)) < 0.03 * window, `mean ${mean}`);
  assert.ok(t.times[0] < start + 0.01 * window && t.times[t.length - 1] > start + 0.99 * window);
});

test("uniform: a subscriber's time does not depend on how many others there are", () => {
  const p = { kind: 'uniform' as const, start: 0, window: 10 * S };
  const small = generateTriggers(p, 0, 10, rng());
  const big = generateTriggers(p, 0, 1000, rng());
  const timeOf = (t: Triggers, sub: number) => t.times[[...t.subs].indexOf(sub)];
  for (let s = 0; s < 10; s++) assert.equal(timeOf(small, s), timeOf(big, s), `subscriber ${s}`);
});

test('uniform: a zero window puts everyone at start, in subscriber order', () => {
  const t = generateTriggers({ kind: 'uniform', start: 7 * MS, window: 0 }, 0, 4, rng());
  assert.deepEqual([...t.times], [7 * MS, 7 * MS, 7 * MS, 7 * MS]);
  assert.deepEqual([...t.subs], [0, 1, 2, 3]);
});

test('uniform: same stream state → same triggers; another stream → different ones', () => {
  const p = { kind: 'uniform' as const, start: 0, window: S };
  const a = generateTriggers(p, 0, 200, rng('workload/0'));
  const b = generateTriggers(p, 0, 200, rng('workload/0'));
  const c = generateTriggers(p, 0, 200, rng('workload/1'));
  assert.deepEqual([...a.times], [...b.times]);
  assert.deepEqual([...a.subs], [...b.subs]);
  assert.notDeepEqual([...a.times], [...c.times]);
});

test('poisson: mean gap ≈ 1/rate, gaps exponential (sd ≈ mean), times after start and non-decreasing', () => {
  const rate = 200; // per second → mean gap 5 ms
  const n = 20_000;
  const start = 1 * S;
  const t = generateTriggers({ kind: 'poisson', start, rate, count: n, pick: 'sequential' }, 0, 50, rng());
  assertShape(t, n);
  assertSorted(t);
  assert.ok(t.times[0] >= start);
  const gaps: number[] = [t.times[0] - start];
  for (let i = 1; i < n; i++) gaps.push(t.times[i] - t.times[i - 1]);
  for (const g of gaps) assert.ok(Number.isInteger(g) && g >= 0);
  const mean = gaps.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / n);
  const want = S / rate;
  assert.ok(Math.abs(mean - want) / want < 0.03, `mean gap ${mean} vs ${want}`);
  assert.ok(Math.abs(sd - want) / want < 0.05, `gap sd ${sd} vs ${want} (exponential)`);
});

test('poisson: default count is one arrival per subscriber; sequential pick cycles through the range', () => {
  const t = generateTriggers({ kind: 'poisson', start: 0, rate: 10, pick: 'sequential' }, 20, 4, rng());
  assertShape(t, 4);
  assert.deepEqual([...t.subs], [20, 21, 22, 23]);
  const t2 = generateTriggers({ kind: 'poisson', start: 0, rate: 10, count: 10, pick: 'sequential' }, 20, 4, rng());
  assert.deepEqual([...t2.subs], [20, 21, 22, 23, 20, 21, 22, 23, 20, 21]);
});

test('poisson: random pick stays in the range and reaches all of it', () => {
  const t = generateTriggers({ kind: 'poisson', start: 0, rate: 1000, count: 2000, pick: 'random' }, 5, 10, rng());
  const seen = new Set<number>();
  for (const s of t.subs) {
    assert.ok(s >= 5 && s < 15, `subscriber ${s} outside 5 … 14`);
    seen.add(s);
  }
  assert.equal(seen.size, 10);
  // not the sequential order
  assert.notDeepEqual([...t.subs.slice(0, 10)], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
});

test('poisson over an empty range concerns subscriber `from`', () => {
  const t = generateTriggers({ kind: 'poisson', start: 0, rate: 10, count: 3, pick: 'random' }, 7, 0, rng());
  assert.deepEqual([...t.subs], [7, 7, 7]);
});

test('replay: sorted by time, stably (rows at the same time keep their file order), events kept', () => {
  const rows: ReplayRows = {
    times: Float64Array.from([30, 10, 20, 10, 30, 10]),
    subs: Int32Array.from([0, 1, 2, 3, 4, 5]),
    events: Int32Array.from([-1, 0, 1, -1, 0, 1]),
    eventNames: ['detach', 'attach'],
  };
  const t = generateTriggers({ kind: 'replay', rows }, 0, 0, rng());
  assertShape(t, 6);
  assert.deepEqual([...t.times], [10, 10, 10, 20, 30, 30]);
  assert.deepEqual([...t.subs], [1, 3, 5, 2, 0, 4]);
  assert.deepEqual([...t.events], [0, -1, 1, 1, -1, 0]);
  assert.deepEqual(t.eventNames, ['detach', 'attach']);
  // the parsed rows themselves are left as read
  assert.deepEqual([...rows.times], [30, 10, 20, 10, 30, 10]);
});

test('replay: a large file with many ties stays stable', () => {
  const n = 10_000;
  const rows: ReplayRows = {
    times: Float64Array.from({ length: n }, (_, i) => (i * 7919) % 10),
    subs: Int32Array.from({ length: n }, (_, i) => i),
    events: new Int32Array(n).fill(-1),
    eventNames: [],
  };
  const t = generateTriggers({ kind: 'replay', rows }, 0, 0, rng());
  assertSorted(t);
  for (let i = 1; i < n; i++) if (t.times[i] === t.times[i - 1]) assert.ok(t.subs[i] > t.subs[i - 1], `tie at ${i} out of file order`);
});
