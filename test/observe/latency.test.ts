import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyRecorder, nearestRank } from '../../sim/observe/latency.ts';

test('nearestRank: the textbook example (15, 20, 35, 40, 50)', () => {
  const d = [15, 20, 35, 40, 50];
  // rank = ceil(p × n): 5th → 1, 30th → 2, 40th → 2, 50th → 3, 90th → 5, 100th → 5
  assert.equal(nearestRank(d, 0.05), 15);
  assert.equal(nearestRank(d, 0.3), 20);
  assert.equal(nearestRank(d, 0.4), 20);
  assert.equal(nearestRank(d, 0.5), 35);
  assert.equal(nearestRank(d, 0.9), 50);
  assert.equal(nearestRank(d, 1), 50);
});

test('nearestRank: p = 0 is the minimum, one sample is every percentile, no samples is NaN', () => {
  assert.equal(nearestRank([3, 4], 0), 3);
  for (const p of [0, 0.5, 0.99, 1]) assert.equal(nearestRank([42], p), 42);
  assert.ok(Number.isNaN(nearestRank([], 0.5)));
});

test('nearestRank: exact ranks at the percentiles reports use (no floating-point off-by-one)', () => {
  const d = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(nearestRank(d, 0.5), 50);
  assert.equal(nearestRank(d, 0.9), 90);
  assert.equal(nearestRank(d, 0.99), 99);
  const d10 = Array.from({ length: 10 }, (_, i) => i + 1);
  assert.equal(nearestRank(d10, 0.9), 9);
  assert.equal(nearestRank(d10, 0.99), 10);
  // 0.99 × 1000 = 990 exactly: the 990th value, not the 991st
  const d1000 = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(nearestRank(d1000, 0.99), 990);
});

test('LatencyRecorder: hand-computed stats of 10 samples given out of order', () => {
  const r = new LatencyRecorder();
  for (const x of [10, 3, 7, 1, 9, 2, 8, 4, 6, 5]) r.add(x);
  assert.equal(r.count, 10);
  assert.deepEqual(r.stats(), { count: 10, mean: 5.5, p50: 5, p90: 9, p99: 10, max: 10 });
});

test('LatencyRecorder: sorts numerically, not as text', () => {
  const r = new LatencyRecorder();
  for (const x of [100, 9, 20]) r.add(x);
  assert.deepEqual(r.stats(), { count: 3, mean: 43, p50: 20, p90: 100, p99: 100, max: 100 });
});

test('LatencyRecorder: scale converts ns to ms, rounded to the ns', () => {
  const r = new LatencyRecorder();
  r.add(1_234_567);
  r.add(2_000_001);
  r.add(3_000_000);
  const s = r.stats(1e6);
  assert.deepEqual(s, { count: 3, mean: 2.078189, p50: 2.000001, p90: 3, p99: 3, max: 3 });
});

test('LatencyRecorder: keeps every sample past its initial capacity', () => {
  const r = new LatencyRecorder();
  for (let i = 5000; i >= 1; i--) r.add(i);
  assert.equal(r.count, 5000);
  assert.deepEqual(r.stats(), { count: 5000, mean: 2500.5, p50: 2500, p90: 4500, p99: 4950, max: 5000 });
});

test('LatencyRecorder: no samples → zeros, not NaN', () => {
  assert.deepEqual(new LatencyRecorder().stats(1e6), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
});

test('LatencyRecorder: stats do not disturb later adds', () => {
  const r = new LatencyRecorder();
  for (const x of [5, 1]) r.add(x);
  assert.equal(r.stats().p50, 1);
  r.add(0);
  assert.deepEqual(r.stats(), { count: 3, mean: 2, p50: 1, p90: 5, p99: 5, max: 5 });
});

test('LatencyRecorder.cdf: nearest-rank values at evenly spaced fractions, ending at the max', () => {
  const r = new LatencyRecorder();
  for (const x of [40, 10, 30, 20]) r.add(x * 1e6);
  assert.deepEqual(r.cdf(4, 1e6), [
    [10, 0.25],
    [10, 0.25],
    [20, 0.5],
    [30, 0.75],
    [40, 1],
  ]);
  // Fewer points than samples: still ends at the max with fraction 1.
  const c = r.cdf(2, 1e6);
  assert.deepEqual(c[c.length - 1], [40, 1]);
  assert.deepEqual(c[1], [20, 0.5]);
  assert.deepEqual(new LatencyRecorder().cdf(), []);
});
