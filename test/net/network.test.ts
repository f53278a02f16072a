import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../../sim/kernel/simulator.ts';
import { MS, US, SECOND, type Ns } from '../../sim/kernel/time.ts';
import { InProcessNetwork } from '../../sim/net/network.ts';
import { DEFAULT_LINK, type LinkParams } from '../../sim/net/link.ts';
import { NO_SIGNALS, type Signals, type DropReason } from '../../sim/net/signals.ts';
import { ArrivalRecorder, numbered, type Numbered } from './numbered-messages.ts';

type Msg = Numbered;
const msg = (n: number, bytes = 100): Msg => numbered(n, bytes);

interface Event {
  t: Ns;
  from: number;
  to: number;
  n: number;
}

/** Records what the network signals; members it does not record come from NO_SIGNALS. */
class RecordingSignals {
  readonly sentLog: Event[] = [];
  readonly deliveredLog: Event[] = [];
  readonly droppedLog: (Event & { reason: DropReason })[] = [];
  readonly signals: Signals = {
    ...NO_SIGNALS,
    sent: (t, from, to, m) => this.sentLog.push({ t, from, to, n: (m as Msg).n }),
    delivered: (t, from, to, m) => this.deliveredLog.push({ t, from, to, n: (m as Msg).n }),
    dropped: (t, from, at, m, reason) => this.droppedLog.push({ t, from, to: at, n: (m as Msg).n, reason }),
  };
}


function setup(link: Partial<LinkParams>, names = ['a', 'b', 'c'], seed = 1) {
  const sim = new Simulator(seed);
  const signals = new RecordingSignals();
  const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, ...link }, signals.signals, sim.stream('net'));
  const nodes = names.map((id) => new ArrivalRecorder(id, sim));
  for (const n of nodes) net.attach(n);
  return { sim, net, signals, nodes };
}

/** Sends n messages a→b, one every `gap` ns starting at 0, numbered 0..n-1. */
function sendSeries(sim: Simulator, net: InProcessNetwork, from: number, to: number, n: number, gap: Ns, bytes = 100) {
  for (let i = 0; i < n; i++) sim.post(i * gap, () => net.send(from, to, msg(i, bytes)));
}

/** A setup() whose node a sent b `n` messages `gap` apart (sendSeries), run to the end. */
function seriesAB(link: Partial<LinkParams>, n: number, gap: Ns, seed = 1) {
  const w = setup(link, undefined, seed);
  sendSeries(w.sim, w.net, 0, 1, n, gap);
  w.sim.run();
  return w;
}

function inversions(ns: number[]): number {
  let k = 0;
  for (let i = 1; i < ns.length; i++) if (ns[i] < ns[i - 1]) k++;
  return k;
}

test('attach gives consecutive indices; ids are unique and resolvable', () => {
  const { sim, net, nodes } = setup({});
  assert.deepEqual(
    nodes.map((n) => n.index),
    [0, 1, 2],
  );
  assert.equal(net.size, 3);
  assert.equal(net.indexOf('c'), 2);
  assert.equal(net.endpoint(1), nodes[1]);
  assert.throws(() => net.attach(new ArrivalRecorder('a', sim)), /duplicate/);
  assert.throws(() => net.indexOf('nope'), /unknown/);
});

test('a message arrives after the propagation delay, with its sender', () => {
  const { sim, net, nodes } = setup({ delay: 5 * MS });
  net.send(0, 1, msg(1));
  sim.post(2 * MS, () => net.transportFor(2).send(1, msg(2)));
  sim.run();
  assert.deepEqual(nodes[1].arrivals, [
    { t: 5 * MS, from: 0, n: 1 },
    { t: 7 * MS, from: 2, n: 2 },
  ]);
  assert.equal(nodes[0].arrivals.length, 0);
});

