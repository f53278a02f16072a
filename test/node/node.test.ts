import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../../sim/kernel/simulator.ts';
import { TimerState, type Timer } from '../../sim/kernel/clock.ts';
import { MS, US, type Ns } from '../../sim/kernel/time.ts';
import { InProcessNetwork } from '../../sim/net/network.ts';
import { DEFAULT_LINK, type LinkParams } from '../../sim/net/link.ts';
import type { Message } from '../../sim/net/message.ts';
import { NO_SIGNALS, type Signals, type DropReason } from '../../sim/net/signals.ts';
import { ArrivalRecorder, numbered, type Numbered } from '../net/numbered-messages.ts';
import { Node, FROM_SELF, FROM_WORKLOAD } from '../../sim/node/node.ts';
import { ZERO_COST, type CapacityConfig, type ServiceCost } from '../../sim/node/capacity.ts';
import { simulationPorts } from '../../sim/scenario/simulation-ports.ts';

type Msg = Numbered;
const msg = (n: number, kind = 'request', entries = 1, bytes = 100): Msg => numbered(n, bytes, kind, entries);

/** Records sends and drops; members it does not record come from NO_SIGNALS. */
class RecordingSignals {
  readonly sentLog: { t: Ns; from: number; to: number; n: number }[] = [];
  readonly droppedLog: { t: Ns; from: number; at: number; n: number; reason: DropReason }[] = [];
  readonly signals: Signals = {
    ...NO_SIGNALS,
    sent: (t, from, to, m) => this.sentLog.push({ t, from, to, n: (m as Msg).n }),
    dropped: (t, from, at, m, reason) => this.droppedLog.push({ t, from, at, n: (m as Msg).n, reason }),
    // Lost after delivery (crash, an injected drop): a drop all the same for these tests.
    discarded: (t, from, at, m, reason) => this.droppedLog.push({ t, from, at, n: (m as Msg).n, reason }),
  };
}

/** A model that records every handleMessage call; `react` lets a test act inside it. */
class TestNode extends Node {
  readonly handled: { t: Ns; n: number; from: number }[] = [];
  crashes = 0;
  starts = 0;
  react: ((m: Msg, from: number) => void) | undefined;

  protected override handleMessage(m: Message, from: number): void {
    this.handled.push({ t: this.now(), n: (m as Msg).n, from });
    this.react?.(m as Msg, from);
  }
  protected override onCrash(): void {
    this.crashes++;
  }
  protected override onStart(): void {
    this.starts++;
  }
  sendTo(to: number, m: Message): void {
    this.send(to, m);
  }
  selfAfter(delay: Ns, m: Message): Timer {
    return this.scheduleSelf(delay, m);
  }
  cancelSelf(t: Timer): void {
    this.cancel(t);
  }
}

class OverloadNode extends TestNode {
  readonly overloads: { t: Ns; n: number; from: number }[] = [];
  protected override onOverload(m: Message, from: number): void {
    this.overloads.push({ t: this.now(), n: (m as Msg).n, from });
  }
}


function cost(perMessage: Ns, perEntry: Ns = 0, perByte: Ns = 0): ServiceCost {
  return { perMessage, perEntry, perByte };
}

function setup(capacity: Partial<CapacityConfig>, link: Partial<LinkParams> = {}) {
  const sim = new Simulator(1);
  const signals = new RecordingSignals();
  const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, ...link }, signals.signals, sim.stream('net'));
  const cfg: CapacityConfig = { workers: 1, queueLimit: Infinity, defaultCost: ZERO_COST, byKind: {}, ...capacity };
  const node = new TestNode('n', { ...simulationPorts(sim, net), signals: signals.signals, capacity: cfg });
  node.start();
  return { sim, net, signals, node, cfg };
}

/** Delivers messages to the node (as the workload does) at time t. */
function arriveAt(sim: Simulator, node: Node, t: Ns, ...ms: Msg[]): void {
  sim.post(t, () => {
    for (const m of ms) node.receive(m, FROM_WORKLOAD);
  });
}

