import type { Simulator } from '../kernel/simulator.ts';
import type { RandomStream } from '../kernel/random.ts';
import { LinkDirection, type LinkParams } from './link.ts';
import type { Message } from './message.ts';
import type { Signals, DropReason } from './signals.ts';

/** Anything the network can deliver to: a node. */
export interface Endpoint {
  readonly id: string;
  index: number;
  /** Called at arrival time; the endpoint queues or refuses it. */
  receive(msg: Message, from: number): void;
}

/** What a node sees of the network (DESIGN principle 1: Clock + Transport). */
export interface Transport {
  send(to: number, msg: Message): void;
}

/**
 * What a fault injector does to a message in flight (sim/faults): drop it, delay it, or deliver
 * extra copies. Undefined means untouched, the fast path.
 */
export interface FaultAction {
  drop?: string;
  extraDelay?: number;
  duplicates?: number;
}

export interface Interceptor {
  onSend(from: number, to: number, msg: Message, now: number): FaultAction | undefined;
}

class Delivery {
  constructor(
    readonly net: InProcessNetwork,
    readonly from: number,
    readonly to: number,
    readonly msg: Message,
  ) {}
}

function deliver(d: Delivery): void {
  d.net.arrive(d.from, d.to, d.msg);
}

/**
 * The messages in flight on one directed link, for as long as their arrival times do not decrease
 * (no jitter or extra delay overtook them). Their arrival events then leave the kernel in the order
 * they were posted (time, then sequence number), so one reusable object can stand for all of them:
 * the k-th arrival event takes the k-th message. Same events, same order as one Delivery object per
 * message, without the allocation.
 */
class InFlight {
  private msgs: (Message | undefined)[] = new Array(16).fill(undefined);
  private head = 0;
  private len = 0;
  /** [arrival time of the last message queued here]: a typed array, so updating it never boxes a double. */
  readonly lastAt = Float64Array.of(-Infinity);
  constructor(
    readonly net: InProcessNetwork,
    readonly from: number,
    readonly to: number,
    /** The link direction these messages travel (one lookup per send finds both). */
    readonly link: LinkDirection,
  ) {}

  push(msg: Message): void {
    if (this.len === this.msgs.length) this.grow();
    this.msgs[(this.head + this.len) & (this.msgs.length - 1)] = msg;
    this.len++;
  }

  shift(): Message {
    const m = this.msgs[this.head]!;
    this.msgs[this.head] = undefined;
    this.head = (this.head + 1) & (this.msgs.length - 1);
    this.len--;
    return m;
  }

  private grow(): void {
    const cap = this.msgs.length * 2;
    const msgs: (Message | undefined)[] = new Array(cap).fill(undefined);
    for (let k = 0; k < this.len; k++) msgs[k] = this.msgs[(this.head + k) & (this.msgs.length - 1)];
    this.msgs = msgs;
    this.head = 0;
  }
}

function arriveInOrder(f: InFlight): void {
  f.net.arrive(f.from, f.to, f.shift());
}

/**
 * The in-process network of the simulator: per directed link, serialization (a transmitter sends
 * one message at a time at the link's bandwidth), propagation delay, jitter, and loss on datagram
 * links; in-order, lossless delivery on streams. Defaults for the whole network, overrides per link.
 */
export class InProcessNetwork {
  private readonly endpoints: Endpoint[] = [];
  private readonly byId = new Map<string, number>();
  private readonly overrides = new Map<string, LinkParams>();
  /** links[from][to], created on first use. */
  private readonly links: (LinkDirection | undefined)[][] = [];
  /** inFlight[from][to], created on first use. */
  private readonly inFlight: (InFlight | undefined)[][] = [];

  /** Set by the fault injector when the scenario declares network faults. */
  interceptor: Interceptor | undefined = undefined;

  constructor(
    private readonly sim: Simulator,
    private readonly defaults: LinkParams,
    readonly signals: Signals,
    private readonly rng: RandomStream,
  ) {}

  attach(e: Endpoint): number {
    if (this.byId.has(e.id)) throw new Error(`duplicate node id '${e.id}'`);
    e.index = this.endpoints.length;
    this.endpoints.push(e);
    this.byId.set(e.id, e.index);
    this.links.push([]);
    this.inFlight.push([]);
    return e.index;
  }

  indexOf(id: string): number {
    const i = this.byId.get(id);
    if (i === undefined) throw new Error(`unknown node '${id}'`);
    return i;
  }

