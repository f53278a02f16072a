import type { Simulator } from '../kernel/simulator.ts';
import type { RandomStream } from '../kernel/random.ts';
import { LinkDirection, type LinkParams } from './link.ts';
import type { Message } from './message.ts';
import type { Signals, DropReason } from './signals.ts';
import type { Interceptor } from './interceptor.ts';

export type { FaultAction, Interceptor } from './interceptor.ts';

/**
 * The random stream a link's loss is drawn from: one per direction, named by its nodes, so which
 * messages a lossy link drops depends only on what was sent on that link — not on how sends on
 * other links interleave with it. The emulation lab draws from the same streams (sim/emulate/
 * wire-network.ts): the same messages on a link are lost in both worlds, whatever real time does
 * to the order across links.
 */
export function lossStream(sim: Simulator, fromId: string, toId: string): RandomStream {
  return sim.stream(`net.loss ${fromId}>${toId}`);
}

/** Anything the network can deliver to: a node. */
export interface Endpoint {
  readonly id: string;
  index: number;
  /** Called at arrival time; the endpoint queues or refuses it (returns false, having signalled the drop). */
  receive(msg: Message, from: number): boolean | void;
}

/** What a node sees of the network (DESIGN principle 1: Clock + Transport). */
export interface Transport {
  send(to: number, msg: Message): void;
}

/**
 * One direction between two nodes: its link state, and the function its arrival events call. Each
 * arrival event carries its message as the event's argument, so the network keeps nothing per
 * message in flight (no per-link queue, no object per message): whatever the delays, the kernel's
 * (time, sequence) order delivers them.
 */
class Route {
  readonly arrive: (msg: Message) => void;
  /** The link's own loss stream (lossStream), made on its first lossy send. */
  lossRng: RandomStream | undefined = undefined;
  constructor(
    net: InProcessNetwork,
    from: number,
    to: number,
    readonly link: LinkDirection,
  ) {
    this.arrive = (msg) => net.arrive(from, to, msg);
  }
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
  /** routes[from][to], created on first use. */
  private readonly routes: (Route | undefined)[][] = [];

  /** Set by the fault injector when the scenario declares network faults. */
  interceptor: Interceptor | undefined = undefined;
  /** Messages on a link now (put on it, not yet arrived): the third term of sent = delivered + dropped + in flight. */
  inFlight = 0;

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
    this.routes.push([]);
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

  /** The id of the node at `index` (the AddressBook port, sim/node/ports.ts). */
  nameOf(index: number): string {
    return this.endpoints[index].id;
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
      const ab = this.routes[ia][ib];
      const ba = this.routes[ib][ia];
      if (ab) ab.link.params = params;
      if (ba) ba.link.params = params;
    }
  }

  link(from: number, to: number): LinkDirection {
    return this.route(from, to).link;
  }

  /** The path a node sees (the TransportPort, sim/node/ports.ts): the link itself, whose params follow setLink. */
  path(from: number, to: number): LinkDirection {
    return this.route(from, to).link;
  }

  private route(from: number, to: number): Route {
    const row = this.routes[from];
    let r = row[to];
    if (!r) {
      const p =
        this.overrides.get(`${this.endpoints[from].id}\u0000${this.endpoints[to].id}`) ?? this.defaults;
      r = row[to] = new Route(this, from, to, new LinkDirection(p));
    }
    return r;
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
    // A duplicate is one more message on the wire: sent, then delivered or dropped like any other.
    for (let c = 1; c < copies; c++) this.signals.sent(this.sim.now(), from, to, msg);
    for (let c = 0; c < copies; c++) this.transmit(from, to, msg, extra);
  }

  /**
   * Puts a message on the link. Times are handled as delays from now (see Simulator.postIn): small
   * integers to V8, so nothing is boxed per message when these calls are not inlined.
   */
  private transmit(from: number, to: number, msg: Message, extra: number): void {
    let r = this.routes[from][to];
    if (r === undefined) r = this.route(from, to);
    const l = r.link;
    const p = l.params;
    if (l.plain) {
      // Only the propagation delay (and a fault's extra delay): the general path below with every
      // other term zero, skipped.
      let d = p.delay + extra;
      if (p.transport === 'stream') {
        const now = this.sim.now();
        if (now + d < l.lastArrival) d = l.lastArrival - now;
        l.lastArrival = now + d;
      }
      this.sim.postIn(d, r.arrive, msg);
      this.inFlight++;
      return;
    }
    const now = this.sim.now();
    let t = now;
    const tx = l.serialization(msg.bytes);
    if (tx > 0) {
      t = (l.txFreeAt > now ? l.txFreeAt : now) + tx;
      l.txFreeAt = t;
    }
    if (p.transport === 'datagram' && p.loss > 0 && (r.lossRng ??= lossStream(this.sim, this.endpoints[from].id, this.endpoints[to].id)).chance(p.loss)) {
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
    this.sim.postIn(t - now, r.arrive, msg);
    this.inFlight++;
  }

  /** Arrival at the far end (called by the kernel). A message the node refuses is its drop, not a delivery. */
  arrive(from: number, to: number, msg: Message): void {
    this.inFlight--;
    if (this.endpoints[to].receive(msg, from) !== false) this.signals.delivered(this.sim.now(), from, to, msg);
  }
}
