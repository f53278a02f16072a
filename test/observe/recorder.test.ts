import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder, type ObservedMessage, type ObservedNode } from '../../sim/observe/recorder.ts';
import { TraceHash } from '../../sim/observe/trace-hash.ts';

class FakeNode implements ObservedNode {
  queueLength = 0;
  peakQueue = 0;
  busy = 0;
  constructor(
    readonly id: string,
    readonly workers = 1,
  ) {}
  busyTime(): number {
    return this.busy;
  }
}

function msg(kind: string, sub: number, bytes = 100, extra: Partial<ObservedMessage> = {}): ObservedMessage {
  return { proto: 'gen', kind, bytes, sub, wire: () => `${kind} for ${sub}`, ...extra };
}

/** Three nodes, population 10, subscribers 0 and 1 watched. */
function setup(traceLimit = 1000) {
  const nodes = [new FakeNode('a'), new FakeNode('b', 2), new FakeNode('c')];
  const watched = new Uint8Array(10);
  watched[0] = 1;
  watched[1] = 1;
  const rec = new Recorder({ nodes, nodeTypes: ['ta', 'tb', 'tc'], population: 10, watched, traceLimit });
  return { nodes, rec };
}

test('counters cover every subscriber; the trace only the watched ones, with wire text', () => {
  const { rec } = setup();
  rec.sent(0, 0, 1, msg('req', 0));
  rec.delivered(10, 0, 1, msg('req', 0));
  rec.sent(0, 0, 1, msg('req', 5, 50));
  rec.delivered(20, 0, 1, msg('req', 5, 50));
  assert.equal(rec.deliveredCount, 2);
  assert.equal(rec.bytesDelivered, 150);
  assert.equal(rec.entries.length, 1);
  const r = rec.entries[0].rec;
  assert.deepEqual(r, { seq: 0, t: 10, from: 'a', to: 'b', proto: 'gen', kind: 'req', subscribers: [0], bytes: 100, wire: 'req for 0', rules: [], event: 'delivered' });
  const n = rec.nodeSummaries(100);
  assert.deepEqual([n.a.msgsOut, n.a.bytesOut, n.b.msgsIn, n.b.bytesIn], [2, 150, 2, 150]);
  assert.deepEqual(n.b.kindsIn, { req: { msgs: 2, bytes: 150 } });
  assert.deepEqual(n.a.kindsOut, { req: { msgs: 2, bytes: 150 } });
});

test('wire text is rendered only for watched subscribers', () => {
  const { rec } = setup();
  let rendered = 0;
  const m = (sub: number) => msg('req', sub, 10, { wire: () => (rendered++, 'x') });
  for (let s = 0; s < 10; s++) rec.delivered(s, 0, 1, m(s));
  assert.equal(rendered, 2);
});

test('a multi-subscriber message is traced if any of its subscribers is watched, with all its ids', () => {
  const { rec } = setup();
  rec.delivered(1, 0, 1, msg('bulk', -1, 300, { subs: Int32Array.from([7, 1, 9]) }));
  rec.delivered(2, 0, 1, msg('bulk', -1, 300, { subs: Int32Array.from([7, 8, 9]) }));
  assert.equal(rec.entries.length, 1);
  assert.deepEqual(rec.entries[0].rec.subscribers, [7, 1, 9]);
  assert.equal(rec.deliveredCount, 2);
});

test('procedure and rule fields are copied; triggers come from (workload), self-messages from (self)', () => {
  const { rec } = setup();
  rec.triggered(5, 0, msg('detach', 0, 0));
  rec.delivered(6, -2, 0, msg('timeout', 0, 0));
  rec.delivered(7, 0, 1, msg('REGISTER', 1, 10, { procedure: 'dereg', rules: ['24.292:6.3.6.2/4'] }));
  const rs = rec.entries.map((e) => e.rec);
  assert.deepEqual(rs.map((r) => [r.from, r.to]), [
    ['(workload)', 'a'],
    ['(self)', 'a'],
    ['a', 'b'],
  ]);
  assert.equal(rs[2].procedure, 'dereg');
  assert.deepEqual(rs[2].rules, ['24.292:6.3.6.2/4']);
  assert.equal('procedure' in rs[0], false);
  assert.deepEqual(rs.map((r) => r.seq), [0, 1, 2]);
});

