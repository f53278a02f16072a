/** The fuzz kit itself: deterministic streams, bounded mutators, a runner that catches throws and slow cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import {
  Prng, caseRng, cpuMs, caseCount, mutateText, mutateBytes, mutateJson, mutateYaml, runFuzzCollect, FUZZ_SCALE,
} from './fuzz-kit.ts';

test('fuzz-kit: the same seed gives the same stream, different cases differ', () => {
  const a = new Prng('s');
  const b = new Prng('s');
  const xs = Array.from({ length: 100 }, () => a.u32());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b.u32()));
  assert.notDeepEqual(caseRng('t', 0).bytes(16), caseRng('t', 1).bytes(16));
  assert.deepEqual(caseRng('t', 7).bytes(16), caseRng('t', 7).bytes(16));
  // roughly uniform: 10 buckets of 10,000 draws each within 10 %
  const r = new Prng(1);
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) buckets[r.int(10)]++;
  for (const n of buckets) assert.ok(n > 9000 && n < 11000, `bucket ${n}`);
});

test('fuzz-kit: mutators are deterministic, change their input and respect their length bound', () => {
  const seed = 'REGISTER sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n';
  let changed = 0;
  for (let i = 0; i < 500; i++) {
    const t1 = mutateText(caseRng('text', i), seed, { maxLength: 1000, dictionary: ['Via: '] });
    assert.equal(t1, mutateText(caseRng('text', i), seed, { maxLength: 1000, dictionary: ['Via: '] }));
    assert.ok(t1.length <= 1000);
    if (t1 !== seed) changed++;
    const b = mutateBytes(caseRng('bytes', i), Buffer.from(seed), { maxLength: 1000 });
    assert.ok(b.length <= 1000);
    const j = { a: 1, b: ['x', { c: true }] };
    const m = mutateJson(caseRng('json', i), j);
    assert.deepEqual(j, { a: 1, b: ['x', { c: true }] }, 'mutateJson must not touch its input');
    assert.deepEqual(JSON.stringify(m), JSON.stringify(mutateJson(caseRng('json', i), j)));
    assert.equal(typeof mutateYaml(caseRng('yaml', i), 'a: 1\nb: [x, y]\n', YAML.parse), 'string');
  }
  assert.ok(changed > 450, `only ${changed}/500 text mutations changed the input`);
});

test('fuzz-kit: the runner reports throwing and over-bound cases with their index, and scales counts', async () => {
  const s = await runFuzzCollect({
    name: 'kit-self',
    cases: 20,
    timeBoundMs: 50,
    generate: (rng, i) => i,
    check: (i) => {
      if (i === 3) throw new Error('boom');
      if (i === 5) {
        const until = cpuMs() + 120;
        while (cpuMs() < until);
      }
    },
  });
  assert.equal(s.cases, caseCount(20));
  assert.equal(caseCount(20), Math.round(20 * FUZZ_SCALE));
  assert.deepEqual(s.failures.map((f) => f.index), [3, 5]);
  assert.match(s.failures[0]!.reason, /boom/);
  assert.match(s.failures[1]!.reason, /over its 50 ms bound/);
  assert.equal(s.slowestIndex, 5);
});
