// Node lifecycle and capacity in every world (test/worlds/world.ts): nodes built by hand on the
// world's ports, messages sent through its transport, time let pass by the world. What is checked is
// what DESIGN's capacity model and INET's lifecycle promise: FIFO service at the configured cost,
// parallel workers, the queue limit's overload answer, stop / crash / restart, sends leaving at the
// end of the service. Times are compared within the world's tolerance (0 in virtual time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS, type Ns } from '../../sim/kernel/time.ts';
import type { Message } from '../../sim/net/message.ts';
import { NO_SIGNALS, type DropReason, type Signals } from '../../sim/net/signals.ts';
import { Node, FROM_SELF } from '../../sim/node/node.ts';
import { ZERO_COST, type CapacityConfig } from '../../sim/node/capacity.ts';
import { WORLDS, type OpenWorld, type World } from './world.ts';

interface Msg extends Message {
  readonly n: number;
}
const msg = (n: number): Msg => ({ proto: 'gen', kind: 'request', bytes: 100, entries: 1, sub: -1, n });

class Drops {
  readonly log: { t: Ns; n: number; reason: DropReason }[] = [];
  constructor(private readonly now: () => Ns) {}
  readonly signals: Signals = {
    ...NO_SIGNALS,
    // Refused on arrival (dropped) or lost after delivery, in the queue or in service (discarded).
    dropped: (_t, _from, _at, m, reason) => this.log.push({ t: this.now(), n: (m as Msg).n, reason }),
    discarded: (_t, _from, _at, m, reason) => this.log.push({ t: this.now(), n: (m as Msg).n, reason }),
  };
}

/** Records what it handles; can send, reply and set self-messages. */
class Probe extends Node {
  readonly handled: { t: Ns; n: number; from: number }[] = [];
  reply: number | undefined;
  protected override handleMessage(m: Message, from: number): void {
    this.handled.push({ t: this.now(), n: (m as Msg).n, from });
    if (this.reply !== undefined && from >= 0) this.send(from, msg((m as Msg).n + this.reply));
  }
  sendTo(to: number, m: Message): void {
    this.send(to, m);
  }
  selfAfter(delay: Ns, m: Message): void {
    this.scheduleSelf(delay, m);
  }
}

const capacity = (c: Partial<CapacityConfig>): CapacityConfig => ({ workers: 1, queueLimit: Infinity, defaultCost: ZERO_COST, byKind: {}, ...c });
const cost = (ms: number) => ({ perMessage: ms * MS, perEntry: 0, perByte: 0 });

/** Opens a world with a sender and a server 2 ms apart; `at(t, fn)` acts at time t of the world. */
async function setup(world: World, server: Partial<CapacityConfig>) {
  let w: OpenWorld | undefined;
  const drops = new Drops(() => w!.ports.clock.now());
  w = await world.open({ link: { delay: 2 * MS }, signals: drops.signals });
  const ctx = (c: CapacityConfig) => ({ ...w!.ports, signals: drops.signals, capacity: c });
  const sender = new Probe('sender', ctx(capacity({})));
  const node = new Probe('server', ctx(capacity(server)));
  sender.start();
  node.start();
  const t0 = w.ports.clock.now();
  const at = (t: Ns, fn: () => void) => w!.ports.clock.postIn(Math.max(0, t0 + t - w!.ports.clock.now()), fn);
  return { w, sender, node, drops, at, t0 };
}

function near(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.map((x) => x / MS)} vs ${expected.map((x) => x / MS)} ms`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `${what}[${i}]: ${a / MS} ms, expected ${expected[i] / MS} ms (± ${tol / MS})`));
}

for (const world of WORLDS) {
  test(`${world.name}: one worker serves in FIFO order, each message its service time after the previous one`, async () => {
    const { w, sender, node, at, t0 } = await setup(world, { defaultCost: cost(5) });
    try {
      at(0, () => [1, 2, 3].forEach((n) => sender.sendTo(node.index, msg(n))));
      await w.run(t0 + 50 * MS);
      assert.deepEqual(node.handled.map((h) => h.n), [1, 2, 3]);
      near(node.handled.map((h) => h.t - t0), [7, 12, 17].map((x) => x * MS), w.tolerance, 'handled at');
      assert.equal(node.served, 3);
    } finally {
      await w.close();
    }
  });

  test(`${world.name}: two workers serve in parallel; beyond the queue limit the arrival is refused as 'overload'`, async () => {
    const { w, sender, node, drops, at, t0 } = await setup(world, { workers: 2, queueLimit: 1, defaultCost: cost(10) });
    try {
      at(0, () => [1, 2, 3, 4].forEach((n) => sender.sendTo(node.index, msg(n))));
      await w.run(t0 + 60 * MS);
      assert.deepEqual(node.handled.map((h) => h.n), [1, 2, 3]);
      near(node.handled.map((h) => h.t - t0), [12, 12, 22].map((x) => x * MS), w.tolerance, 'handled at');
      assert.deepEqual(drops.log.map((d) => [d.n, d.reason]), [[4, 'overload']]);
      assert.equal(node.refused, 1);
      assert.equal(node.peakQueue, 1);
    } finally {
      await w.close();
    }
  });

  test(`${world.name}: what handleMessage sends leaves at the end of the service`, async () => {
    const { w, sender, node, at, t0 } = await setup(world, { defaultCost: cost(5) });
    try {
      node.reply = 100;
      at(0, () => sender.sendTo(node.index, msg(1)));
      await w.run(t0 + 30 * MS);
      // 2 ms there, 5 ms of service, 2 ms back.
      assert.deepEqual(sender.handled.map((h) => [h.n, h.from]), [[101, node.index]]);
      near(sender.handled.map((h) => h.t - t0), [9 * MS], w.tolerance, 'reply at');
    } finally {
      await w.close();
    }
  });

  test(`${world.name}: stop refuses new messages as 'node-down'; crash loses the queue and the self-messages; restart serves again`, async () => {
    const { w, sender, node, drops, at, t0 } = await setup(world, { defaultCost: cost(10) });
    try {
      at(0, () => {
        node.selfAfter(30 * MS, msg(90)); // void: set before the crash
        [1, 2].forEach((n) => sender.sendTo(node.index, msg(n)));
      });
      at(5 * MS, () => node.crash()); // 1 and 2 arrived at 2 ms: 1 in service, 2 queued
      at(6 * MS, () => sender.sendTo(node.index, msg(3))); // arrives while crashed
      at(10 * MS, () => {
        node.start();
        node.selfAfter(5 * MS, msg(91)); // the new life's timer fires
      });
      at(12 * MS, () => sender.sendTo(node.index, msg(4)));
      at(40 * MS, () => node.stop());
      at(41 * MS, () => sender.sendTo(node.index, msg(5)));
      await w.run(t0 + 80 * MS);
      assert.deepEqual(node.handled.map((h) => [h.n, h.from]), [[91, FROM_SELF], [4, sender.index]]);
      near(node.handled.map((h) => h.t - t0), [15, 24].map((x) => x * MS), w.tolerance, 'handled at');
      assert.deepEqual(
        drops.log.map((d) => [d.n, d.reason]).sort((a, b) => +a[0] - +b[0]),
        [[1, 'crash'], [2, 'crash'], [3, 'node-down'], [5, 'node-down']],
      );
      assert.equal(node.state, 'stopped');
    } finally {
      await w.close();
    }
  });
}
