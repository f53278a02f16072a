import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseBandwidth, parseRate, parseProbability } from '../../sim/scenario/units.ts';
import { Duration, Bandwidth, Rate, Probability, NodeId } from '../../sim/scenario/fields.ts';

function table<T>(f: (v: unknown) => T | undefined, rows: [unknown, T | undefined][]): void {
  for (const [input, want] of rows) assert.equal(f(input), want, `${JSON.stringify(input)} → ${String(want)}`);
}

test('parseDuration: every unit to integer ns', () => {
  table(parseDuration, [
    ['7ns', 7],
    ['3us', 3_000],
    ['3µs', 3_000],
    ['5ms', 5_000_000],
    ['2s', 2_000_000_000],
    ['2sec', 2_000_000_000],
    ['1.5min', 90_000_000_000],
    ['2h', 7_200_000_000_000],
  ]);
});

test('parseDuration: spaces, decimals, exponents and zero', () => {
  table(parseDuration, [
    ['5 ms', 5_000_000],
    ['  5ms  ', 5_000_000],
    ['0.25s', 250_000_000],
    ['1e3ms', 1_000_000_000],
    ['1E-3s', 1_000_000],
    ['0', 0],
    [0, 0],
    ['0s', 0],
    ['0ms', 0],
    ['00ms', 0],
  ]);
});

test('parseDuration: fractions of a nanosecond round to the nearest ns', () => {
  table(parseDuration, [
    ['1.4ns', 1],
    ['1.5ns', 2],
    ['0.0000015ms', 2],
    ['0.4ns', 0],
  ]);
  for (const v of ['1.4ns', '1.5ns', '0.0000015ms', '3.3333us']) assert.ok(Number.isInteger(parseDuration(v)), v);
});

test('parseDuration: rejects negatives, bare numbers, unknown or wrong-case units, non-strings', () => {
  table(parseDuration, [
    ['-1s', undefined],
    ['-0.5ms', undefined],
    ['+5ms', undefined],
    [1, undefined],
    ['1', undefined],
    [5_000_000, undefined],
    ['5 parsecs', undefined],
    ['5m', undefined],
    ['5MS', undefined],
    ['5Ms', undefined],
    ['.5s', undefined],
    ['5.s', undefined],
    ['', undefined],
    ['ms', undefined],
    ['5ms5', undefined],
    ['5 ms ms', undefined],
    [null, undefined],
    [undefined, undefined],
    [true, undefined],
    [{}, undefined],
  ]);
});

test('parseDuration: refuses values beyond exact integer ns (no silent precision loss)', () => {
  assert.equal(parseDuration('9007199254740991ns'), Number.MAX_SAFE_INTEGER);
  assert.equal(parseDuration('9007199254740993ns'), undefined);
  assert.equal(parseDuration('1e7h'), undefined);
  assert.equal(parseDuration('1e400s'), undefined);
  // ~104 simulated days is the documented exact range
  assert.equal(parseDuration('100 h'), 360_000_000_000_000);
});

test('parseBandwidth: every unit to bit/s, and unlimited', () => {
  table(parseBandwidth, [
    ['100bit/s', 100],
    ['100bps', 100],
    ['10kbit/s', 10_000],
    ['10kbps', 10_000],
    ['5Mbit/s', 5_000_000],
    ['5Mbps', 5_000_000],
    ['1Gbit/s', 1_000_000_000],
    ['1 Gbps', 1_000_000_000],
    ['2.5 Mbit/s', 2_500_000],
    ['unlimited', Infinity],
  ]);
});

test('parseBandwidth: rejects zero, negatives, bare numbers and unknown units', () => {
  table(parseBandwidth, [
    ['0bit/s', undefined],
    ['0Mbit/s', undefined],
    ['-1Mbit/s', undefined],
    [1_000_000, undefined],
    ['1000000', undefined],
    ['10kb/s', undefined],
    ['10 KBit/s', undefined],
    ['10MB/s', undefined],
    ['Unlimited', undefined],
    ['infinite', undefined],
    ['', undefined],
    [null, undefined],
  ]);
});

test('parseBandwidth: an overflowing number is not silently "unlimited"', () => {
  assert.equal(parseBandwidth('1e400Gbit/s'), undefined);
});

test('parseRate: /s, /sec, /min, /h to events per second', () => {
  table(parseRate, [
    ['100/s', 100],
    ['100 / s', 100],
    ['1/sec', 1],
    ['6000/min', 100],
    ['3600/h', 1],
    ['0.5/s', 0.5],
    ['1e3/s', 1000],
  ]);
  assert.ok(Math.abs(parseRate('1/h')! - 1 / 3600) < 1e-15);
});

test('parseRate: rejects zero, bare numbers, unknown units, overflow and underflow', () => {
  table(parseRate, [
    ['0/s', undefined],
    ['-1/s', undefined],
    [100, undefined],
    ['100', undefined],
    ['100s', undefined],
    ['100/ms', undefined],
    ['100 per second', undefined],
    ['/s', undefined],
    ['1e400/s', undefined],
    ['1e-400/s', undefined],
    [null, undefined],
  ]);
});

test('parseProbability: numbers in [0, 1] and percentages in [0%, 100%]', () => {
  table(parseProbability, [
    [0, 0],
    [1, 1],
    [0.05, 0.05],
    ['5%', 0.05],
    ['5 %', 0.05],
    [' 5% ', 0.05],
    ['5.5%', 0.055],
    ['0%', 0],
    ['100%', 1],
  ]);
});

test('parseProbability: rejects 1.5, 150%, negatives, NaN, Infinity and bare strings', () => {
  table(parseProbability, [
    [1.5, undefined],
    ['150%', undefined],
    ['100.1%', undefined],
    [-0.1, undefined],
    ['-5%', undefined],
    [NaN, undefined],
    [Infinity, undefined],
    ['0.5', undefined],
    ['%', undefined],
    ['five%', undefined],
    [null, undefined],
    [true, undefined],
  ]);
});

test('schema fields convert to kernel units and explain what is allowed when they cannot', () => {
  assert.equal(Duration.parse('5ms'), 5_000_000);
  assert.equal(Bandwidth.parse('1Gbit/s'), 1e9);
  assert.equal(Rate.parse('6000/min'), 100);
  assert.equal(Probability.parse('5%'), 0.05);
  const cases: [typeof Duration, unknown, RegExp][] = [
    [Duration, '5 parsecs', /"5 parsecs" is not a duration — use .*ns, us, ms, s, min or h/],
    [Bandwidth, 'fast', /"fast" is not a bandwidth — use .*kbit\/s/],
    [Rate, '100', /"100" is not a rate — use .*\/s, \/min or \/h/],
    [Probability, 1.5, /1\.5 is not a probability — use a number from 0 to 1/],
  ];
  for (const [schema, value, msg] of cases) {
    const r = schema.safeParse(value);
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0].message, msg);
  }
});

test('NodeId: letters first, then letters, digits, - _ .', () => {
  for (const ok of ['a', 'msc-ics', 'S_CSCF.1', 'hss2']) assert.equal(NodeId.safeParse(ok).success, true, ok);
  for (const bad of ['', '1a', '-a', 'a b', 'a/b', 'ä']) assert.equal(NodeId.safeParse(bad).success, false, bad);
});