/** Workers busy and messages queued at `node` now. */
function assertOccupancy(node: Node, busy: number, queued: number): void {
  assert.equal(node.busyWorkers, busy, 'busy workers');
  assert.equal(node.queueLength, queued, 'queue length');
}

/** What TestNode handled, as [message number, time in ms], in order. */
function handledMs(node: TestNode): [number, number][] {
  return node.handled.map((h) => [h.n, h.t / MS]);
}

test('service time = perMessage + perEntry×entries + perByte×bytes, per kind or default', () => {
  const { sim, node } = setup({
    defaultCost: cost(1 * MS, 100 * US, 10),
    byKind: { BULK: cost(5 * MS, 1 * MS, 1) },
  });
  // Each arrives when the node is idle, so handled time - arrival time is the service time.
  arriveAt(sim, node, 0, msg(1, 'request', 3, 1000)); // 1 ms + 0.3 ms + 10 us
  arriveAt(sim, node, 100 * MS, msg(2, 'BULK', 10, 5000)); // 5 ms + 10 ms + 5 us
  arriveAt(sim, node, 200 * MS, msg(3, 'other', 1, 0)); // default: 1 ms + 0.1 ms
  sim.run();
  assert.deepEqual(
    node.handled.map((h) => [h.n, h.t]),
    [
      [1, 1_310_000],
      [2, 100 * MS + 15_005_000],
      [3, 200 * MS + 1_100_000],
    ],
  );
  assert.equal(node.costs.serviceTime(msg(0, 'BULK', 100, 0)), 105 * MS);
  assert.equal(node.served, 3);
});

test('a kind override leaves other nodes built from the same config alone', () => {
  const { sim, net, signals, node, cfg } = setup({ defaultCost: cost(1 * MS) });
  const other = new TestNode('other', { ...simulationPorts(sim, net), signals: signals.signals, capacity: cfg });
  node.costs.set('request', cost(7 * MS));
  assert.equal(node.costs.serviceTime(msg(0)), 7 * MS);
  assert.equal(other.costs.serviceTime(msg(0)), 1 * MS);
  node.costs.set(undefined, cost(2 * MS));
  assert.equal(node.costs.serviceTime(msg(0, 'other')), 2 * MS);
  assert.equal(other.costs.serviceTime(msg(0, 'other')), 1 * MS);
  assert.deepEqual(cfg.byKind, {});
  assert.deepEqual(cfg.defaultCost, cost(1 * MS));
});