test('drops: counted by reason and node; watched ones traced with the reason', () => {
  const { rec } = setup();
  rec.dropped(3, 0, 1, msg('req', 0), 'loss');
  rec.dropped(4, 0, 1, msg('req', 5), 'loss');
  rec.dropped(5, 0, 2, msg('req', 6), 'overload');
  assert.equal(rec.droppedTotal, 3);
  assert.deepEqual(rec.dropReasons, { loss: 2, overload: 1 });
  const n = rec.nodeSummaries(10);
  assert.deepEqual([n.a.dropped, n.b.dropped, n.c.dropped], [0, 2, 1]);
  assert.equal(rec.entries.length, 1);
  assert.deepEqual([rec.entries[0].rec.event, rec.entries[0].rec.reason], ['dropped', 'loss']);
  assert.equal(rec.deliveredCount, 0, 'a drop is not a delivery');
});

test('the trace stops at traceLimit; the rest are counted', () => {
  const { rec } = setup(3);
  for (let i = 0; i < 5; i++) rec.delivered(i, 0, 1, msg('req', 0));
  assert.equal(rec.entries.length, 3);
  assert.equal(rec.traceOverflow, 2);
  assert.equal(rec.deliveredCount, 5);
});

test('the trace hash covers every delivery and trigger, watched or not, and not drops', () => {
  const { rec } = setup();
  const h = new TraceHash();
  rec.triggered(1, 0, msg('go', 7, 0));
  h.add(1, -1, 0, 'go', 7, undefined, 0);
  rec.delivered(2, 0, 1, msg('req', 8));
  h.add(2, 0, 1, 'req', 8, undefined, 100);
  rec.dropped(3, 0, 1, msg('req', 0), 'loss');
  assert.equal(rec.hash.hex(), h.hex());
});

test("the trace hash takes each message's content digest, or its byte count when it has none", () => {
  const { rec } = setup();
  const h = new TraceHash();
  rec.delivered(2, 0, 1, msg('req', 8, 100, { digest: () => 0x1234abcd }));
  h.add(2, 0, 1, 'req', 8, undefined, 0x1234abcd);
  rec.delivered(3, 0, 1, msg('req', 8, 100));
  h.add(3, 0, 1, 'req', 8, undefined, 100);
  assert.equal(rec.hash.hex(), h.hex());
  const other = setup().rec;
  other.delivered(2, 0, 1, msg('req', 8, 100, { digest: () => 0x1234abce }));
  other.delivered(3, 0, 1, msg('req', 8, 100));
  assert.notEqual(other.hash.hex(), rec.hash.hex(), 'same kind, bytes, time and ends: only the content differs');
});

