import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLateness, gaugeFraction, gaugeTicks, hardLimitOf, latenessLevel } from './lateness-scale.ts';

test('gaugeFraction: log scale from 10 µs (0) to 1 s (1), one fifth per decade, clamped', () => {
  assert.equal(gaugeFraction(0), 0);
  assert.equal(gaugeFraction(0.01), 0);
  assert.ok(Math.abs(gaugeFraction(1) - 0.4) < 1e-12);
  assert.ok(Math.abs(gaugeFraction(100) - 0.8) < 1e-12);
  assert.equal(gaugeFraction(1000), 1);
  assert.equal(gaugeFraction(5000), 1);
  assert.equal(gaugeFraction(Number.NaN), 0);
});

test('latenessLevel: issue 12 targets (p99 < 5 ms, max < 50 ms); a hard limit makes anything past it bad', () => {
  assert.equal(latenessLevel('p99Ms', 4.9), 'ok');
  assert.equal(latenessLevel('p99Ms', 5), 'warn');
  assert.equal(latenessLevel('p99Ms', 50), 'bad');
  assert.equal(latenessLevel('maxMs', 49), 'ok');
  assert.equal(latenessLevel('maxMs', 60), 'warn');
  assert.equal(latenessLevel('maxMs', 30, 20), 'bad');
  assert.equal(hardLimitOf('hard-limit=20'), 20);
  assert.equal(hardLimitOf('best-effort'), undefined);
});

test('ticks and text: one tick per decade with the unit people use', () => {
  assert.deepEqual(gaugeTicks().map((t) => t.label), ['10 µs', '100 µs', '1 ms', '10 ms', '100 ms', '1 s']);
  assert.deepEqual(gaugeTicks().map((t) => Math.round(t.at * 100)), [0, 20, 40, 60, 80, 100]);
  assert.equal(formatLateness(0.037), '37 µs');
  assert.equal(formatLateness(1.2345), '1.23 ms');
  assert.equal(formatLateness(312.4), '312 ms');
  assert.equal(formatLateness(Number.POSITIVE_INFINITY), '–');
});