test('one worker serves in FIFO order, each message after the previous one', () => {
  const { sim, node } = setup({ defaultCost: cost(1 * MS) });
  arriveAt(sim, node, 0, msg(0), msg(1), msg(2));
  arriveAt(sim, node, 500 * US, msg(3), msg(4));
  sim.post(500 * US, () => assertOccupancy(node, 1, 4));
  sim.run();
  assert.deepEqual(handledMs(node), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
  assertOccupancy(node, 0, 0);
});

test('after a service the worker takes the next queued message at once, with its own service time', () => {
  const { sim, node } = setup({ byKind: { short: cost(1 * MS), long: cost(5 * MS) } });
  arriveAt(sim, node, 0, msg(0, 'short'), msg(1, 'long'), msg(2, 'short'));
  // Arrives when the worker is idle again: served at once.
  arriveAt(sim, node, 20 * MS, msg(3, 'long'));
  sim.run();
  assert.deepEqual(handledMs(node), [[0, 1], [1, 6], [2, 7], [3, 25]]);
});

test('two workers serve two messages in parallel; the third waits for the first free one', () => {
  const { sim, node } = setup({ workers: 2, defaultCost: cost(10 * MS) });
  arriveAt(sim, node, 0, msg(0), msg(1), msg(2));
  sim.post(5 * MS, () => assertOccupancy(node, 2, 1));
  sim.run();
  assert.deepEqual(handledMs(node), [[0, 10], [1, 10], [2, 20]]);
});

test("queueLimit: with 1 worker and limit 2, the 4th simultaneous message gets a dropped 'overload'", () => {
  const { sim, node, signals } = setup({ queueLimit: 2, defaultCost: cost(1 * MS) });
  sim.post(0, () => {
    for (let i = 0; i < 4; i++) node.receive(msg(i), 7);
  });
  sim.run();
  assert.deepEqual(signals.droppedLog, [{ t: 0, from: 7, at: node.index, n: 3, reason: 'overload' }]);
  assert.deepEqual(
    node.handled.map((h) => h.n),
    [0, 1, 2],
  );
  assert.equal(node.peakQueue, 2);
  assert.equal(node.refused, 1);
});

test('queueLimit: a model overriding onOverload gets the refused message instead', () => {
  const sim = new Simulator(1);
  const signals = new RecordingSignals();
  const net = new InProcessNetwork(sim, DEFAULT_LINK, signals.signals, sim.stream('net'));
  const node = new OverloadNode('o', {
    ...simulationPorts(sim, net),
    signals: signals.signals,
    capacity: { workers: 1, queueLimit: 2, defaultCost: cost(1 * MS), byKind: {} },
  });
  node.start();
  sim.post(3 * MS, () => {
    for (let i = 0; i < 5; i++) node.receive(msg(i), 4);
  });
  sim.run();
  assert.deepEqual(node.overloads, [
    { t: 3 * MS, n: 3, from: 4 },
    { t: 3 * MS, n: 4, from: 4 },
  ]);
  assert.equal(signals.droppedLog.length, 0);
  assert.equal(node.peakQueue, 2);
  assert.equal(node.refused, 2);
});

test('busyTime() counts finished services and the part of services under way', () => {
  const { sim, node } = setup({ workers: 2, defaultCost: cost(10 * MS) });
  arriveAt(sim, node, 0, msg(0), msg(1));
  arriveAt(sim, node, 20 * MS, msg(2));
  const seen: [number, number][] = [];
  for (const t of [0, 4, 10, 15, 25, 40]) sim.post(t * MS, () => seen.push([t, node.busyTime() / MS]));
  sim.run();
  assert.deepEqual(seen, [
    [0, 0],
    [4, 8],
    [10, 20],
    [15, 20],
    [25, 25],
    [40, 30],
  ]);
});

test('what handleMessage sends leaves at the end of the service', () => {
  const { sim, net, node, signals } = setup({ defaultCost: cost(7 * MS) }, { delay: 2 * MS });
  const sink = new ArrivalRecorder('sink', sim);
  net.attach(sink);
  node.react = (m, from) => {
    if (from !== FROM_SELF) node.sendTo(sink.index, msg(m.n + 100));
  };
  arriveAt(sim, node, 1 * MS, msg(1), msg(2));
  sim.run();
  assert.deepEqual(
    signals.sentLog.map((s) => [s.n, s.t / MS]),
    [
      [101, 8],
      [102, 15],
    ],
  );
  assert.deepEqual(sink.arrivals, [
    { t: 10 * MS, n: 101, from: node.index },
    { t: 17 * MS, n: 102, from: node.index },
  ]);
});

test("a node that has not started (state 'down') refuses with 'node-down'; after start() it serves", () => {
  const sim = new Simulator(1);
  const signals = new RecordingSignals();
  const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, delay: 1 * MS }, signals.signals, sim.stream('net'));
  const capacity: CapacityConfig = { workers: 1, queueLimit: Infinity, defaultCost: cost(1 * MS), byKind: {} };
  const sender = new TestNode('sender', { ...simulationPorts(sim, net), signals: signals.signals, capacity });
  const node = new TestNode('n', { ...simulationPorts(sim, net), signals: signals.signals, capacity });
  assert.equal(node.state, 'down');
  assert.equal(node.starts, 0);
  sender.start();
  sim.post(0, () => sender.sendTo(node.index, msg(1)));
  sim.post(5 * MS, () => node.start());
  sim.post(5 * MS, () => sender.sendTo(node.index, msg(2)));
  sim.run();
  assert.deepEqual(signals.droppedLog, [{ t: 1 * MS, from: sender.index, at: node.index, n: 1, reason: 'node-down' }]);
  assert.equal(node.state, 'up');
  assert.equal(node.starts, 1);
  assert.deepEqual(node.handled, [{ t: 7 * MS, n: 2, from: sender.index }]);
});

