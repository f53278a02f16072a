import type { Clock, Timer } from '../kernel/clock.ts';
import type { Ns } from '../kernel/time.ts';
import type { RandomStream } from '../kernel/random.ts';
import { FROM_SELF, FROM_WORKLOAD, type Message } from '../net/message.ts';
import type { Signals, Outcome } from '../net/signals.ts';
import { CostTable, type CapacityConfig } from './capacity.ts';
import type { AddressBook, ClockPort, NodePorts, RandomStreams, Receiver, TransportPort } from './ports.ts';

export { FROM_SELF, FROM_WORKLOAD };

/** Where a node stands in its lifecycle (INET's lifecycle operations: start / stop / crash). */
export type NodeState = 'down' | 'up' | 'stopped' | 'crashed';

/** A worker of the service queue: preallocated, so a service completion allocates nothing. */
class Worker {
  msg: Message | undefined = undefined;
  from = 0;
  generation = 0;
  constructor(
    readonly svc: Service,
    /** Where this worker's service start time lives in svc.times. */
    readonly k: number,
  ) {}
}

function completeService(w: Worker): void {
  w.svc.done(w);
}

/**
 * The service queue's state, in an object of one shape for every node. The node base's methods run
 * on many subclasses (one hidden class each), so their `this.…` reads go through megamorphic inline
 * caches; the per-message path reads this object instead, whose fields are plain loads.
 */
class Service {
  /** Changes at every crash: completions and timers of an earlier life are ignored. */
  gen = 0;
  /** node.state === 'up', mirrored by start/stop/crash. */
  up = false;
  idle: Worker[] = [];
  all: Worker[] = [];
  activeCount = 0;
  // FIFO ring buffer of waiting messages and their senders.
  qMsgs: (Message | undefined)[] = new Array(16);
  qFrom = new Int32Array(16);
  qHead = 0;
  qLen = 0;
  /**
   * [busy time of finished services (ns, summed over workers), then each worker's service start]:
   * a typed array, so the per-message time bookkeeping never boxes a double.
   */
  readonly times: Float64Array;
  peakQueue = 0;
  served = 0;
  refused = 0;
  constructor(
    readonly node: Node,
    readonly clock: ClockPort,
    readonly costs: CostTable,
    public queueLimit: number,
    workers: number,
  ) {
    this.times = new Float64Array(1 + workers);
    this.freshWorkers(workers);
  }

  begin(w: Worker, msg: Message, from: number): void {
    const now = this.clock.now();
    w.msg = msg;
    w.from = from;
    this.times[1 + w.k] = now;
    w.generation = this.gen;
    this.activeCount++;
    this.clock.postIn(this.costs.serviceTime(msg), completeService, w);
  }

  /** The end of a service (called by the kernel). */
  done(w: Worker): void {
    if (w.generation !== this.gen || w.msg === undefined || w.svc !== this) return;
    const msg = w.msg;
    w.msg = undefined;
    this.times[0] += this.clock.now() - this.times[1 + w.k];
    this.activeCount--;
    this.served++;
    // Send first, then take the next message (the model's sends leave at the end of the service).
    this.node.dispatch(msg, w.from);
    if (this.up && w.generation === this.gen && this.qLen > 0) {
      const from = this.qFrom[this.qHead];
      this.begin(w, this.dequeue(), from);
    } else if (w.generation === this.gen) {
      this.idle.push(w);
    }
  }

  /** Replaces every worker with a new idle one (worker 0 taken first). */
  freshWorkers(n: number): void {
    this.all.length = 0;
    this.idle.length = 0;
    for (let i = 0; i < n; i++) this.all.push(new Worker(this, i));
    for (let i = n - 1; i >= 0; i--) this.idle.push(this.all[i]);
  }

  enqueue(msg: Message, from: number): void {
    if (this.qLen === this.qMsgs.length) this.growQueue();
    const i = (this.qHead + this.qLen) & (this.qMsgs.length - 1);
    this.qMsgs[i] = msg;
    this.qFrom[i] = from;
    this.qLen++;
    if (this.qLen > this.peakQueue) this.peakQueue = this.qLen;
  }

  dequeue(): Message {
    const m = this.qMsgs[this.qHead]!;
    this.qMsgs[this.qHead] = undefined;
    this.qHead = (this.qHead + 1) & (this.qMsgs.length - 1);
    this.qLen--;
    return m;
  }

  private growQueue(): void {
    const cap = this.qMsgs.length * 2;
    const msgs: (Message | undefined)[] = new Array(cap);
    const from = new Int32Array(cap);
    for (let k = 0; k < this.qLen; k++) {
      const j = (this.qHead + k) & (this.qMsgs.length - 1);
      msgs[k] = this.qMsgs[j];
      from[k] = this.qFrom[j];
    }
    this.qMsgs = msgs;
    this.qFrom = from;
    this.qHead = 0;
  }
}

class SelfMessage {
  constructor(
    readonly node: Node,
    readonly msg: Message,
    readonly generation: number,
  ) {}
}

