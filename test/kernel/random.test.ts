import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStream, sample, mean, type Distribution } from '../../sim/kernel/random.ts';

/**
 * The same seed and name must give the same numbers on every machine (DESIGN principle 2).
 * These literals were computed once; if this test fails, every trace hash of every scenario changed.
 */
test('fingerprint: first five nextUint32() of RandomStream(1, "fingerprint")', () => {
  const r = new RandomStream(1, 'fingerprint');
  const got = Array.from({ length: 5 }, () => r.nextUint32());
  assert.deepEqual(got, [1108750251, 3903810850, 3071378795, 1983217123, 4072967118]);
});

const N = 200_000;
/** Allowed distance from the expected value, in standard errors. The seed is fixed, so this is deterministic. */
const Z = 5;

interface Moments {
  mean: number;
  variance: number;
  /** Standard error of the sample variance, from the sample's fourth central moment. */
  varianceSE: number;
  min: number;
  values: Float64Array;
}

function moments(draw: () => number, n = N): Moments {
  const values = new Float64Array(n);
  let sum = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = draw();
    values[i] = x;
    sum += x;
    if (x < min) min = x;
  }
  const m = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  return { mean: m, variance: m2, varianceSE: Math.sqrt((m4 - m2 * m2) / n), min, values };
}

function assertClose(actual: number, expected: number, se: number, what: string): void {
  const z = Math.abs(actual - expected) / se;
  assert.ok(z < Z, `${what}: got ${actual}, expected ${expected} (±${Z}×${se.toExponential(2)}), z=${z.toFixed(2)}`);
}

function fraction(values: Float64Array, pred: (x: number) => boolean): number {
  let k = 0;
  for (const x of values) if (pred(x)) k++;
  return k / values.length;
}

function assertFraction(values: Float64Array, pred: (x: number) => boolean, p: number, what: string): void {
  assertClose(fraction(values, pred), p, Math.sqrt((p * (1 - p)) / values.length), what);
}

function checkMoments(mo: Moments, expMean: number, expVar: number, what: string): void {
  assertClose(mo.mean, expMean, Math.sqrt(expVar / N), `${what} mean`);
  assertClose(mo.variance, expVar, mo.varianceSE, `${what} variance`);
}

test('uniform(min, max): in [min, max), mean and variance of the uniform law, flat quartiles', () => {
  const r = new RandomStream(101, 'uniform');
  const mo = moments(() => r.uniform(2, 10));
  assert.ok(mo.min >= 2);
  assert.ok(mo.values.every((x) => x < 10));
  checkMoments(mo, 6, 64 / 12, 'uniform(2,10)');
  assertFraction(mo.values, (x) => x < 4, 0.25, 'uniform P(x<4)');
  assertFraction(mo.values, (x) => x >= 8, 0.25, 'uniform P(x>=8)');
});

test('next(): in [0, 1) with mean 1/2 and variance 1/12', () => {
  const r = new RandomStream(102, 'next');
  const mo = moments(() => r.next());
  assert.ok(mo.min >= 0);
  assert.ok(mo.values.every((x) => x < 1));
  checkMoments(mo, 0.5, 1 / 12, 'next');
});

test('exponential(mean): non-negative, mean m, variance m², P(x > m) = 1/e', () => {
  const r = new RandomStream(103, 'exponential');
  const mo = moments(() => r.exponential(3));
  assert.ok(mo.min >= 0);
  checkMoments(mo, 3, 9, 'exponential(3)');
  assertFraction(mo.values, (x) => x > 3, Math.exp(-1), 'exponential P(x>mean)');
});

test('normal(mean, stddev): mean, variance, and 68.27% within one stddev', () => {
  const r = new RandomStream(104, 'normal');
  const mo = moments(() => r.normal(5, 2));
  checkMoments(mo, 5, 4, 'normal(5,2)');
  assertFraction(mo.values, (x) => Math.abs(x - 5) < 2, 0.682689492, 'normal P(|x-mean|<sd)');
  assertFraction(mo.values, (x) => x < 5, 0.5, 'normal P(x<mean)');
});

test('normal: successive draws are uncorrelated (the cached second variate is not a copy)', () => {
  const r = new RandomStream(105, 'normal-pairs');
  let sxy = 0;
  const n = N / 2;
  for (let i = 0; i < n; i++) sxy += r.normal(0, 1) * r.normal(0, 1);
  // For independent standard normals, the mean product has variance 1/n.
  assertClose(sxy / n, 0, Math.sqrt(1 / n), 'normal pair correlation');
});

