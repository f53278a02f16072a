/**
 * timeHigh / timeLow (sim/kernel/time.ts): a time split in two small integers for message fields,
 * exact over the whole range a run uses, and equal to the plain `t - high * 2^30` it replaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeHigh, timeLow, MAX_TIME, SECOND } from '../../sim/kernel/time.ts';

const SPLIT = 2 ** 30;

test('high * 2^30 + low is t exactly, low in 0 … 2^30 − 1, both small integers', () => {
  const times = [0, 1, SPLIT - 1, SPLIT, SPLIT + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 75 * SECOND, 75 * SECOND + 123, 3600 * SECOND + 7, MAX_TIME];
  for (let k = 0; k < 2000; k++) times.push(Math.floor(Math.random() * 2 ** 48));
  for (const t of times) {
    const hi = timeHigh(t);
    const lo = timeLow(t);
    assert.equal(hi * SPLIT + lo, t, `t = ${t}`);
    assert.ok(Number.isInteger(hi) && Number.isInteger(lo) && lo >= 0 && lo < SPLIT, `t = ${t}: ${hi}, ${lo}`);
    assert.equal(lo, (t - hi * SPLIT) | 0, `t = ${t}: the same low part as the product form`);
  }
});