/** A timer of a node's sub-layer (e.g. a SIP transaction), void once the node has crashed since. */
class Guarded {
  constructor(
    readonly node: Node,
    readonly generation: number,
    readonly fn: (arg: any) => void,
    readonly arg: unknown,
  ) {}
}

function fireGuarded(g: Guarded): void {
  if (g.generation === g.node.generationNow && g.node.state === 'up') g.fn(g.arg);
}

function deliverSelf(s: SelfMessage): void {
  if (s.generation === s.node.generationNow && s.node.state === 'up') s.node.dispatch(s.msg, FROM_SELF);
}

/**
 * An injected error answer (sim/faults): the node serves the message but, instead of processing it,
 * answers with this error in its protocol's terms (SIP status, Diameter result code, MSGin5G cause).
 */
export interface ErrorAnswer {
  /** Name of the fault rule, for traces. */
  rule: string;
  /** SIP or HTTP status. */
  status?: number;
  /** Retry-After to advertise (ns). */
  retryAfter?: Ns;
  /** Diameter Result-Code / Experimental-Result-Code. */
  result?: number;
  /** Protocol-specific failure cause (e.g. MSGin5G 'authentication-failed'). */
  cause?: string;
}

/** What a world hands a node it builds: the ports (ports.ts), the run's Signals and the node's capacity. */
export interface NodeContext extends NodePorts {
  signals: Signals;
  capacity: CapacityConfig;
}

/**
 * The node base. A message arriving from the network or the workload waits in the service queue,
 * is served by one of `workers` servers for its service time (capacity.ts), and then reaches the
 * model's single entry point, `handleMessage` (the OMNeT++ habit). Whatever the model sends there
 * leaves at the end of the service; the worker then takes the next queued message.
 *
 * Self-messages (timers) reach handleMessage directly, at no service cost.
 * A crash loses the queue, the messages in service, pending self-messages and whatever volatile
 * state the model clears in onCrash().
 */
export abstract class Node implements Receiver {
  index = -1;
  state: NodeState = 'down';
  /** Time (the world's clock: virtual or real); the model uses now() / scheduleSelf() / clock. */
  private readonly time: ClockPort;
  private readonly streams: RandomStreams;
  /** Messages out (send()); arrivals come in through receive(). */
  protected readonly transport: TransportPort;
  /** The run's nodes by id and address. */
  protected readonly addresses: AddressBook;
  protected readonly signals: Signals;
  readonly costs: CostTable;
  /** The service queue (and the generation, which changes at every crash). */
  private readonly svc: Service;

  /**
   * The node's view of time, for sub-layers written against the Clock interface (SIP transactions,
   * retry policies): its timers are void after a crash, like the node's own self-messages.
   */
  protected readonly clock: Clock;

  readonly workers: number;

  get queueLimit(): number {
    return this.svc.queueLimit;
  }
  set queueLimit(limit: number) {
    this.svc.queueLimit = limit;
  }
  get peakQueue(): number {
    return this.svc.peakQueue;
  }
  get served(): number {
    return this.svc.served;
  }
  get refused(): number {
    return this.svc.refused;
  }

  constructor(
    readonly id: string,
    ctx: NodeContext,
  ) {
    this.time = ctx.clock;
    this.streams = ctx.streams;
    this.transport = ctx.transport;
    this.addresses = ctx.addresses;
    this.signals = ctx.signals;
    this.costs = new CostTable({ ...ctx.capacity, byKind: { ...ctx.capacity.byKind } });
    this.workers = ctx.capacity.workers;
    this.svc = new Service(this, this.time, this.costs, ctx.capacity.queueLimit, this.workers);
    const time = this.time;
    this.clock = {
      now: () => time.now(),
      schedule: (delay: Ns, fn: (arg: any) => void, arg?: unknown) => time.schedule(delay, fireGuarded, new Guarded(this, this.svc.gen, fn, arg)),
      cancel: (t: Timer) => time.cancel(t),
    };
    ctx.transport.attach(this);
  }

  /** The one entry point of a model: called at the end of a message's service (or for a self-message). */
  protected abstract handleMessage(msg: Message, from: number): void;

  /** Clears volatile state on crash. Persistent state (an HSS's database) survives. */
  protected onCrash(): void {}
  /** Called when the node comes up (at the start of the run and after a restart). */
  protected onStart(): void {}

  /**
   * Set by the fault injector: consulted at the end of each service; a returned ErrorAnswer replaces
   * processing by answerError().
   */
  errorInjector: ((msg: Message, from: number) => ErrorAnswer | undefined) | undefined = undefined;

  /**
   * How this node's protocol answers an injected error. The default drops the message (reported as a
   * fault), for nodes whose protocol has no error answer to give.
   */
  protected answerError(msg: Message, from: number, e: ErrorAnswer): void {
    this.signals.discarded(this.time.now(), from, this.index, msg, `fault:${e.rule}`);
  }