test('serialization takes bytes*8/bandwidth; a second message waits behind the first', () => {
  // 8000 bit/s: 100 bytes take 100 ms to transmit.
  const { sim, net, nodes } = setup({ delay: 1 * MS, bandwidth: 8000 });
  assert.equal(net.link(0, 1).serialization(100), 100 * MS);
  net.send(0, 1, msg(1));
  net.send(0, 1, msg(2));
  net.send(0, 1, msg(3, 50));
  // Long after the transmitter went idle: no leftover wait.
  sim.post(1 * SECOND, () => net.send(0, 1, msg(4)));
  sim.run();
  assert.deepEqual(
    nodes[1].arrivals.map((a) => [a.n, a.t]),
    [
      [1, 101 * MS],
      [2, 201 * MS],
      [3, 251 * MS],
      [4, SECOND + 101 * MS],
    ],
  );
});

test('the two directions of a link and other links serialize independently', () => {
  const { sim, net, nodes } = setup({ delay: 1 * MS, bandwidth: 8000 });
  net.send(0, 1, msg(1));
  net.send(0, 1, msg(2));
  net.send(1, 0, msg(3));
  net.send(0, 2, msg(4));
  sim.run();
  assert.deepEqual(
    nodes[1].arrivals.map((a) => [a.n, a.t]),
    [
      [1, 101 * MS],
      [2, 201 * MS],
    ],
  );
  assert.deepEqual(nodes[0].arrivals.map((a) => [a.n, a.t]), [[3, 101 * MS]]);
  assert.deepEqual(nodes[2].arrivals.map((a) => [a.n, a.t]), [[4, 101 * MS]]);
});

test('infinite bandwidth means no serialization delay, however large the message', () => {
  const { sim, net, nodes } = setup({ delay: 2 * MS });
  net.send(0, 1, msg(1, 10_000_000));
  net.send(0, 1, msg(2, 10_000_000));
  sim.run();
  assert.deepEqual(
    nodes[1].arrivals.map((a) => a.t),
    [2 * MS, 2 * MS],
  );
});

test('setLink overrides the defaults for both directions of that link only', () => {
  const { sim, net, nodes } = setup({ delay: 10 * MS });
  net.setLink('a', 'b', { ...DEFAULT_LINK, delay: 1 * MS });
  net.send(0, 1, msg(1));
  net.send(1, 0, msg(2));
  net.send(0, 2, msg(3));
  net.send(2, 1, msg(4));
  sim.run();
  assert.deepEqual(nodes[1].arrivals.map((a) => [a.n, a.t]), [
    [1, 1 * MS],
    [4, 10 * MS],
  ]);
  assert.deepEqual(nodes[0].arrivals.map((a) => [a.n, a.t]), [[2, 1 * MS]]);
  assert.deepEqual(nodes[2].arrivals.map((a) => [a.n, a.t]), [[3, 10 * MS]]);
});

test(
  'setLink takes effect on a link that has already carried traffic',
  () => {
    const { sim, net, nodes } = setup({ delay: 10 * MS });
    net.send(0, 1, msg(1));
    net.send(1, 0, msg(2));
    sim.run();
    // A fault script changes the link mid-run (e.g. a degraded link, DESIGN faults/).
    net.setLink('a', 'b', { ...DEFAULT_LINK, delay: 1 * MS });
    const t0 = sim.now();
    net.send(0, 1, msg(3));
    net.send(1, 0, msg(4));
    sim.run();
    assert.deepEqual(nodes[1].arrivals.map((a) => [a.n, a.t - (a.n === 1 ? 0 : t0)]), [
      [1, 10 * MS],
      [3, 1 * MS],
    ]);
    assert.deepEqual(nodes[0].arrivals.map((a) => [a.n, a.t - (a.n === 2 ? 0 : t0)]), [
      [2, 10 * MS],
      [4, 1 * MS],
    ]);
  },
);

