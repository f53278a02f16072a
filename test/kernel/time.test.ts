import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_TIME,
  NS,
  US,
  MS,
  SECOND,
  MINUTE,
  HOUR,
  formatNs,
  fromMs,
  toMs,
  toNs,
  toSeconds,
} from '../../sim/kernel/time.ts';

test('units are nanosecond multiples', () => {
  assert.deepEqual([NS, US, MS, SECOND, MINUTE, HOUR], [1, 1e3, 1e6, 1e9, 60e9, 3600e9]);
});

test('MAX_TIME is 2^53 - 1, the largest exact integer, and about 104 days', () => {
  assert.equal(MAX_TIME, 2 ** 53 - 1);
  assert.ok(Number.isSafeInteger(MAX_TIME));
  assert.ok(!Number.isSafeInteger(MAX_TIME + 1));
  assert.equal(Math.floor(MAX_TIME / (24 * HOUR)), 104);
});

test('formatNs picks the largest unit that keeps the number >= 1', () => {
  assert.equal(formatNs(0), '0ns');
  assert.equal(formatNs(999), '999ns');
  assert.equal(formatNs(1000), '1us');
  assert.equal(formatNs(1500), '1.5us');
  assert.equal(formatNs(999_999), '999.999us');
  assert.equal(formatNs(MS), '1ms');
  assert.equal(formatNs(2_500_000), '2.5ms');
  assert.equal(formatNs(SECOND), '1s');
  assert.equal(formatNs(90 * SECOND), '90s');
  assert.equal(formatNs(-1500), '-1.5us');
});

test('formatNs keeps at most three decimals and drops trailing zeros', () => {
  assert.equal(formatNs(1_234_567), '1.235ms');
  assert.equal(formatNs(1_200_000), '1.2ms');
  assert.equal(formatNs(1_000_400), '1ms');
  assert.equal(formatNs(SECOND + MS), '1.001s');
});

test('fromMs converts to integer ns, rounding; toMs and toSeconds convert back', () => {
  assert.equal(fromMs(1), 1_000_000);
  assert.equal(fromMs(1.5), 1_500_000);
  assert.equal(fromMs(0.0000004), 0);
  assert.equal(fromMs(0.0000006), 1);
  // 0.1 + 0.2 ms is not exactly 0.3 ms in binary; the result is still an integer ns.
  assert.equal(fromMs(0.1 + 0.2), 300_000);
  assert.ok(Number.isInteger(fromMs(1 / 3)));
  assert.equal(toMs(1_500_000), 1.5);
  assert.equal(toMs(fromMs(123.456)), 123.456);
  assert.equal(toSeconds(2_500_000_000), 2.5);
});

test('toNs rounds to the integer grid', () => {
  assert.equal(toNs(0.8), 1);
  assert.equal(toNs(2.4), 2);
  assert.equal(toNs(7), 7);
});
