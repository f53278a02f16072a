/**
 * A hand-built IMS network for unit tests: real kernel, network and IMS nodes, plus Probe nodes
 * that send what a test wants and record what they receive — no scenario file, no recorder.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../../sim/kernel/simulator.ts';
import { MS, SECOND } from '../../sim/kernel/time.ts';
import { InProcessNetwork } from '../../sim/net/network.ts';
import { DEFAULT_LINK, type LinkParams } from '../../sim/net/link.ts';
import type { Message } from '../../sim/net/message.ts';
import type { Signals } from '../../sim/net/signals.ts';
import { Node, FROM_WORKLOAD, type NodeContext } from '../../sim/node/node.ts';
import { DEFAULT_CAPACITY } from '../../sim/node/capacity.ts';
import { Trigger } from '../../sim/population/trigger.ts';
import type { ImsConfig } from '../../sim/ims/config.ts';
import type { ImsEnv } from '../../sim/ims/ims-node.ts';
import { MscIcs, MscState } from '../../sim/ims/msc-ics.ts';
import { Icscf } from '../../sim/ims/icscf.ts';
import { Scscf } from '../../sim/ims/scscf.ts';
import { Hss } from '../../sim/ims/hss.ts';
import { FarEnd } from '../../sim/ims/far-end.ts';
import { IMS_SECTION, imsConfigOf, MscParams, IcscfParams, ScscfParams, HssParams, FarEndParams } from '../../sim/scenario/types/ims.ts';
import { simulationPorts } from '../../sim/scenario/simulation-ports.ts';

export interface Delivery {
  t: number;
  from: number;
  to: number;
  msg: Message;
}

/** Signals that keep everything: deliveries, drops, named signals, procedure outcomes. */
export class RecordingSignals implements Signals {
  readonly deliveries: Delivery[] = [];
  readonly drops: { msg: Message; reason: string }[] = [];
  readonly counts = new Map<string, number>();
  readonly procedures: { name: string; sub: number; outcome: string; t: number; started: number }[] = [];
  sent(): void {}
  delivered(t: number, from: number, to: number, msg: Message): void {
    this.deliveries.push({ t, from, to, msg });
  }
  dropped(_t: number, _f: number, _a: number, msg: Message, reason: string): void {
    this.drops.push({ msg, reason });
  }
  discarded(_t: number, _f: number, _a: number, msg: Message, reason: string): void {
    this.drops.push({ msg, reason });
  }
  triggered(): void {}
  fault(): void {}
  procedureStarted(): void {}
  procedureEnded(t: number, _n: number, name: string, sub: number, started: number, outcome: string): void {
    this.procedures.push({ name, sub, outcome, t, started });
  }
  signal(_t: number, _n: number, name: string, value: number): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}

/** A node that records what reaches it and sends what a test tells it to. */
export class Probe extends Node {
  readonly received: { msg: Message; from: number; t: number }[] = [];
  protected handleMessage(msg: Message, from: number): void {
    this.received.push({ msg, from, t: this.now() });
  }
  sendTo(to: number, msg: Message): void {
    this.send(to, msg);
  }
}

export class Rig {
  readonly sim = new Simulator(1);
  readonly signals = new RecordingSignals();
  readonly net: InProcessNetwork;
  readonly cfg: ImsConfig;
  readonly env: ImsEnv;

  constructor(
    readonly population = 4,
    section: Record<string, unknown> = {},
    link: Partial<LinkParams> = {},
  ) {
    this.net = new InProcessNetwork(this.sim, { ...DEFAULT_LINK, delay: 1 * MS, ...link }, this.signals, this.sim.stream('net'));
    this.cfg = imsConfigOf(IMS_SECTION.parse(section));
    this.env = { cfg: this.cfg, population, indexOf: (id) => this.net.indexOf(id) };
  }

  get nctx(): NodeContext {
    return { ...simulationPorts(this.sim, this.net), signals: this.signals, capacity: { ...DEFAULT_CAPACITY, byKind: {} } };
  }