test("a stopped node refuses new messages with 'node-down'", () => {
  const { sim, node, signals } = setup({ defaultCost: cost(1 * MS) });
  sim.post(0, () => node.stop());
  arriveAt(sim, node, 1 * MS, msg(1));
  sim.run();
  assert.equal(node.state, 'stopped');
  assert.deepEqual(
    signals.droppedLog.map((d) => [d.n, d.reason]),
    [[1, 'node-down']],
  );
  assert.equal(node.handled.length, 0);
});

test(
  'stop() then start(): messages queued before the stop are served, in order, before later arrivals',
  () => {
    const { sim, node, signals } = setup({ defaultCost: cost(10 * MS) });
    arriveAt(sim, node, 0, msg(0), msg(1), msg(2));
    sim.post(5 * MS, () => node.stop());
    sim.post(15 * MS, () => node.start());
    arriveAt(sim, node, 100 * MS, msg(3));
    sim.run();
    // Every message received is either handled or dropped with a signal, and never overtaken.
    const dropped = new Set(signals.droppedLog.map((d) => d.n));
    const handled = node.handled.map((h) => h.n);
    for (const n of [0, 1, 2, 3]) assert.ok(handled.includes(n) !== dropped.has(n), `message ${n}`);
    assert.deepEqual(
      handled,
      [...handled].sort((a, b) => a - b),
    );
    // Nothing is left waiting for an arrival that may never come.
    const before3 = node.handled.filter((h) => h.n !== 3);
    assert.ok(before3.every((h) => h.t < 100 * MS), JSON.stringify(node.handled));
  },
);

test("crash(): queued and in-service messages are dropped with 'crash', and onCrash is called", () => {
  const { sim, node, signals } = setup({ workers: 2, defaultCost: cost(10 * MS) });
  sim.post(0, () => {
    for (let i = 0; i < 5; i++) node.receive(msg(i), 3);
  });
  sim.post(5 * MS, () => node.crash());
  sim.run();
  assert.equal(node.state, 'crashed');
  assert.equal(node.crashes, 1);
  assert.deepEqual(node.handled, []);
  assert.deepEqual(
    signals.droppedLog.map((d) => [d.n, d.reason, d.t / MS, d.from, d.at]).sort((a, b) => +a[0] - +b[0]),
    [0, 1, 2, 3, 4].map((n) => [n, 'crash', 5, 3, node.index]),
  );
  assertOccupancy(node, 0, 0);
  // Work done before the crash still counts as busy time: 2 workers × 5 ms.
  assert.equal(node.busyTime(), 10 * MS);
  assert.equal(node.served, 0);
});

test('crash(): a crashed node refuses arrivals until restarted', () => {
  const { sim, node, signals } = setup({ defaultCost: cost(1 * MS) });
  sim.post(0, () => node.crash());
  arriveAt(sim, node, 1 * MS, msg(1));
  sim.run();
  assert.deepEqual(
    signals.droppedLog.map((d) => [d.n, d.reason]),
    [[1, 'node-down']],
  );
});

test('crash(): self-messages scheduled before the crash never arrive, even after a restart', () => {
  const { sim, node } = setup({});
  sim.post(0, () => {
    node.selfAfter(10 * MS, msg(1));
    node.selfAfter(30 * MS, msg(2));
  });
  sim.post(5 * MS, () => node.crash());
  sim.post(6 * MS, () => node.start());
  // A timer set in the new life does arrive.
  sim.post(7 * MS, () => node.selfAfter(10 * MS, msg(3)));
  sim.run();
  assert.deepEqual(node.handled, [{ t: 17 * MS, n: 3, from: FROM_SELF }]);
  assert.equal(node.starts, 2);
});

