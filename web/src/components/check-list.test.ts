import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toggled } from './check-list.tsx';

test('toggled keeps the items’ own order whatever the order of the clicks, and removes what was chosen', () => {
  const items = ['a', 'b', 'c', 'd'];
  assert.deepEqual(toggled(items, ['c'], 'a'), ['a', 'c']);
  assert.deepEqual(toggled(items, ['d', 'b'], 'c'), ['b', 'c', 'd']);
  assert.deepEqual(toggled(items, ['a', 'c'], 'a'), ['c']);
  // A chosen value the list no longer has (a stale link) is dropped on the next toggle, never kept out of order.
  assert.deepEqual(toggled(items, ['zz', 'b'], 'a'), ['a', 'b']);
});
