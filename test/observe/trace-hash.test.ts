import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceHash } from '../../sim/observe/trace-hash.ts';

type Add = [t: number, from: number, to: number, kind: string, sub: number, subs?: number[], content?: number];

function hashOf(adds: Add[]): string {
  const h = new TraceHash();
  for (const [t, from, to, kind, sub, subs, content] of adds) h.add(t, from, to, kind, sub, subs, content ?? 0);
  return h.hex();
}

const BASE: Add[] = [
  [0, -1, 0, 'request', 0],
  [5_000_000, 0, 1, 'request', 0],
  [25_000_000, 1, 2, 'REGISTER', 0],
  [30_000_000, 2, 1, '200 REGISTER', 0],
  [31_000_000, 1, 3, 'bulk', -1, [4, 5, 6]],
];

test('the hash is 16 lowercase hex digits', () => {
  assert.match(hashOf(BASE), /^[0-9a-f]{16}$/);
  assert.match(new TraceHash().hex(), /^[0-9a-f]{16}$/);
});

test('deterministic: the same sequence gives the same hash in separate instances', () => {
  assert.equal(hashOf(BASE), hashOf(BASE));
  assert.equal(hashOf([]), new TraceHash().hex());
});

test('fingerprint: pinned values (integer-only arithmetic, so the same on every engine and machine)', () => {
  // If these change, every recorded traceHash changes: it must be deliberate.
  assert.equal(new TraceHash().hex(), EMPTY);
  assert.equal(hashOf(BASE), BASE_HASH);
});
const EMPTY = 'a085d6317f4ab1d8';
const BASE_HASH = '1ab17f0da84c4507';

test('order-sensitive: swapping two messages changes the hash', () => {
  const swapped = [BASE[0], BASE[2], BASE[1], BASE[3], BASE[4]];
  assert.notEqual(hashOf(swapped), hashOf(BASE));
});

test('a prefix hashes differently from the whole, and an extra message changes it', () => {
  assert.notEqual(hashOf(BASE.slice(0, 4)), hashOf(BASE));
  assert.notEqual(hashOf([...BASE, BASE[4]]), hashOf(BASE));
});

test('any single field change changes the hash', () => {
  const base = hashOf(BASE);
  const variants: [string, Add][] = [
    ['t + 1 ns', [5_000_001, 0, 1, 'request', 0]],
    ['t + 2^32 ns (high word)', [5_000_000 + 2 ** 32, 0, 1, 'request', 0]],
    ['from', [5_000_000, 2, 1, 'request', 0]],
    ['to', [5_000_000, 0, 2, 'request', 0]],
    ['kind', [5_000_000, 0, 1, 'requesT', 0]],
    ['kind length', [5_000_000, 0, 1, 'request ', 0]],
    ['sub', [5_000_000, 0, 1, 'request', 1]],
    ['subs instead of sub', [5_000_000, 0, 1, 'request', 0, [0]]],
    ['content digest', [5_000_000, 0, 1, 'request', 0, undefined, 1]],
    ['content digest, high bit', [5_000_000, 0, 1, 'request', 0, undefined, 0x80000000 | 0]],
  ];
  const seen = new Set([base]);
  for (const [what, changed] of variants) {
    const h = hashOf([BASE[0], changed, ...BASE.slice(2)]);
    assert.notEqual(h, base, what);
    seen.add(h);
  }
  assert.equal(seen.size, variants.length + 1, 'each change gives its own hash');
});

test("a multi-subscriber message hashes every id and the list's length, in order", () => {
  const withSubs = (subs: number[]) => hashOf([[1, 0, 1, 'bulk', -1, subs]]);
  const base = withSubs([4, 5, 6]);
  assert.notEqual(withSubs([4, 6, 5]), base);
  assert.notEqual(withSubs([4, 5]), base);
  assert.notEqual(withSubs([4, 5, 6, 7]), base);
  assert.notEqual(withSubs([4, 5, 7]), base);
  assert.notEqual(withSubs([]), withSubs([0]));
});

test('no collisions over many distinct single messages', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) seen.add(hashOf([[i * 1000, i % 7, (i + 1) % 7, `k${i % 13}`, i]]));
  assert.equal(seen.size, 5000);
});
