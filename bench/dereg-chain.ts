/**
 * The kernel benchmark "dereg-chain": a fixed ten-message procedure over four single-server nodes,
 * run on the real Simulator, Node and InProcessNetwork, so the figure measures the kernel and the
 * node model that every scenario uses. It is specified tightly enough to be rebuilt in another
 * simulator (ns-3, OMNeT++, SimPy) and compared event for event:
 *
 * - N subscribers; subscriber i triggers one procedure at a time uniform in [0, 60 s), drawn from
 *   the stream 'bench/triggers' in subscriber order and rounded to integer ns (or read from a CSV).
 * - Nodes are FIFO queues with one server and a deterministic per-message service time:
 *   MSC 0.05 ms, ICSCF 0.2 ms, HSS 0.1 ms, SCSCF 0.3 ms. Every link delays 5 ms (no jitter, loss
 *   or bandwidth limit).
 * - The trigger is served by the MSC, then:
 *     m1 MSC→ICSCF, m2 ICSCF→HSS, m3 HSS→ICSCF, m4 ICSCF→SCSCF, m5 SCSCF→HSS, m6 HSS→SCSCF,
 *     m7 SCSCF→ICSCF, m8 ICSCF→MSC, and, in parallel with m7, m9 SCSCF→MSC, m10 MSC→SCSCF.
 *   A message leaves at the end of its sender's service and queues at the receiver; at the end of
 *   a service a node sends first (m7 before m9), then starts its next queued message.
 * - Ties: all triggers are posted before the run in subscriber order; equal-time events run in
 *   scheduling order (the kernel's (time, seq) order).
 * - An event is an arrival or a service completion: 22 per procedure (trigger arrival + its
 *   service + 10 messages × 2).
 * - Latency: trigger time → end of the MSC's service of m8; p99 by nearest rank.
 */
import { Simulator } from '../sim/kernel/simulator.ts';
import { EventQueue } from '../sim/kernel/event-queue.ts';
import { MS, SECOND, type Ns } from '../sim/kernel/time.ts';
import { InProcessNetwork } from '../sim/net/network.ts';
import { DEFAULT_LINK } from '../sim/net/link.ts';
import { NO_SIGNALS, type Signals } from '../sim/net/signals.ts';
import type { Message } from '../sim/net/message.ts';
import { Node, FROM_WORKLOAD, type NodeContext } from '../sim/node/node.ts';
import { DEFAULT_CAPACITY } from '../sim/node/capacity.ts';
import { nearestRank } from '../sim/observe/latency.ts';
import { simulationPorts } from '../sim/scenario/simulation-ports.ts';

/** Per-message service times (ns), by node. */
export const SERVICE = {
  MSC: 0.05 * MS,
  ICSCF: 0.2 * MS,
  HSS: 0.1 * MS,
  SCSCF: 0.3 * MS,
} as const;
export const LINK_DELAY: Ns = 5 * MS;
export const TRIGGER_SPAN: Ns = 60 * SECOND;
/** Events per procedure: trigger arrival and service, then an arrival and a service per message. */
export const EVENTS_PER_PROCEDURE = 22;
export const NODE_IDS = ['MSC', 'ICSCF', 'HSS', 'SCSCF'] as const;
export type NodeId = (typeof NODE_IDS)[number];

// ---- triggers ------------------------------------------------------------------------------------

/**
 * Trigger times of subscribers 0..n-1 (integer ns). Drawn in subscriber order from one stream, so
 * the triggers for n are a prefix of those for any larger n with the same seed.
 */
export function generateTriggers(n: number, seed = 1): Float64Array {
  const r = new Simulator(seed).stream('bench/triggers');
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = Math.round(r.uniform(0, TRIGGER_SPAN));
  return t;
}

/** One integer nanosecond per line; line i is subscriber i. Blank lines and '#' comments are skipped. */
export function parseTriggersCsv(text: string, source = 'triggers'): Float64Array {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let k = 0; k < lines.length; k++) {
    const s = lines[k].trim();
    if (s === '' || s.startsWith('#')) continue;
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new Error(`${source}:${k + 1}: expected an integer number of ns >= 0, got '${s}'`);
    }
    out.push(v);
  }
  return Float64Array.from(out);
}