test('after crash and restart the node serves again', () => {
  const { sim, node, signals } = setup({ workers: 2, defaultCost: cost(3 * MS) });
  arriveAt(sim, node, 0, msg(0), msg(1), msg(2));
  sim.post(1 * MS, () => node.crash());
  sim.post(2 * MS, () => node.start());
  arriveAt(sim, node, 50 * MS, msg(10), msg(11), msg(12));
  sim.run();
  assert.equal(node.state, 'up');
  assert.deepEqual(handledMs(node), [[10, 53], [11, 53], [12, 56]]);
  assert.equal(signals.droppedLog.filter((d) => d.reason === 'crash').length, 3);
});

// Regression: a completion event scheduled before a crash must not end a service begun after the
// restart (the old event would fire at the old due time, ending the new message early).
test('a message begun after a restart completes after its own full service time, not at a stale completion', () => {
  const { sim, node } = setup({ defaultCost: cost(10 * MS) });
  arriveAt(sim, node, 0, msg(0)); // old completion due at 10 ms
  sim.post(5 * MS, () => node.crash());
  sim.post(6 * MS, () => node.start());
  arriveAt(sim, node, 7 * MS, msg(1)); // must complete at 17 ms
  sim.post(10 * MS + 1, () => {
    assert.equal(node.busyWorkers, 1, 'the new service was ended by the stale completion');
  });
  sim.run();
  assert.deepEqual(node.handled, [{ t: 17 * MS, n: 1, from: FROM_WORKLOAD }]);
  assert.equal(node.served, 1);
  assert.equal(node.busyTime(), 5 * MS + 10 * MS);
});

test('stale completions stay harmless over several crash/restart cycles and with several workers', () => {
  const { sim, node } = setup({ workers: 2, defaultCost: cost(10 * MS) });
  arriveAt(sim, node, 0, msg(0), msg(1)); // due at 10 ms
  sim.post(2 * MS, () => node.crash());
  sim.post(2 * MS, () => node.start());
  arriveAt(sim, node, 3 * MS, msg(2), msg(3)); // due at 13 ms
  sim.post(4 * MS, () => node.crash());
  sim.post(4 * MS, () => node.start());
  arriveAt(sim, node, 5 * MS, msg(4), msg(5), msg(6)); // 4, 5 due at 15 ms, 6 at 25 ms
  sim.run();
  assert.deepEqual(handledMs(node), [[4, 15], [5, 15], [6, 25]]);
  assert.equal(node.served, 3);
  assertOccupancy(node, 0, 0);
});

test('scheduleSelf reaches handleMessage with FROM_SELF at its time, at no service cost', () => {
  const { sim, node } = setup({ defaultCost: cost(10 * MS) });
  arriveAt(sim, node, 0, msg(0), msg(1)); // worker busy 0..20 ms
  sim.post(1 * MS, () => node.selfAfter(2 * MS, msg(50)));
  sim.post(3 * MS + 1, () => {
    // The timer took no worker and did not touch the queue.
    assert.equal(node.busyWorkers, 1);
    assert.equal(node.queueLength, 1);
  });
  sim.run();
  assert.deepEqual(
    node.handled.map((h) => [h.n, h.t / MS, h.from]),
    [
      [50, 3, FROM_SELF],
      [0, 10, FROM_WORKLOAD],
      [1, 20, FROM_WORKLOAD],
    ],
  );
  assert.equal(node.served, 2);
  assert.equal(node.busyTime(), 20 * MS);
});

test('cancel() of a self-message: it never arrives; others still do', () => {
  const { sim, node } = setup({});
  let t1: Timer | undefined;
  sim.post(0, () => {
    t1 = node.selfAfter(5 * MS, msg(1));
    node.selfAfter(6 * MS, msg(2));
  });
  sim.post(2 * MS, () => node.cancelSelf(t1!));
  sim.run();
  assert.deepEqual(node.handled, [{ t: 6 * MS, n: 2, from: FROM_SELF }]);
  assert.equal(t1!.state, TimerState.Cancelled);
});
