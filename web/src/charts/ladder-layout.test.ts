import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { arrowAt, LADDER, ladderHeight, layoutLanes, rowY, visibleRows } from './ladder-layout.ts';

const NODES = ['msc', 'icscf', 'scscf', 'hss', 'far'].map((id) => ({ id, type: id }));

test('layoutLanes: six lanes of the detach scenario fit 520 px — the workload narrow on the left, nodes sharing the rest', () => {
  const l = layoutLanes(NODES, ['(workload)', 'msc', 'far'], 520);
  assert.deepEqual(l.lanes.map((x) => x.id), ['(workload)', 'msc', 'icscf', 'scscf', 'hss', 'far']);
  assert.equal(l.lanes[0]!.width, LADDER.pseudoLane);
  assert.ok(l.width <= 520, `${l.width} px`);
  const last = l.lanes[l.lanes.length - 1]!;
  assert.ok(last.x + last.width / 2 <= 520);
});

test('layoutLanes: lanes never get narrower than minLaneGap (the ladder then scrolls) nor wider than maxLaneGap', () => {
  const many = Array.from({ length: 20 }, (_, i) => ({ id: `n${i}`, type: '' }));
  assert.ok(layoutLanes(many, [], 400).width > 400);
  const wide = layoutLanes(NODES.slice(0, 2), [], 2000);
  assert.equal(wide.lanes[0]!.width, LADDER.maxLaneGap);
  assert.equal(wide.width, 2000);
});

test('arrowAt: a dropped message stops short with its ✕; a self message loops; rows are evenly spaced', () => {
  const l = layoutLanes(NODES, [], 800);
  const base: TraceRecord = { seq: 0, t: 0, from: 'msc', to: 'hss', proto: 'sip', kind: 'X', subscribers: [], bytes: 0, wire: '', rules: [], event: 'delivered' };
  const a = arrowAt(l, base, 3);
  assert.equal(a.x2, l.xOf.get('hss'));
  assert.equal(a.y, rowY(3));
  const d = arrowAt(l, { ...base, event: 'dropped' }, 0);
  assert.ok(d.dropped && d.x2 < l.xOf.get('hss')! && d.x2 > l.xOf.get('msc')!);
  assert.ok(arrowAt(l, { ...base, to: 'msc' }, 0).self);
  assert.equal(rowY(1) - rowY(0), LADDER.row);
  assert.equal(ladderHeight(0), LADDER.top + LADDER.bottom);
});

test('visibleRows: only the rows in the viewport plus the overscan, clamped to the trace', () => {
  assert.deepEqual(visibleRows(0, 300, 100_000, 0), { first: 0, last: 10 });
  const mid = visibleRows(LADDER.row * 50_000, 300, 100_000, 5);
  assert.ok(mid.first <= 50_000 && mid.first >= 49_990 && mid.last - mid.first < 30);
  assert.deepEqual(visibleRows(LADDER.row * 200_000, 300, 100, 3), { first: 100, last: 100 });
  assert.deepEqual(visibleRows(0, 300, 0), { first: 0, last: 0 });
});