export function formatTriggersCsv(t: ArrayLike<number>): string {
  const parts = new Array<string>(t.length);
  for (let i = 0; i < t.length; i++) parts[i] = String(t[i]);
  return parts.join('\n') + '\n';
}

// ---- the model -----------------------------------------------------------------------------------

const KINDS = ['trigger', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10'];

/**
 * A benchmark message: `step` 0 is the trigger, 1..10 the messages m1..m10, of subscriber `sub`.
 * A node forwards the message it has just served as the next step (as an OMNeT++ module re-sends the
 * message it received), so a procedure allocates two messages (the trigger, and m9 which the S-CSCF
 * sends beside m7) instead of eleven: in the overloaded runs a million of them wait in node queues,
 * and what the garbage collector copies is what survives. The constant fields live on the prototype.
 * Forwarding in place is safe here because nothing reads a message after its service (the bench
 * keeps no trace; a Recorder passed in through RunOptions.signals would see the latest step).
 */
export class BenchMessage implements Message {
  constructor(
    public step: number,
    readonly sub: number,
  ) {}
  get proto(): string {
    return 'bench';
  }
  get kind(): string {
    return KINDS[this.step];
  }
  get bytes(): number {
    return 0;
  }
  get entries(): number {
    return 1;
  }
}

/** The served message, re-sent as step `step`. */
function fwd(b: BenchMessage, step: number): BenchMessage {
  b.step = step;
  return b;
}

/** Where completed procedures are counted and their latencies kept (in completion order). */
export class Completions {
  count = 0;
  sum = 0;
  readonly latencies: Float64Array;
  onComplete: ((sub: number, at: Ns) => void) | undefined = undefined;
  constructor(readonly triggers: Float64Array) {
    this.latencies = new Float64Array(triggers.length);
  }
  complete(sub: number, now: Ns): void {
    const l = now - this.triggers[sub];
    this.latencies[this.count++] = l;
    this.sum += l;
    if (this.onComplete !== undefined) this.onComplete(sub, now);
  }
}

/** Node indices, set once all four are attached. */
interface Peers {
  msc: number;
  icscf: number;
  hss: number;
  scscf: number;
}

abstract class BenchNode extends Node {
  peers: Peers = { msc: -1, icscf: -1, hss: -1, scscf: -1 };
}

class Msc extends BenchNode {
  constructor(
    ctx: NodeContext,
    private readonly done: Completions,
  ) {
    super('MSC', ctx);
  }
  protected override handleMessage(m: Message): void {
    const b = m as BenchMessage;
    switch (b.step) {
      case 0:
        this.send(this.peers.icscf, fwd(b, 1));
        break;
      case 8:
        this.done.complete(b.sub, this.now());
        break;
      case 9:
        this.send(this.peers.scscf, fwd(b, 10));
        break;
    }
  }
}

class Icscf extends BenchNode {
  constructor(ctx: NodeContext) {
    super('ICSCF', ctx);
  }
  protected override handleMessage(m: Message): void {
    const b = m as BenchMessage;
    switch (b.step) {
      case 1:
        this.send(this.peers.hss, fwd(b, 2));
        break;
      case 3:
        this.send(this.peers.scscf, fwd(b, 4));
        break;
      case 7:
        this.send(this.peers.msc, fwd(b, 8));
        break;
    }
  }
}

class Hss extends BenchNode {
  constructor(ctx: NodeContext) {
    super('HSS', ctx);
  }
  protected override handleMessage(m: Message): void {
    const b = m as BenchMessage;
    switch (b.step) {
      case 2:
        this.send(this.peers.icscf, fwd(b, 3));
        break;
      case 5:
        this.send(this.peers.scscf, fwd(b, 6));
        break;
    }
  }
}

class Scscf extends BenchNode {
  constructor(ctx: NodeContext) {
    super('SCSCF', ctx);
  }
  protected override handleMessage(m: Message): void {
    const b = m as BenchMessage;
    switch (b.step) {
      case 4:
        this.send(this.peers.hss, fwd(b, 5));
        break;
      case 6:
        // m7 before m9: both leave now, m7 is scheduled first.
        this.send(this.peers.icscf, fwd(b, 7));
        this.send(this.peers.msc, new BenchMessage(9, b.sub));
        break;
      // m10 ends the parallel branch.
    }
  }
}

/** A built, not yet run, instance of the model. */
export interface DeregChainModel {
  sim: Simulator;
  nodes: Record<NodeId, Node>;
  done: Completions;
  /** Posts every trigger, in subscriber order (the tie-break rule of the reference model). */
  postTriggers(): void;
}

export function buildDeregChain(triggers: Float64Array, signals: Signals = NO_SIGNALS, seed = 1): DeregChainModel {
  const sim = new Simulator(seed);
  const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, delay: LINK_DELAY }, signals, sim.stream('net'));
  const ctx = (service: Ns): NodeContext => ({
    ...simulationPorts(sim, net),
    signals,
    capacity: {
      ...DEFAULT_CAPACITY,
      workers: 1,
      queueLimit: Infinity,
      defaultCost: { perMessage: service, perEntry: 0, perByte: 0 },
    },
  });
  const done = new Completions(triggers);
  const msc = new Msc(ctx(SERVICE.MSC), done);
  const icscf = new Icscf(ctx(SERVICE.ICSCF));
  const hss = new Hss(ctx(SERVICE.HSS));
  const scscf = new Scscf(ctx(SERVICE.SCSCF));
  const peers: Peers = { msc: msc.index, icscf: icscf.index, hss: hss.index, scscf: scscf.index };
  for (const n of [msc, icscf, hss, scscf]) {
    n.peers = peers;
    n.start();
  }
  // As the scenario builder delivers a workload trigger: signal it, then hand it to the node.
  const fire = (sub: number): void => {
    const m = new BenchMessage(0, sub);
    signals.triggered(sim.now(), msc.index, m);
    msc.receive(m, FROM_WORKLOAD);
  };
  return {
    sim,
    nodes: { MSC: msc, ICSCF: icscf, HSS: hss, SCSCF: scscf },
    done,
    postTriggers() {
      for (let i = 0; i < triggers.length; i++) sim.post(triggers[i], fire, i);
    },
  };
}