  /**
   * Whether a message waits even when the queue is full: the queue limit sheds new work, and a
   * protocol whose answers complete work already admitted says so here (the default: none do).
   */
  protected admitsBeyondLimit(_msg: Message): boolean {
    return false;
  }

  /** The model's answer when the queue is full; the default refuses silently. */
  protected onOverload(msg: Message, from: number): void {
    this.overloadDropped = true;
    this.signals.dropped(this.time.now(), from, this.index, msg, 'overload');
  }

  /** Set by the default onOverload: the refused message was dropped (a model's 503 answer delivers it). */
  private overloadDropped = false;

  get generationNow(): number {
    return this.svc.gen;
  }

  get queueLength(): number {
    return this.svc.qLen;
  }

  get busyWorkers(): number {
    return this.svc.activeCount;
  }

  /** Busy time up to now, summed over workers, including services under way. */
  busyTime(): Ns {
    const svc = this.svc;
    let b = svc.times[0];
    const now = this.time.now();
    for (const w of svc.all) if (w.msg !== undefined) b += now - svc.times[1 + w.k];
    return b;
  }

  /** A stream of this node's own (DESIGN principle 2: one stream per component). */
  protected stream(purpose: string): RandomStream {
    return this.streams.stream(`node/${this.id}/${purpose}`);
  }

  protected now(): Ns {
    return this.time.now();
  }

  protected send(to: number, msg: Message): void {
    this.transport.send(this.index, to, msg);
  }

  /** Schedules a self-message (a timer, OMNeT-style); returns a handle for cancel(). */
  protected scheduleSelf(delay: Ns, msg: Message): Timer {
    return this.time.schedule(delay, deliverSelf, new SelfMessage(this, msg, this.svc.gen));
  }

  protected cancel(t: Timer): void {
    this.time.cancel(t);
  }

  protected procedureStarted(name: string, sub: number): void {
    this.signals.procedureStarted(this.time.now(), this.index, name, sub);
  }

  protected procedureEnded(name: string, sub: number, started: Ns, outcome: Outcome): void {
    this.signals.procedureEnded(this.time.now(), this.index, name, sub, started, outcome);
  }

  protected signal(name: string, value = 1, sub = -1): void {
    this.signals.signal(this.time.now(), this.index, name, value, sub);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  start(): void {
    if (this.state === 'up') return;
    this.state = 'up';
    const svc = this.svc;
    svc.up = true;
    this.onStart();
    // Messages that waited through a stop are served first, in their order.
    while (svc.qLen > 0 && svc.idle.length > 0) {
      const from = svc.qFrom[svc.qHead];
      svc.begin(svc.idle.pop()!, svc.dequeue(), from);
    }
  }

  /** Graceful stop: refuses new messages and starts no queued one; services under way finish. */
  stop(): void {
    this.state = 'stopped';
    this.svc.up = false;
  }

  /** Crash: queue, services under way and pending self-messages are lost with volatile state. */
  crash(): void {
    const now = this.time.now();
    const svc = this.svc;
    svc.gen++;
    this.state = 'crashed';
    svc.up = false;
    for (const w of svc.all) {
      if (w.msg !== undefined) {
        svc.times[0] += now - svc.times[1 + w.k];
        this.signals.discarded(now, w.from, this.index, w.msg, 'crash');
        w.msg = undefined;
      }
    }
    // Fresh workers: a completion event of the old life still points at the old ones and is ignored.
    svc.freshWorkers(this.workers);
    svc.activeCount = 0;
    while (svc.qLen > 0) {
      const from = svc.qFrom[svc.qHead];
      const m = svc.dequeue();
      this.signals.discarded(now, from, this.index, m, 'crash');
    }
    this.onCrash();
  }

  // ---- the service queue -----------------------------------------------------------------------

  /** Arrival from the network or the workload; false when refused (down, or the queue full). */
  receive(msg: Message, from: number): boolean {
    const svc = this.svc;
    if (!svc.up) {
      this.signals.dropped(this.time.now(), from, this.index, msg, 'node-down');
      return false;
    }
    const w = svc.idle.pop();
    if (w !== undefined) {
      svc.begin(w, msg, from);
    } else if (svc.qLen >= svc.queueLimit && !this.admitsBeyondLimit(msg)) {
      svc.refused++;
      this.overloadDropped = false;
      this.onOverload(msg, from);
      return !this.overloadDropped;
    } else {
      svc.enqueue(msg, from);
    }
    return true;
  }

  /** @internal */
  dispatch(msg: Message, from: number): void {
    if (this.errorInjector !== undefined && from !== FROM_SELF) {
      const e = this.errorInjector(msg, from);
      if (e !== undefined) {
        this.answerError(msg, from, e);
        return;
      }
    }
    this.handleMessage(msg, from);
  }

  /** Scales every service time (an overload fault: factor 4 = a quarter of the capacity). */
  setCostFactor(factor: number): void {
    this.costs.factor = factor;
  }
}
