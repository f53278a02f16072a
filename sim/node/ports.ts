import type { Timer } from '../kernel/clock.ts';
import type { EventFn } from '../kernel/event-queue.ts';
import type { RandomStream } from '../kernel/random.ts';
import type { Ns } from '../kernel/time.ts';
import type { TransportKind } from '../net/link.ts';
import type { Message } from '../net/message.ts';
import type { Interceptor } from '../net/interceptor.ts';

/**
 * The ports of a node (DESIGN principle 1): everything a node may use of the world it runs in.
 * A node (sim/node/node.ts and every model built on it: sim/ims, sim/msgin5g, sim/generic) sees
 * these interfaces and nothing else of the world — never `Simulator`, `InProcessNetwork`, a socket
 * or another node's class. Two worlds bind them:
 *
 * | port          | simulation (sim/scenario/simulation-ports.ts) | emulation (sim/emulate)                          |
 * |---------------|-----------------------------------------------|--------------------------------------------------|
 * | ClockPort     | the Simulator: virtual time, the event queue  | the real-time clock (monotonic, same (time, seq) order) |
 * | TransportPort | the InProcessNetwork: links with delay, loss… | sockets: SIP over UDP/TCP/WS, Diameter/TCP, HTTP |
 * | RandomStreams | the Simulator's seeded streams                | the same seeded streams                          |
 * | AddressBook   | the InProcessNetwork's node table             | the scenario's nodes and their real endpoints    |
 *
 * Addresses are small integers (a node's index in the address book), so the hot paths index arrays
 * instead of hashing strings; a world maps them to what it needs (a link, a socket address).
 */

/** A node's address: its index in the AddressBook (0 … size − 1). */
export type Address = number;

/**
 * Time. `now`, `schedule` and `cancel` are the kernel's Clock (sim/kernel/clock.ts); `postIn` is the
 * allocation-free, non-cancellable form the per-message hot paths use (service completions, link
 * arrivals): at a million subscribers an object per event would be millions of short-lived objects.
 *
 * Events due at the same instant run in the order they were posted or scheduled, in both worlds.
 * Complexity (both bindings: the kernel's EventQueue): postIn / schedule O(log n) amortised,
 * cancel O(1) (lazy: the entry stays queued until due, without its payload).
 */
export interface ClockPort {
  /** Current time, integer ns since the start of the run. */
  now(): Ns;
  /** Calls fn(arg) after `delay` ns (>= 0, integer); no handle, no allocation. */
  postIn(delay: Ns, fn: EventFn, arg?: unknown): void;
  /** Calls fn(arg) after `delay` ns; the handle cancels it. */
  schedule(delay: Ns, fn: (arg: any) => void, arg?: unknown): Timer;
  /** Prevents a pending timer from firing; a fired or cancelled timer is left alone. */
  cancel(timer: Timer): void;
}

/** What a transport delivers to: a node (Node implements it). */
export interface Receiver {
  readonly id: string;
  /** Its address, set by TransportPort.attach. */
  index: Address;
  /**
   * Called when a message arrives (at the arrival time); the node queues or refuses it. False when
   * it refused it (down, queue full): the transport then reports no delivery (the node reported the drop); nothing or true: accepted.
   */
  receive(msg: Message, from: Address): boolean | void;
  /**
   * The reliable stream (TCP/SCTP) to `peer` broke — a reset, what a message lost on a stream
   * means (RFC 3261 §18: TCP itself never loses one): whatever the node awaits over it will not
   * come. Optional: a node without it keeps waiting for its own timers.
   */
  connectionFailed?(peer: Address): void;
}

/**
 * What a node knows of the path to a peer: whether it is a reliable stream (TCP-like: no
 * retransmissions, in order) or datagrams (UDP-like: may be lost), and its loss probability. A
 * live view: the same object for the whole run, whose `params` follow changes (a scenario's
 * setLink, a fault). Simulation: the link's parameters; emulation: the socket's transport, loss 0.
 */
export interface PathView {
  readonly params: { readonly transport: TransportKind; readonly loss: number };
}

/**
 * Messages in and out. `send` is on every message's path (cheap: no allocation in the simulation
 * binding); arrivals come back through the Receiver given to `attach`. A message that cannot be
 * delivered (no such address, a down link, a lost datagram) is reported through Signals by the
 * transport, never thrown at the sender.
 */
export interface TransportPort {
  /** Connects a node; returns the address it receives at (also written to `node.index`). */
  attach(node: Receiver): Address;
  /** Sends `msg` from `from` to `to` (both addresses in the address book). */
  send(from: Address, to: Address, msg: Message): void;
  /** The path from `from` to `to` (see PathView). */
  path(from: Address, to: Address): PathView;
}

/**
 * A transport the scenario's fault rules act on (sim/faults): with an interceptor set, every send
 * asks it first whether to drop, delay or duplicate the message, with the same trace marks in both
 * worlds. Simulation: the InProcessNetwork; emulation: the socket transports.
 */
export interface FaultableTransport extends TransportPort {
  interceptor: Interceptor | undefined;
}

/** Seeded random streams, one per component (DESIGN principle 2): same name + seed = same numbers. */
export interface RandomStreams {
  stream(name: string): RandomStream;
}

/** Names ↔ addresses of the run's nodes (all attached before any node starts). */
export interface AddressBook {
  /** Nodes in the book. */
  readonly size: number;
  /** The address of the node with this id; throws for an unknown id (a scenario error caught at load). */
  indexOf(id: string): Address;
  /** The id of the node at this address. */
  nameOf(address: Address): string;
}

/**
 * The four ports together: what a world hands each node it builds (with the run's Signals and the
 * node's capacity, as NodeContext in node.ts). A world binds them once per run and every node of
 * the run shares them; a node reaches them only through the Node base's protected members.
 */
export interface NodePorts {
  clock: ClockPort;
  transport: TransportPort;
  streams: RandomStreams;
  addresses: AddressBook;
}