export interface DeregChainResult {
  n: number;
  events: number;
  completed: number;
  /** Simulated time of the last event (ns). */
  endTime: Ns;
  meanLatency: Ns;
  p99Latency: Ns;
  maxLatency: Ns;
  /** Busy time / simulated end time, per node. */
  utilisation: Record<NodeId, number>;
  peakQueue: Record<NodeId, number>;
  /** Wall time of posting the triggers and running (ms). */
  wallMs: number;
  /** CPU time (user + system, all threads: GC helpers included) over the same span (ms). */
  cpuMs: number;
  eventsPerSec: number;
}

export interface RunOptions {
  signals?: Signals;
  /** Called with (sub, completion time) for each completed procedure, in completion order. */
  onComplete?: (sub: number, at: Ns) => void;
}

/** Builds and runs the model; throws if the event count is not exactly 22·N. */
export function runDeregChain(triggers: Float64Array, opts: RunOptions = {}): DeregChainResult {
  const n = triggers.length;
  const m = buildDeregChain(triggers, opts.signals ?? NO_SIGNALS);
  if (opts.onComplete) m.done.onComplete = opts.onComplete;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  m.postTriggers();
  m.sim.run();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cu = process.cpuUsage(c0);
  const events = m.sim.events;
  if (events !== EVENTS_PER_PROCEDURE * n) {
    throw new Error(`dereg-chain: ${events} events for N=${n}, expected ${EVENTS_PER_PROCEDURE * n}`);
  }
  const done = m.done;
  const lat = done.latencies.subarray(0, done.count).sort();
  const end = m.sim.now();
  const utilisation = {} as Record<NodeId, number>;
  const peakQueue = {} as Record<NodeId, number>;
  for (const id of NODE_IDS) {
    utilisation[id] = end > 0 ? m.nodes[id].busyTime() / end : 0;
    peakQueue[id] = m.nodes[id].peakQueue;
  }
  return chainResult(n, events, end, lat, done.sum, utilisation, peakQueue, wallMs, cu);
}