test('lognormal(mu, sigma): positive, mean exp(mu+σ²/2), variance, median exp(mu)', () => {
  const mu = 0.5;
  const sigma = 0.5;
  const r = new RandomStream(106, 'lognormal');
  const mo = moments(() => r.lognormal(mu, sigma));
  assert.ok(mo.min > 0);
  const m = Math.exp(mu + (sigma * sigma) / 2);
  const v = (Math.exp(sigma * sigma) - 1) * Math.exp(2 * mu + sigma * sigma);
  checkMoments(mo, m, v, 'lognormal(0.5,0.5)');
  assertFraction(mo.values, (x) => x < Math.exp(mu), 0.5, 'lognormal P(x<median)');
});

test('chance(0) is never true and chance(1) always; out-of-range p is clamped', () => {
  const r = new RandomStream(107, 'chance');
  for (let i = 0; i < 10_000; i++) {
    assert.equal(r.chance(0), false);
    assert.equal(r.chance(1), true);
    assert.equal(r.chance(-0.5), false);
    assert.equal(r.chance(2), true);
  }
});

test('chance(p) is true with frequency p', () => {
  const r = new RandomStream(108, 'chance-p');
  const values = new Float64Array(N);
  for (let i = 0; i < N; i++) values[i] = r.chance(0.3) ? 1 : 0;
  assertFraction(values, (x) => x === 1, 0.3, 'chance(0.3)');
});

test('int(n): integers in [0, n), every value about equally often', () => {
  const r = new RandomStream(109, 'int');
  const n = 7;
  const counts = new Array<number>(n).fill(0);
  const draws = 70_000;
  for (let i = 0; i < draws; i++) {
    const k = r.int(n);
    assert.ok(Number.isInteger(k) && k >= 0 && k < n, `int(${n}) gave ${k}`);
    counts[k]++;
  }
  const p = 1 / n;
  for (let k = 0; k < n; k++) {
    assertClose(counts[k] / draws, p, Math.sqrt((p * (1 - p)) / draws), `P(int(7) = ${k})`);
  }
  assert.equal(r.int(1), 0);
});

const KINDS: { d: Distribution; direct: (r: RandomStream) => number; mean: number; sd: number }[] = [
  { d: { kind: 'deterministic', value: 4.5 }, direct: () => 4.5, mean: 4.5, sd: 0 },
  { d: { kind: 'uniform', min: 10, max: 30 }, direct: (r) => r.uniform(10, 30), mean: 20, sd: 20 / Math.sqrt(12) },
  { d: { kind: 'exponential', mean: 8 }, direct: (r) => r.exponential(8), mean: 8, sd: 8 },
  { d: { kind: 'normal', mean: -3, stddev: 0.5 }, direct: (r) => r.normal(-3, 0.5), mean: -3, sd: 0.5 },
  {
    d: { kind: 'lognormal', mu: 1, sigma: 0.25 },
    direct: (r) => r.lognormal(1, 0.25),
    mean: Math.exp(1 + 0.25 ** 2 / 2),
    sd: Math.sqrt((Math.exp(0.25 ** 2) - 1) * Math.exp(2 + 0.25 ** 2)),
  },
];

for (const { d, direct, mean: expected, sd } of KINDS) {
  test(`sample() and mean() for ${d.kind}`, () => {
    assert.equal(mean(d), expected);
    // sample() draws exactly what the stream's own method draws, with the distribution's parameters.
    const a = new RandomStream(110, d.kind);
    const b = new RandomStream(110, d.kind);
    for (let i = 0; i < 100; i++) assert.equal(sample(a, d), direct(b));
    // And its long-run average is mean(d).
    const mo = moments(() => sample(a, d), 50_000);
    if (sd === 0) {
      assert.ok(mo.values.every((x) => x === expected));
    } else {
      assertClose(mo.mean, mean(d), sd / Math.sqrt(50_000), `${d.kind} sample mean`);
    }
  });
}

test('a stream is a function of (seed, name) alone', () => {
  const draw = (seed: number, name: string) => {
    const r = new RandomStream(seed, name);
    return Array.from({ length: 10 }, () => r.nextUint32());
  };
  assert.deepEqual(draw(5, 'x'), draw(5, 'x'));
  assert.notDeepEqual(draw(5, 'x'), draw(5, 'y'));
  assert.notDeepEqual(draw(5, 'x'), draw(6, 'x'));
  assert.notDeepEqual(draw(5, 'x'), draw(5 + 2 ** 32, 'x'));
});