  msc(id: string, params: Record<string, unknown>): MscIcs {
    return new MscIcs(id, this.nctx, MscParams.parse(params), this.env);
  }
  icscf(id: string, params: Record<string, unknown>): Icscf {
    return new Icscf(id, this.nctx, IcscfParams.parse(params), this.env);
  }
  scscf(id: string, params: Record<string, unknown>): Scscf {
    return new Scscf(id, this.nctx, ScscfParams.parse(params), this.env);
  }
  hss(id: string, params: Record<string, unknown> = {}): Hss {
    return new Hss(id, this.nctx, HssParams.parse(params), this.env);
  }
  farEnd(id: string, params: Record<string, unknown> = {}): FarEnd {
    return new FarEnd(id, this.nctx, FarEndParams.parse(params), this.env);
  }
  probe(id: string): Probe {
    return new Probe(id, this.nctx);
  }

  /** The usual five: msc, icscf, scscf, hss, far (indices 0…4), started. */
  core(msc: Record<string, unknown> = {}, scscf: Record<string, unknown> = {}, hss: Record<string, unknown> = {}) {
    const nodes = {
      msc: this.msc('msc', { icscf: 'icscf', farEnd: 'far', ...msc }),
      icscf: this.icscf('icscf', { hss: 'hss', scscfs: ['scscf'] }),
      scscf: this.scscf('scscf', { hss: 'hss', farEnd: 'far', ...scscf }),
      hss: this.hss('hss', hss),
      far: this.farEnd('far', { answerAfter: '100ms' }),
    };
    return nodes;
  }

  startAll(): void {
    for (let i = 0; i < this.net.size; i++) (this.net.endpoint(i) as Node).start();
  }

  /** A workload trigger, as the scenario runner delivers it, at absolute time `at`. */
  trigger(node: Node, kind: string, sub: number, at: number): void {
    this.sim.post(at, () => node.receive(new Trigger(kind, sub), FROM_WORKLOAD));
  }

  run(until = Infinity): void {
    this.sim.run(until);
  }

  /** Deliveries of a given kind (e.g. 'REGISTER', '200 REGISTER', 'UAR'). */
  kinds(kind: string): Delivery[] {
    return this.signals.deliveries.filter((d) => d.msg.kind === kind);
  }

  id(i: number): string {
    return this.net.endpoint(i).id;
  }
}

/**
 * An IMS core whose S-CSCF a probe feeds hostile input (torture messages, fuzzed datagrams).
 * Subscriber 1 registers first; `assertStillWorking(from)` then checks that its binding survived
 * untouched and that subscriber 0 still registers and deregisters (triggered from time `from` on).
 */
export function hostileInputRig(probeId: string) {
  const r = new Rig(3);
  const n = r.core();
  const probe = r.probe(probeId);
  r.startAll();
  r.trigger(n.msc, 'attach', 1, 0);
  r.run(2 * SECOND);
  assert.equal(n.scscf.bindMsc[1], n.msc.index, 'subscriber 1 registered before the hostile input');
  const binding = () => ({ msc: n.scscf.bindMsc[1], tok: n.scscf.bindToken[1], cseq: n.scscf.bindCseq[1], watcher: n.scscf.watcher[1] });
  const before = binding();
  return {
    r,
    n,
    probe,
    assertStillWorking(from: number): void {
      assert.deepEqual(binding(), before, "subscriber 1's binding is untouched");
      assert.equal(n.scscf.state, 'up');
      r.trigger(n.msc, 'attach', 0, from + SECOND);
      r.trigger(n.msc, 'detach', 0, from + 3 * SECOND);
      r.run(from + 7 * SECOND);
      const done = r.signals.procedures.filter((p) => p.sub === 0 && p.outcome === 'completed').map((p) => p.name);
      assert.deepEqual(done, ['ics-registration', 'ics-deregistration']);
      assert.equal(n.msc.st[0], MscState.Idle);
      assert.equal(n.msc.st[1], MscState.Registered);
    },
  };
}