/** A run's result from its raw figures; `lat` holds the completed procedures' latencies, sorted. */
export function chainResult(
  n: number,
  events: number,
  end: Ns,
  lat: Float64Array,
  latencySum: number,
  utilisation: Record<NodeId, number>,
  peakQueue: Record<NodeId, number>,
  wallMs: number,
  cu: NodeJS.CpuUsage,
): DeregChainResult {
  const completed = lat.length;
  return {
    n,
    events,
    completed,
    endTime: end,
    meanLatency: completed > 0 ? latencySum / completed : NaN,
    p99Latency: nearestRank(lat, 0.99),
    maxLatency: completed > 0 ? lat[completed - 1] : NaN,
    utilisation,
    peakQueue,
    wallMs,
    cpuMs: (cu.user + cu.system) / 1e3,
    eventsPerSec: events / (wallMs / 1e3),
  };
}

// ---- the bare loop -------------------------------------------------------------------------------

export interface BareLoopResult {
  n: number;
  events: number;
  wallMs: number;
  cpuMs: number;
  eventsPerSec: number;
}

function noop(_: unknown): void {}

/**
 * The delays between a chain's 22 events as the model would space them with no queueing: the
 * service of the trigger and of m1..m10 at their receivers, each followed by a 5 ms link (the last
 * event, the end of m10's service, has no follow-up).
 */
const MODEL_DELAYS: Float64Array = (() => {
  const servedAt = [SERVICE.MSC, SERVICE.ICSCF, SERVICE.HSS, SERVICE.ICSCF, SERVICE.SCSCF, SERVICE.HSS, SERVICE.SCSCF, SERVICE.ICSCF, SERVICE.MSC, SERVICE.MSC, SERVICE.SCSCF];
  const d = new Float64Array(EVENTS_PER_PROCEDURE);
  servedAt.forEach((svc, k) => {
    d[2 * k] = svc;
    d[2 * k + 1] = LINK_DELAY;
  });
  return d;
})();

/** How the bare loop spaces a chain's events: all 5 ms apart, or as the model's services and links. */
export type BareDelays = 'link' | 'model';

/**
 * The same EventQueue with no model: the N triggers are pre-pushed in subscriber order, and each pop
 * pushes its chain's next event until the chain has produced 22 events. Same event count and about
 * the same queue occupancy as the model (the pending triggers dominate), so model rate / bare rate is
 * the cost of the model.
 *
 * 'link' (the benchmark's reference bare loop) puts every follow-up 5 ms later. 'model' spaces them
 * as the model does, alternating a service time (0.05–0.3 ms) and a 5 ms link: the queue then sees
 * the model's mix of near and far events (near ones go straight into its heap), which costs it more
 * than a uniform 5 ms. The difference between the two is the part of the model's cost that is its
 * event pattern rather than its code.
 */
export function runBareLoop(triggers: Float64Array, delays: BareDelays = 'link'): BareLoopResult {
  const n = triggers.length;
  const q = new EventQueue(4096);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) q.push(triggers[i], noop, i);
  // Two loops rather than one with a delay table, so the reference loop stays what it always was.
  const events = delays === 'link' ? linkLoop(q, n) : modelLoop(q, n);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cu = process.cpuUsage(c0);
  if (events !== EVENTS_PER_PROCEDURE * n) {
    throw new Error(`bare loop: ${events} events for N=${n}, expected ${EVENTS_PER_PROCEDURE * n}`);
  }
  return { n, events, wallMs, cpuMs: (cu.user + cu.system) / 1e3, eventsPerSec: events / (wallMs / 1e3) };
}

function linkLoop(q: EventQueue, n: number): number {
  const left = new Int32Array(n).fill(EVENTS_PER_PROCEDURE - 1);
  let events = 0;
  while (q.pop()) {
    events++;
    const sub = q.arg as number;
    if (left[sub]-- > 0) q.push(q.time + LINK_DELAY, noop, sub);
  }
  return events;
}

function modelLoop(q: EventQueue, n: number): number {
  const step = new Int32Array(n);
  const d = MODEL_DELAYS;
  const last = EVENTS_PER_PROCEDURE - 1;
  let events = 0;
  while (q.pop()) {
    events++;
    const sub = q.arg as number;
    const k = step[sub]++;
    if (k < last) q.push(q.time + d[k], noop, sub);
  }
  return events;
}