test("datagram loss 1 drops every message with a 'loss' signal at the far end", () => {
  const { signals, nodes } = seriesAB({ delay: 1 * MS, loss: 1 }, 50, 1 * MS);
  assert.equal(nodes[1].arrivals.length, 0);
  assert.equal(signals.deliveredLog.length, 0);
  assert.equal(signals.sentLog.length, 50);
  assert.equal(signals.droppedLog.length, 50);
  for (const d of signals.droppedLog) {
    assert.equal(d.reason, 'loss');
    assert.equal(d.from, 0);
    assert.equal(d.to, 1);
  }
  assert.deepEqual(
    signals.droppedLog.map((d) => d.n),
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test('datagram loss 0 drops nothing', () => {
  const { signals, nodes } = seriesAB({ delay: 1 * MS, loss: 0 }, 1000, 1 * US);
  assert.equal(nodes[1].arrivals.length, 1000);
  assert.equal(signals.droppedLog.length, 0);
});

test('datagram loss 0.3 drops about 30% of many messages', () => {
  const n = 20_000;
  const { signals, nodes } = seriesAB({ delay: 1 * MS, loss: 0.3 }, n, 1 * US);
  const lost = signals.droppedLog.filter((d) => d.reason === 'loss').length;
  assert.equal(lost + nodes[1].arrivals.length, n);
  const se = Math.sqrt((0.3 * 0.7) / n);
  assert.ok(Math.abs(lost / n - 0.3) < 5 * se, `lost ${lost} of ${n}`);
});

test('a stream transport never loses, whatever the loss setting', () => {
  const { signals, nodes } = seriesAB({ delay: 1 * MS, loss: 1, transport: 'stream' }, 500, 10 * US);
  assert.equal(nodes[1].arrivals.length, 500);
  assert.equal(signals.droppedLog.length, 0);
});

// Jitter much larger than the gap between messages: a datagram link reorders, a stream must not.
const REORDER_LINK: Partial<LinkParams> = { delay: 1 * MS, jitter: 5 * MS };

test('a datagram link with large jitter reorders messages', () => {
  const { nodes } = seriesAB({ ...REORDER_LINK, transport: 'datagram' }, 500, 10 * US, 42);
  assert.equal(nodes[1].arrivals.length, 500);
  assert.ok(inversions(nodes[1].arrivals.map((a) => a.n)) > 0, 'no reordering with 5 ms jitter over 10 us gaps');
});

test('a stream transport never reorders, even with large jitter (and still applies it)', () => {
  const { nodes } = seriesAB({ ...REORDER_LINK, transport: 'stream', loss: 0.5 }, 500, 10 * US, 42);
  const arr = nodes[1].arrivals;
  assert.deepEqual(
    arr.map((a) => a.n),
    Array.from({ length: 500 }, (_, i) => i),
  );
  for (let i = 1; i < arr.length; i++) assert.ok(arr[i].t >= arr[i - 1].t);
  // Each message waits at least its own delay, at most the largest delay drawn so far.
  for (const a of arr) {
    const sentAt = a.n * 10 * US;
    assert.ok(a.t - sentAt >= 1 * MS, `message ${a.n} arrived too early`);
  }
  assert.ok(arr[arr.length - 1].t > 499 * 10 * US + 1 * MS, 'jitter was not applied on the stream');
});

test('jitter stays within [0, jitter] and spreads over that range', () => {
  const { sim, net, signals } = setup({ delay: 5 * MS, jitter: 2 * MS });
  const n = 2000;
  sendSeries(sim, net, 0, 1, n, 1 * MS);
  sim.run();
  const sent = new Map(signals.sentLog.map((e) => [e.n, e.t]));
  const extra = signals.deliveredLog.map((e) => e.t - sent.get(e.n)! - 5 * MS);
  assert.equal(extra.length, n);
  for (const x of extra) {
    assert.ok(x >= 0 && x <= 2 * MS, `jitter ${x} outside [0, 2 ms]`);
    assert.ok(Number.isInteger(x), `arrival not on the integer ns grid: ${x}`);
  }
  assert.ok(Math.min(...extra) < 0.05 * MS);
  assert.ok(Math.max(...extra) > 1.95 * MS);
  const meanExtra = extra.reduce((s, x) => s + x, 0) / n;
  assert.ok(Math.abs(meanExtra - 1 * MS) < 0.05 * MS, `mean jitter ${meanExtra}`);
});

test("an unroutable destination gives an 'unroutable' drop and schedules nothing", () => {
  const { sim, net, signals, nodes } = setup({ delay: 1 * MS });
  net.send(0, 99, msg(1));
  net.send(0, -1, msg(2));
  assert.equal(sim.pending, 0);
  sim.run();
  assert.deepEqual(
    signals.droppedLog.map((d) => [d.n, d.reason, d.to]),
    [
      [1, 'unroutable', 99],
      [2, 'unroutable', -1],
    ],
  );
  assert.equal(signals.sentLog.length, 2);
  assert.equal(signals.deliveredLog.length, 0);
  assert.ok(nodes.every((n) => n.arrivals.length === 0));
});

test('sent is signalled at send time and delivered at arrival time, once per message', () => {
  const { sim, net, signals, nodes } = setup({ delay: 3 * MS });
  sendSeries(sim, net, 0, 1, 4, 1 * MS);
  sim.post(0, () => net.send(2, 0, msg(9)));
  sim.run();
  assert.deepEqual(signals.sentLog, [
    { t: 0, from: 0, to: 1, n: 0 },
    { t: 0, from: 2, to: 0, n: 9 },
    { t: 1 * MS, from: 0, to: 1, n: 1 },
    { t: 2 * MS, from: 0, to: 1, n: 2 },
    { t: 3 * MS, from: 0, to: 1, n: 3 },
  ]);
  assert.deepEqual(signals.deliveredLog, [
    { t: 3 * MS, from: 0, to: 1, n: 0 },
    { t: 3 * MS, from: 2, to: 0, n: 9 },
    { t: 4 * MS, from: 0, to: 1, n: 1 },
    { t: 5 * MS, from: 0, to: 1, n: 2 },
    { t: 6 * MS, from: 0, to: 1, n: 3 },
  ]);
  assert.equal(nodes[1].arrivals.length + nodes[0].arrivals.length, signals.deliveredLog.length);
});

test('the same seed gives the same losses and jitter; another seed does not', () => {
  const run = (seed: number) => {
    const { nodes } = seriesAB({ delay: 1 * MS, jitter: 1 * MS, loss: 0.2 }, 300, 10 * US, seed);
    return nodes[1].arrivals.map((a) => `${a.n}@${a.t}`);
  };
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));
});

test('a plain link (delay only) that setLink makes lossy or slow mid-run takes the new terms at once', () => {
  const { sim, net, nodes, signals } = setup({ delay: 1 * MS });
  net.send(0, 1, msg(1));
  sim.run();
  assert.equal(net.link(0, 1).plain, true);
  net.setLink('a', 'b', { ...DEFAULT_LINK, delay: 1 * MS, loss: 1 });
  assert.equal(net.link(0, 1).plain, false);
  net.send(0, 1, msg(2));
  sim.run();
  assert.deepEqual(signals.droppedLog.map((d) => [d.n, d.reason]), [[2, 'loss']]);
  // 1000 bytes at 8 Mbit/s: 1 ms of serialization on top of the delay.
  net.setLink('a', 'b', { ...DEFAULT_LINK, delay: 1 * MS, bandwidth: 8e6 });
  const t0 = sim.now();
  net.send(0, 1, msg(3, 1000));
  sim.run();
  assert.deepEqual(nodes[1].arrivals.map((a) => a.n), [1, 3]);
  assert.equal(nodes[1].arrivals[1].t - t0, 2 * MS);
  // A stream with loss set is still plain (a stream ignores loss) and keeps its order.
  net.setLink('a', 'b', { ...DEFAULT_LINK, delay: 1 * MS, loss: 0.5, transport: 'stream' });
  assert.equal(net.link(0, 1).plain, true);
  for (let i = 10; i < 20; i++) net.send(0, 1, msg(i));
  sim.run();
  assert.deepEqual(nodes[1].arrivals.slice(2).map((a) => a.n), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
});