  endpoint(index: number): Endpoint {
    return this.endpoints[index];
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** Sets the parameters of the link between a and b, both directions. */
  setLink(a: string, b: string, params: LinkParams): void {
    this.overrides.set(`${a}\u0000${b}`, params);
    this.overrides.set(`${b}\u0000${a}`, params);
    // A link that already carried traffic keeps its state (transmitter, ordering) but takes the new parameters.
    const ia = this.byId.get(a);
    const ib = this.byId.get(b);
    if (ia !== undefined && ib !== undefined) {
      const ab = this.links[ia][ib];
      const ba = this.links[ib][ia];
      if (ab) ab.params = params;
      if (ba) ba.params = params;
    }
  }

  link(from: number, to: number): LinkDirection {
    const row = this.links[from];
    let l = row[to];
    if (!l) {
      const p =
        this.overrides.get(`${this.endpoints[from].id}\u0000${this.endpoints[to].id}`) ?? this.defaults;
      l = row[to] = new LinkDirection(p);
    }
    return l;
  }

  /** A node's transport: sends from that node. */
  transportFor(from: number): Transport {
    return { send: (to, msg) => this.send(from, to, msg) };
  }

  send(from: number, to: number, msg: Message): void {
    this.signals.sent(this.sim.now(), from, to, msg);
    if (to < 0 || to >= this.endpoints.length) {
      this.signals.dropped(this.sim.now(), from, to, msg, 'unroutable');
      return;
    }
    if (this.interceptor === undefined) {
      this.transmit(from, to, msg, 0);
      return;
    }
    let extra = 0;
    let copies = 1;
    const act = this.interceptor.onSend(from, to, msg, this.sim.now());
    if (act !== undefined) {
      if (act.drop !== undefined) {
        this.signals.dropped(this.sim.now(), from, to, msg, act.drop as DropReason);
        return;
      }
      extra = act.extraDelay ?? 0;
      copies += act.duplicates ?? 0;
    }
    for (let c = 0; c < copies; c++) this.transmit(from, to, msg, extra);
  }

  /**
   * Puts a message on the link. Times are handled as delays from now (see Simulator.postIn): small
   * integers to V8, so nothing is boxed per message when these calls are not inlined.
   */
  private transmit(from: number, to: number, msg: Message, extra: number): void {
    let f = this.inFlight[from][to];
    if (f === undefined) f = this.inFlight[from][to] = new InFlight(this, from, to, this.link(from, to));
    const l = f.link;
    const p = l.params;
    const now = this.sim.now();
    if (l.plain) {
      // Only the propagation delay (and a fault's extra delay): the general path below with every
      // other term zero, skipped.
      let d = p.delay + extra;
      if (p.transport === 'stream') {
        if (now + d < l.lastArrival) d = l.lastArrival - now;
        l.lastArrival = now + d;
      }
      this.post(f, d, msg);
      return;
    }
    let t = now;
    const tx = l.serialization(msg.bytes);
    if (tx > 0) {
      t = (l.txFreeAt > now ? l.txFreeAt : now) + tx;
      l.txFreeAt = t;
    }
    if (p.transport === 'datagram' && p.loss > 0 && this.rng.chance(p.loss)) {
      // Lost in flight: reported at the send time, against the node it was heading for.
      this.signals.dropped(now, from, to, msg, 'loss');
      return;
    }
    t += p.delay + extra;
    if (p.jitter > 0) t += Math.round(this.rng.next() * p.jitter);
    if (p.transport === 'stream') {
      if (t < l.lastArrival) t = l.lastArrival;
      l.lastArrival = t;
    }
    // Integers below 2^53: (t - now) + now is t exactly.
    this.post(f, t - now, msg);
  }

  /** Schedules the arrival `delay` from now. */
  private post(f: InFlight, delay: number, msg: Message): void {
    const t = this.sim.now() + delay;
    if (t >= f.lastAt[0]) {
      this.sim.postIn(delay, arriveInOrder, f);
      f.lastAt[0] = t;
      f.push(msg);
    } else {
      // Overtakes a message still in flight: an event of its own.
      this.sim.postIn(delay, deliver, new Delivery(this, f.from, f.to, msg));
    }
  }

  /** Arrival at the far end (called by the kernel). */
  arrive(from: number, to: number, msg: Message): void {
    this.signals.delivered(this.sim.now(), from, to, msg);
    this.endpoints[to].receive(msg, from);
  }
}