test('procedures: outcomes counted, latency over completed ones only, last completion time', () => {
  const { rec } = setup();
  for (let s = 0; s < 4; s++) rec.procedureStarted(0, 0, 'reg', s);
  rec.procedureStarted(0, 0, 'dereg', 0);
  rec.procedureEnded(3_000_000, 0, 'reg', 0, 1_000_000, 'completed');
  rec.procedureEnded(9_000_000, 0, 'reg', 1, 1_000_000, 'completed');
  rec.procedureEnded(5_000_000, 0, 'reg', 2, 0, 'failed');
  rec.procedureEnded(6_000_000, 0, 'reg', 3, 0, 'abandoned');
  const p = rec.procedureSummaries();
  assert.deepEqual(Object.keys(p), ['dereg', 'reg'], 'sorted by name');
  assert.deepEqual(p.reg, {
    started: 4,
    completed: 2,
    failed: 1,
    abandoned: 1,
    latencyMs: { count: 2, mean: 5, p50: 2, p90: 8, p99: 8, max: 8 },
    lastCompletedMs: 9,
  });
  assert.deepEqual(p.dereg.latencyMs, { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
});

test('named signals are summed per node; signalTotal over all nodes', () => {
  const { rec } = setup();
  rec.signal(0, 0, 'retry', 1, 0);
  rec.signal(0, 0, 'retry', 2, 1);
  rec.signal(0, 2, 'retry', 4, 1);
  rec.signal(0, 99, 'retry', 100, 1); // not a node: ignored
  assert.deepEqual(rec.nodeSummaries(1).a.signals, { retry: 3 });
  assert.equal(rec.signalTotal('retry'), 7);
});

test('links: per directed link, only those used; workload triggers are not a link', () => {
  const { rec } = setup();
  rec.delivered(1, 0, 1, msg('req', 5, 10));
  rec.delivered(2, 0, 1, msg('req', 5, 20));
  rec.delivered(3, 1, 0, msg('resp', 5, 5));
  rec.delivered(4, -1, 2, msg('go', 5, 0));
  assert.deepEqual(rec.linkSummaries(), { 'a→b': { msgs: 2, bytes: 30 }, 'b→a': { msgs: 1, bytes: 5 } });
});

test('samples: per-interval deltas, busy as a fraction of workers × interval, queue at the end', () => {
  const { rec, nodes } = setup();
  rec.delivered(1, 0, 1, msg('req', 5, 10));
  nodes[1].busy = 500; // two workers over 1000 ns: 25 %
  nodes[1].queueLength = 4;
  const s1 = rec.sample(1000);
  assert.deepEqual(s1[1], { t: 1000, node: 'b', msgsIn: 1, msgsOut: 0, bytesIn: 10, bytesOut: 0, busy: 0.25, queue: 4, dropped: 0 });
  rec.delivered(1500, 0, 1, msg('req', 5, 10));
  rec.delivered(1600, 0, 1, msg('req', 5, 10));
  rec.dropped(1700, 0, 1, msg('req', 5), 'overload');
  nodes[1].busy = 1500; // +1000 over 2 workers × 1000 ns: 50 %
  nodes[1].queueLength = 0;
  const s2 = rec.sample(2000);
  assert.deepEqual(s2[1], { t: 2000, node: 'b', msgsIn: 2, msgsOut: 0, bytesIn: 20, bytesOut: 0, busy: 0.5, queue: 0, dropped: 1 });
  assert.deepEqual(s2.map((r) => r.node), ['a', 'b', 'c']);
  assert.deepEqual(rec.sample(2000)[1].busy, 0, 'an empty interval');
});

test('node summaries: type, busy over the whole run per worker, busy seconds, peak queue', () => {
  const { rec, nodes } = setup();
  nodes[1].busy = 1e9;
  nodes[1].peakQueue = 12;
  const n = rec.nodeSummaries(2e9);
  assert.equal(n.b.type, 'tb');
  assert.equal(n.b.busy, 0.25);
  assert.equal(n.b.busySeconds, 1);
  assert.equal(n.b.peakQueue, 12);
  assert.equal(rec.nodeSummaries(0).b.busy, 0, 'no simulated time: no division by zero');
});

test('kinds are counted per node in first-seen order, and hashed as TraceHash.add does', () => {
  const { rec } = setup();
  const h = new TraceHash();
  const seq: [number, number, number, string, number, number][] = [
    [1, 0, 1, 'UAR', 3, 40],
    [2, 1, 2, 'SAR', 4, 50],
    [3, 0, 2, 'SAR', 5, 60],
    [4, 0, 1, 'REGISTER', 6, 70],
    [5, 2, 1, 'UAR', 7, 80],
    [6, 0, 1, 'REGISTER', 8, 90],
  ];
  for (const [t, from, to, kind, sub, bytes] of seq) {
    rec.sent(t, from, to, msg(kind, sub, bytes));
    rec.delivered(t, from, to, msg(kind, sub, bytes));
    h.add(t, from, to, kind, sub, undefined, bytes);
  }
  assert.equal(rec.hash.hex(), h.hex());
  const n = rec.nodeSummaries(100);
  assert.deepEqual(Object.entries(n.b.kindsIn), [
    ['UAR', { msgs: 2, bytes: 120 }],
    ['REGISTER', { msgs: 2, bytes: 160 }],
  ]);
  assert.deepEqual(Object.entries(n.c.kindsIn), [['SAR', { msgs: 2, bytes: 110 }]]);
  assert.deepEqual(Object.entries(n.a.kindsOut), [
    ['UAR', { msgs: 1, bytes: 40 }],
    ['SAR', { msgs: 1, bytes: 60 }],
    ['REGISTER', { msgs: 2, bytes: 160 }],
  ]);
  assert.deepEqual(n.a.kindsIn, {});
});

test('procedure curves: completions so far at each sample, and the latency CDF in ms', () => {
  const { rec } = setup();
  rec.procedureStarted(0, 0, 'reg', 0);
  rec.procedureStarted(0, 0, 'reg', 1);
  rec.procedureEnded(2e6, 0, 'reg', 0, 0, 'completed');
  rec.sample(5e6);
  rec.procedureEnded(8e6, 0, 'reg', 1, 0, 'completed');
  rec.procedureStarted(8e6, 0, 'dereg', 1);
  rec.procedureEnded(9e6, 0, 'dereg', 1, 8e6, 'failed');
  rec.sample(10e6);
  const c = rec.procedureCurves(10);
  assert.deepEqual(c.t, [5e6, 10e6]);
  assert.deepEqual(c.procedures.reg.completed, [1, 2]);
  assert.deepEqual(c.procedures.reg.cdfMs, [
    [2, 0.5],
    [2, 0.5],
    [8, 1],
  ]);
  // A procedure first seen after a sample reads 0 there; a failed one adds no latency.
  assert.deepEqual(c.procedures.dereg, { completed: [0, 0], cdfMs: [] });
});
