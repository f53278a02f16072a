import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeadlineFifo } from '../../sim/node/deadline-fifo.ts';

test('DeadlineFifo: entries come out in push order with their deadlines, across growth and compaction', () => {
  const f = new DeadlineFifo(4);
  const model: [number, number][] = [];
  let next = 0;
  // Interleave pushes and shifts so the live window wraps past the initial capacity many times,
  // with ids and times above 2^31 (uint32 Hop-by-Hop ids, ns past 2.1 s).
  for (let round = 0; round < 200; round++) {
    const pushes = (round * 7) % 5 + 1;
    for (let i = 0; i < pushes; i++) {
      const id = (0xfffffff0 + next) >>> 0;
      const due = 3_000_000_000 + next * 1_000;
      f.push(id, due);
      model.push([id, due]);
      next++;
    }
    const shifts = (round * 3) % 4;
    for (let i = 0; i < shifts && model.length > 0; i++) {
      const [id, due] = model.shift()!;
      assert.equal(f.peekDeadline(), due);
      assert.equal(f.peekId(), id);
      assert.equal(f.shift(), id);
    }
    assert.equal(f.size, model.length);
  }
  while (model.length > 0) assert.equal(f.shift(), model.shift()![0]);
  assert.equal(f.size, 0);
});

test('DeadlineFifo: clear empties it and it is usable again', () => {
  const f = new DeadlineFifo(2);
  f.push(1, 10);
  f.push(2, 20);
  f.push(3, 30);
  f.clear();
  assert.equal(f.size, 0);
  f.push(4, 40);
  assert.equal(f.peekId(), 4);
  assert.equal(f.peekDeadline(), 40);
  assert.equal(f.shift(), 4);
  assert.equal(f.size, 0);
});
