import type { Ns } from '../kernel/time.ts';
import type { Timer } from '../kernel/clock.ts';
import type { Message } from '../net/message.ts';
import { Node, FROM_SELF, FROM_WORKLOAD, type NodeContext } from '../node/node.ts';
import { batchFull, closeBatch, decideBulking, type BulkingPolicy } from '../policies/bulk-batching.ts';
import { afterBulkAnswered, afterBulkFailed, DEFAULT_ADAPTIVE } from '../policies/bulk-adaptive.ts';
import { refreshEnabled, type RefreshPolicy } from '../policies/msgin5g-refresh.ts';
import { onEntryFailure, type EntryFailurePolicy } from '../policies/bulk-entry-failure.ts';
import { onRequestFailure, type RequestFailure, type RequestFailurePolicy } from '../policies/msgin5g-request-failure.ts';
import { CAUSES, causeOf, isCause } from './causes.ts';
import { gatewayToken, HTTP_PORT, referencePoint, type Channel } from './http.ts';
import { DEREG, PROCEDURE, REG, type Op } from './ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  RegistrationRequest,
  RegistrationResponse,
  UeAuthRequest,
  UeAuthResponse,
  type BulkPolicySnapshot,
  type IndividualReason,
} from './messages.ts';
import { UeDirectory } from './ue-directory.ts';
import { SegmentLoss } from './segment-loss.ts';

export interface GatewayConfig {
  kind: 'legacy-3gpp' | 'non-3gpp';
  /** MSGin5G Server node ids; UE u is served by servers[u mod n] (§8.2.X pre-condition 1). */
  servers: string[];
  /** The UEs this gateway acts for: [from, from + count). */
  from: number;
  count: number;
  /** Parallel HTTP/1.1 connections per server: at most this many requests outstanding (one per connection). */
  connections: number;
  requestTimeout: Ns;
  initiallyRegistered: boolean;
  reregisterOnRestart: boolean;
  bulking: BulkingPolicy;
  entryFailure: EntryFailurePolicy;
  requestFailure: RequestFailurePolicy;
  /** Periodic re-registration of every UE believed registered (0: never). */
  refresh: RefreshPolicy;
  /** Segment size for size-dependent loss on datagram links (0: the network's loss per message). */
  segmentSize: number;
  dir: UeDirectory;
}

// Per-UE state (Uint8Array `st`): what the gateway believes of the UE at the server.
const IDLE = 0;
const REGISTERED = 1;
/** A procedure is under way (queued, in a batch, in flight or waiting to retry). */
const BUSY = 2;

// Per-UE flags (Uint8Array `fl`).
const F_OP = 1; // current procedure: 0 registration, 1 de-registration
const F_URGENT = 2; // current procedure is urgent
const F_DEFER_REG = 4; // a registration waits for the current procedure to end
const F_DEFER_DEREG = 8;
const F_DEFER_URGENT = 16;
/** A request for the UE already left once in the current procedure: sending it again is overhead. */
const F_SENT = 32;
/** The gateway believed the UE registered when the current procedure began (its view until the result). */
const F_WAS_REG = 64;
/** The UE's request is in flight (sent, neither answered nor timed out): its views are not compared. */
const F_INFLIGHT = 128;

const WHY: IndividualReason[] = ['urgent', 'bulking-off', 'below-min-size', 'retry', 'split', 'test'];
const WHY_CODE: Record<string, number> = Object.fromEntries(WHY.map((w, i) => [w, i]));

/** A growable FIFO of numbers (UE requests waiting for a connection). */
class NumRing {
  private buf = new Float64Array(64);
  private head = 0;
  length = 0;
  push(x: number): void {
    if (this.length === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      for (let i = 0; i < this.length; i++) b[i] = this.buf[(this.head + i) % this.buf.length];
      this.buf = b;
      this.head = 0;
    }
    this.buf[(this.head + this.length) % this.buf.length] = x;
    this.length++;
  }
  shift(): number {
    const x = this.buf[this.head];
    this.head = (this.head + 1) % this.buf.length;
    this.length--;
    return x;
  }
  peek(): number {
    return this.buf[this.head];
  }
  clear(): void {
    this.head = 0;
    this.length = 0;
  }
}

/** A bulk waiting for a connection, or in flight, or waiting to be resent. */
class BulkJob {
  constructor(
    readonly op: Op,
    readonly subs: Int32Array,
    public retries: number,
  ) {}
}

class Batch {
  readonly ues: Int32Array;
  n = 0;
  /** Bumped whenever the batch closes, so a window timer of an earlier batch does nothing. */
  gen = 0;
  /** The window timer of the open batch, cancelled when the batch fills first (so a run ends at its last real event). */
  timer: Timer | undefined = undefined;
  constructor(size: number) {
    this.ues = new Int32Array(size);
  }
}

/** One MSGin5G Server as this gateway sees it: connections, queues and batches. */
class Peer {
  index = -1;
  readonly slotTx: Float64Array;
  readonly slotReq: (RegistrationRequest | DeregistrationRequest | BulkRequest | undefined)[];
  readonly slotJob: (BulkJob | undefined)[];
  readonly free: Int32Array;
  nFree: number;
  /** Individual requests waiting for a connection: (ue × 2 + op) × 8 + why. */
  readonly individual = new NumRing();
  readonly ready: BulkJob[] = [];
  readyHead = 0;
  readonly batches: [Batch, Batch];
  /** Current bulk size limit (the adaptive policy moves it; fixed: maxSize). */
  limit: number;

  constructor(
    readonly id: string,
    readonly ch: Channel,
    readonly peerNo: number,
    connections: number,
    readonly maxBulk: number,
  ) {
    this.slotTx = new Float64Array(connections);
    this.slotReq = new Array(connections).fill(undefined);
    this.slotJob = new Array(connections).fill(undefined);
    this.free = new Int32Array(connections);
    for (let i = 0; i < connections; i++) this.free[i] = connections - 1 - i;
    this.nFree = connections;
    this.batches = [new Batch(Math.max(1, maxBulk)), new Batch(Math.max(1, maxBulk))];
    this.limit = maxBulk;
  }

  reset(): void {
    const w = this.slotTx.length;
    this.slotTx.fill(0);
    this.slotReq.fill(undefined);
    this.slotJob.fill(undefined);
    for (let i = 0; i < w; i++) this.free[i] = w - 1 - i;
    this.nFree = w;
    this.individual.clear();
    this.ready.length = 0;
    this.readyHead = 0;
    for (const b of this.batches) {
      b.n = 0;
      b.gen++;
      b.timer = undefined;
    }
  }
}

// ---- self-messages (timers) -----------------------------------------------------------------------

class BatchWindow implements Message {
  readonly proto = 'timer';
  readonly kind = 'batch-window';
  readonly bytes = 0;
  readonly entries = 1;
  readonly sub = -1;
  constructor(
    readonly peer: Peer,
    readonly op: Op,
    readonly gen: number,
  ) {}
}

class RefreshTick implements Message {
  readonly proto = 'timer';
  readonly kind = 'refresh';
  readonly bytes = 0;
  readonly entries = 1;
  readonly sub = -1;
}

class TimeoutCheck implements Message {
  readonly proto = 'timer';
  readonly kind = 'request-timeout';
  readonly bytes = 0;
  readonly entries = 1;
  readonly sub = -1;
}

class Retry implements Message {
  readonly proto = 'timer';
  readonly kind = 'retry';
  readonly bytes = 0;
  readonly entries = 1;
  readonly sub = -1;
  constructor(
    readonly op: Op,
    /** UEs to retry individually, or through the batcher (`viaBatcher`). */
    readonly ues: Int32Array | undefined,
    readonly viaBatcher: boolean,
    /** A bulk to resend as it is. */
    readonly job: BulkJob | undefined,
    readonly peer: Peer,
  ) {}
}

const TRIGGERS: Record<string, { op: Op; urgent: boolean }> = {
  register: { op: REG, urgent: false },
  'register-urgent': { op: REG, urgent: true },
  deregister: { op: DEREG, urgent: false },
  'deregister-urgent': { op: DEREG, urgent: true },
};

/**
 * The Message Gateway (TS 23.554 §5.3.4; a Legacy 3GPP Message Gateway on MSGin5G-2 or a Non-3GPP
 * Message Gateway on MSGin5G-4): registers and de-registers its Non-MSGin5G UEs with the MSGin5G
 * Server, individually (§8.2.3, §8.2.4) or in bulk (§8.2.X), as its bulking policy decides.
 *
 * Workload events it acts on: `register`, `deregister`, `register-urgent`, `deregister-urgent`.
 * Each starts a procedure for the UE ('msgin5g-registration' / 'msgin5g-deregistration') that ends
 * when the gateway learns that UE's result, so time spent waiting for a bulk counts in its latency.
 *
 * Per-UE state is three typed arrays (st, fl, retries) and a start time: 11 bytes per UE. Requests
 * wait for one of `connections` HTTP/1.1 connections per server; a request's timeout is found by a
 * single timer walking a FIFO of send times (every request has the same timeout).
 */
export class MessageGateway extends Node {
  private readonly st: Uint8Array;
  private readonly fl: Uint8Array;
  private readonly retries: Uint8Array;
  private readonly started: Float64Array;
  private readonly peers: Peer[];
  /** node index → peer (servers only). */
  private peerByNode: (Peer | undefined)[] = [];
  private readonly policySnapshot: BulkPolicySnapshot;
  private txSeq = 0;
  private startedOnce = false;
  /** The adaptive bulk size policy is on (AIMD): limits move and are reported as the gauge 'bulk.limit'. */
  private readonly adaptive: boolean;
  private readonly refreshTick = new RefreshTick();
  private readonly segLoss: SegmentLoss | undefined;

  // Timeout FIFO: deadline, tx and (peerNo × connections + slot) of every request sent.
  private toDeadline = new Float64Array(1024);
  private toTx = new Float64Array(1024);
  private toKey = new Int32Array(1024);
  private toHead = 0;
  private toLen = 0;
  private timeoutTimer: Timer | undefined = undefined;
  private readonly timeoutCheck = new TimeoutCheck();
  /** Requests in flight, over all servers. */
  private outstanding = 0;

  constructor(
    id: string,
    ctx: NodeContext,
    readonly cfg: GatewayConfig,
  ) {
    super(id, ctx);
    const n = cfg.count;
    this.st = new Uint8Array(n);
    this.fl = new Uint8Array(n);
    this.retries = new Uint8Array(n);
    this.started = new Float64Array(n);
    if (cfg.initiallyRegistered) this.st.fill(REGISTERED);
    const ua = `RegLab-Message-Gateway/${id} (${referencePoint(cfg.kind)})`;
    const token = gatewayToken(id);
    this.peers = cfg.servers.map(
      (s, k) => new Peer(s, { host: `${s}:${HTTP_PORT}`, userAgent: ua, token, gateway: id, dir: cfg.dir }, k, cfg.connections, cfg.bulking.maxSize),
    );
    this.policySnapshot = { maxSize: cfg.bulking.maxSize, minSize: cfg.bulking.minSize };
    this.adaptive = (cfg.bulking.adaptive ?? DEFAULT_ADAPTIVE).policy !== 'fixed' && cfg.bulking.maxSize > 1;
    this.segLoss = cfg.segmentSize > 0 ? new SegmentLoss(cfg.segmentSize, this.net, this.signals, this.stream('segment-loss'), () => this.now()) : undefined;
  }

  /** What the gateway believes of UE `ue` (for tests and the dashboard). */
  stateOf(ue: number): 'unregistered' | 'registered' | 'busy' {
    const s = this.st[ue - this.cfg.from];
    return s === REGISTERED ? 'registered' : s === BUSY ? 'busy' : 'unregistered';
  }

  /**
   * Whether the gateway believes UE `ue` registered: it is, or a procedure is under way for a UE that
   * was registered when it began (the gateway's view changes only when it learns the result).
   */
  believesRegistered(ue: number): boolean {
    const i = ue - this.cfg.from;
    if (i < 0 || i >= this.cfg.count) return false;
    const s = this.st[i];
    return s === REGISTERED || (s === BUSY && (this.fl[i] & F_WAS_REG) !== 0);
  }

  /**
   * For the mismatched-views probe, when gateways overlap: sets out[ue] = 1 for every UE this gateway
   * believes registered at server `serverId` (UE u is served by servers[u mod n]), and for a UE whose
   * request is in flight takes the server's view `reg[ue]` (an exchange in progress is not compared).
   * O(UEs of this gateway).
   */
  markBeliefs(serverId: string, out: Uint8Array, reg: Uint8Array): void {
    const np = this.peers.length;
    let k = -1;
    for (let j = 0; j < np; j++) if (this.peers[j].id === serverId) k = j;
    if (k < 0) return;
    const from = this.cfg.from;
    const st = this.st;
    const fl = this.fl;
    for (let i = 0; i < this.cfg.count; i++) {
      const ue = from + i;
      if (np > 1 && ue % np !== k) continue;
      const s = st[i];
      if (fl[i] & F_INFLIGHT ? reg[ue] : s === REGISTERED || (s === BUSY && (fl[i] & F_WAS_REG) !== 0)) out[ue] = 1;
    }
  }

  /**
   * For the mismatched-views probe, when no other gateway sends these UEs to this server: compares
   * this gateway's view with the server's store `reg` for every UE it sends to `serverId` and adds
   * the disagreements to `acc` (onlyServer: registered there, not believed here; onlyGateway: the
   * reverse). One pass over this gateway's UEs, no scratch memory.
   */
  compareViews(serverId: string, reg: Uint8Array, acc: { onlyServer: number; onlyGateway: number }): void {
    const np = this.peers.length;
    let k = -1;
    for (let j = 0; j < np; j++) if (this.peers[j].id === serverId) k = j;
    if (k < 0) return;
    const from = this.cfg.from;
    const st = this.st;
    const fl = this.fl;
    let os = 0;
    let og = 0;
    for (let i = 0; i < this.cfg.count; i++) {
      const ue = from + i;
      if (np > 1 && ue % np !== k) continue;
      const f = fl[i];
      // An exchange in progress is not compared: the server may already have stored what the answer
      // on its way will tell the gateway (the ordinary gap of every request, not a disagreement).
      if (f & F_INFLIGHT) continue;
      const s = st[i];
      const b = s === REGISTERED || (s === BUSY && (f & F_WAS_REG) !== 0) ? 1 : 0;
      const a = reg[ue];
      if (a !== b) {
        if (a) os++;
        else og++;
      }
    }
    acc.onlyServer += os;
    acc.onlyGateway += og;
  }

  /** Adds 1 to served[ue] for every UE this gateway sends to `serverId` (the probe's coverage map). */
  markServed(serverId: string, served: Uint8Array): void {
    const np = this.peers.length;
    const k = this.peers.findIndex((p) => p.id === serverId);
    if (k < 0) return;
    for (let i = 0; i < this.cfg.count; i++) {
      const ue = this.cfg.from + i;
      if ((np === 1 || ue % np === k) && served[ue] < 255) served[ue]++;
    }
  }

  /** Current bulk size limit towards a server (the adaptive policy moves it). */
  bulkLimit(serverId: string): number {
    return this.peers.find((p) => p.id === serverId)?.limit ?? 0;
  }

  protected override onStart(): void {
    if (!this.startedOnce) {
      this.startedOnce = true;
      for (const p of this.peers) {
        p.index = this.net.indexOf(p.id);
        this.peerByNode[p.index] = p;
        if (this.adaptive) this.signal('bulk.limit', p.limit);
      }
      // Consequence counters exist from the start: a policy that resends nothing shows 0, not a gap.
      this.signal('overhead.requests', 0);
      this.signal('overhead.entries', 0);
      this.signal('overhead.bytes', 0);
    } else if (this.cfg.reregisterOnRestart) {
      // A restart: the gateway lost its state and registers every UE it is configured with again.
      for (let i = 0; i < this.cfg.count; i++) this.beginProcedure(this.cfg.from + i, REG, this.cfg.dir.urgent(this.cfg.from + i));
    }
    if (refreshEnabled(this.cfg.refresh)) this.scheduleSelf(this.cfg.refresh.interval, this.refreshTick);
  }

  private setLimit(peer: Peer, limit: number): void {
    if (limit === peer.limit) return;
    if (this.adaptive) this.signal('bulk.limit', limit - peer.limit);
    peer.limit = limit;
  }

  /** The refresh policy: every UE believed registered and idle is registered again (§8.2.3 / bulked). */
  private onRefresh(): void {
    let n = 0;
    for (let i = 0; i < this.cfg.count; i++) {
      if (this.st[i] !== REGISTERED) continue;
      n++;
      this.beginProcedure(this.cfg.from + i, REG, this.cfg.dir.urgent(this.cfg.from + i));
    }
    if (n > 0) this.signal('refresh.entries', n);
    this.scheduleSelf(this.cfg.refresh.interval, this.refreshTick);
  }

  /** Sends a message; on a datagram link with segment loss on, a message of k segments may be lost in any of them. */
  private out(to: number, msg: Message): void {
    if (this.segLoss !== undefined && this.segLoss.lose(this.index, to, msg)) return;
    this.send(to, msg);
  }

  protected override onCrash(): void {
    for (let i = 0; i < this.cfg.count; i++) {
      if (this.st[i] === BUSY) this.procedureEnded(PROCEDURE[this.fl[i] & F_OP], this.cfg.from + i, this.started[i], 'abandoned');
    }
    this.st.fill(IDLE);
    this.fl.fill(0);
    this.retries.fill(0);
    for (const p of this.peers) {
      p.reset();
      this.setLimit(p, p.maxBulk);
    }
    this.toHead = 0;
    this.toLen = 0;
    this.timeoutTimer = undefined;
    this.outstanding = 0;
  }

  protected handleMessage(msg: Message, from: number): void {
    if (from === FROM_WORKLOAD) return this.onTrigger(msg);
    if (from === FROM_SELF) {
      if (msg instanceof BatchWindow) return this.onWindow(msg);
      if (msg instanceof TimeoutCheck) return this.onTimeoutCheck();
      if (msg instanceof Retry) return this.onRetry(msg);
      if (msg instanceof RefreshTick) return this.onRefresh();
      return;
    }
    if (msg instanceof UeAuthRequest) return this.answerChallenge(msg, from);
    const peer = this.peerByNode[from];
    if (peer === undefined) {
      this.signal('message.unexpected', 1, msg.sub);
      return;
    }
    if (msg instanceof BulkResponse || msg instanceof RegistrationResponse || msg instanceof DeregistrationResponse) {
      this.onResponse(peer, msg);
    } else {
      this.signal('message.unexpected', 1, msg.sub);
    }
  }

  // ---- triggers and procedures ------------------------------------------------------------------

  private onTrigger(msg: Message): void {
    const t = TRIGGERS[msg.kind];
    const ue = msg.sub;
    if (t === undefined) {
      this.signal('trigger.unknown', 1, ue);
      return;
    }
    if (ue < this.cfg.from || ue >= this.cfg.from + this.cfg.count) {
      this.signal('trigger.foreign-ue', 1, ue);
      return;
    }
    this.startOrDefer(ue, t.op, t.urgent || this.cfg.dir.urgent(ue));
  }

  private startOrDefer(ue: number, op: Op, urgent: boolean): void {
    const i = ue - this.cfg.from;
    const s = this.st[i];
    if (s === BUSY) {
      if ((this.fl[i] & F_OP) === op && (this.fl[i] & (F_DEFER_REG | F_DEFER_DEREG)) === 0) {
        this.signal('trigger.coalesced', 1, ue);
        return;
      }
      // The latest wish wins, after the procedure under way.
      this.fl[i] = (this.fl[i] & ~(F_DEFER_REG | F_DEFER_DEREG | F_DEFER_URGENT)) | (op === REG ? F_DEFER_REG : F_DEFER_DEREG) | (urgent ? F_DEFER_URGENT : 0);
      this.signal('trigger.deferred', 1, ue);
      return;
    }
    if (op === DEREG && s === IDLE) {
      // §8.2.4 pre-condition 1: only a UE this gateway registered is de-registered.
      this.signal('deregister.not-registered', 1, ue);
      return;
    }
    this.beginProcedure(ue, op, urgent);
  }

  /** §8.2.X step 1 / §8.2.4 step 1: the gateway determines to (de-)register the UE. */
  private beginProcedure(ue: number, op: Op, urgent: boolean): void {
    const i = ue - this.cfg.from;
    const wasReg = this.st[i] === REGISTERED;
    this.st[i] = BUSY;
    this.fl[i] = (op === DEREG ? F_OP : 0) | (urgent ? F_URGENT : 0) | (wasReg ? F_WAS_REG : 0);
    this.retries[i] = 0;
    this.started[i] = this.now();
    this.procedureStarted(PROCEDURE[op], ue);
    this.route(ue, op, urgent, false);
  }

  /**
   * 23.554:8.2.X/1 — §8.2.X step 1: "checks whether the Non-MSGin5G UE registrations can be bulked.
   * If [not], the Message Gateway shall use the procedure specified in clause 8.2.3" — the bulking
   * policy decides.
   */
  private route(ue: number, op: Op, urgent: boolean, individualRetry: boolean): void {
    const peer = this.peerOf(ue);
    const d = decideBulking(this.cfg.bulking, { urgent, individualRetry });
    if (d === 'batch') this.addToBatch(peer, op, ue);
    else peer.individual.push((ue * 2 + op) * 8 + WHY_CODE[d]);
    this.pump(peer);
  }

  private peerOf(ue: number): Peer {
    return this.peers.length === 1 ? this.peers[0] : this.peers[ue % this.peers.length];
  }

  private addToBatch(peer: Peer, op: Op, ue: number): void {
    const b = peer.batches[op];
    if (b.n === 0) b.timer = this.scheduleSelf(this.cfg.bulking.window, new BatchWindow(peer, op, b.gen));
    b.ues[b.n++] = ue;
    if (batchFull(this.cfg.bulking, b.n, peer.limit)) this.closeBatch(peer, op);
  }

  private onWindow(w: BatchWindow): void {
    const b = w.peer.batches[w.op];
    if (b.gen !== w.gen) return;
    b.timer = undefined;
    this.closeBatch(w.peer, w.op);
    this.pump(w.peer);
  }

  private closeBatch(peer: Peer, op: Op): void {
    const b = peer.batches[op];
    const n = b.n;
    b.gen++;
    b.n = 0;
    if (b.timer !== undefined) {
      this.cancel(b.timer);
      b.timer = undefined;
    }
    if (n === 0) return;
    if (closeBatch(this.cfg.bulking, n) === 'bulk') {
      peer.ready.push(new BulkJob(op, b.ues.slice(0, n), 0));
    } else {
      for (let k = 0; k < n; k++) peer.individual.push((b.ues[k] * 2 + op) * 8 + WHY_CODE['below-min-size']);
    }
  }

  /** Sends waiting requests while a connection is free: individual (urgent, retries) first, then bulks. */
  private pump(peer: Peer): void {
    while (peer.nFree > 0) {
      if (peer.individual.length > 0) {
        const v = peer.individual.shift();
        const why = v % 8;
        const uo = (v - why) / 8;
        const op = (uo % 2) as Op;
        const ue = (uo - op) / 2;
        const slot = peer.free[--peer.nFree];
        const tx = ++this.txSeq;
        // 23.554:8.2.4/2 — a de-registration request includes the UE Service ID (Table 8.2.4-1).
        const msg =
          op === REG ? new RegistrationRequest(peer.ch, ue, tx, slot, WHY[why]) : new DeregistrationRequest(peer.ch, ue, tx, slot, WHY[why]);
        peer.slotTx[slot] = tx;
        peer.slotReq[slot] = msg;
        peer.slotJob[slot] = undefined;
        const i = ue - this.cfg.from;
        if (this.fl[i] & F_SENT) this.overhead(1, 1, msg.bytes);
        this.fl[i] |= F_SENT | F_INFLIGHT;
        this.armTimeout(peer, slot, tx);
        this.out(peer.index, msg);
      } else if (peer.readyHead < peer.ready.length) {
        const job = this.nextJob(peer);
        if (job === undefined) continue; // its entries went to the individual queue
        const slot = peer.free[--peer.nFree];
        const tx = ++this.txSeq;
        // 23.554:8.2.X/2 — §8.2.X step 2: the bulk request with Table 8.2.X-1's IEs.
        const msg = new BulkRequest(job.op, peer.ch, job.subs, tx, slot, this.policySnapshot);
        peer.slotTx[slot] = tx;
        peer.slotReq[slot] = msg;
        peer.slotJob[slot] = job;
        this.signal(job.op === REG ? 'bulk.sent' : 'bulk-dereg.sent', 1);
        this.countBulkOverhead(peer, job, msg);
        this.armTimeout(peer, slot, tx);
        this.out(peer.index, msg);
      } else break;
    }
  }

  /**
   * Signalling overhead the failure policies cause: requests carrying entries that already left once
   * in their procedure (resends, splits, retries). `overhead.bytes` counts what those entries added:
   * a request made only of them counts whole; a bulk mixing them with first sends counts the
   * difference with the same bulk without them.
   */
  private countBulkOverhead(peer: Peer, job: BulkJob, msg: BulkRequest): void {
    const subs = job.subs;
    const n = subs.length;
    let again = 0;
    for (let k = 0; k < n; k++) if (this.fl[subs[k] - this.cfg.from] & F_SENT) again++;
    if (again === n) this.overhead(1, n, msg.bytes);
    else if (again > 0) {
      const fresh = new Int32Array(n - again);
      let j = 0;
      for (let k = 0; k < n; k++) if ((this.fl[subs[k] - this.cfg.from] & F_SENT) === 0) fresh[j++] = subs[k];
      this.overhead(0, again, msg.bytes - new BulkRequest(job.op, peer.ch, fresh, 0, 0, undefined).bytes);
    }
    for (let k = 0; k < n; k++) this.fl[subs[k] - this.cfg.from] |= F_SENT | F_INFLIGHT;
  }

  /** A request was answered or timed out: its UEs are no longer in flight. */
  private landed(req: RegistrationRequest | DeregistrationRequest | BulkRequest): void {
    const from = this.cfg.from;
    if (req instanceof BulkRequest) {
      const subs = req.subs;
      for (let k = 0; k < subs.length; k++) {
        const i = subs[k] - from;
        if (i >= 0 && i < this.cfg.count) this.fl[i] &= ~F_INFLIGHT;
      }
    } else {
      const i = req.sub - from;
      if (i >= 0 && i < this.cfg.count) this.fl[i] &= ~F_INFLIGHT;
    }
  }

  private overhead(requests: number, entries: number, bytes: number): void {
    if (requests) this.signal('overhead.requests', requests);
    this.signal('overhead.entries', entries);
    this.signal('overhead.bytes', bytes);
  }

  /**
   * The next bulk to send. Under the adaptive policy no bulk leaves larger than the current limit:
   * a bulk formed (or failed and waiting to be resent) before the limit fell is cut to it, the rest
   * waits at the head of the queue; a piece the bulking policy would not send as a bulk (below
   * minSize) goes as individual requests.
   */
  private nextJob(peer: Peer): BulkJob | undefined {
    const job = peer.ready[peer.readyHead];
    const lim = peer.limit;
    if (!this.adaptive || job.subs.length <= lim) {
      this.dequeueJob(peer);
      return job;
    }
    this.signal('bulk.cut', 1);
    if (closeBatch(this.cfg.bulking, lim) === 'individual') {
      this.dequeueJob(peer);
      this.individually(peer, job.op, job.subs);
      return undefined;
    }
    const head = new BulkJob(job.op, job.subs.slice(0, lim), job.retries);
    const rest = job.subs.subarray(lim);
    if (closeBatch(this.cfg.bulking, rest.length) === 'bulk') peer.ready[peer.readyHead] = new BulkJob(job.op, rest.slice(), job.retries);
    else {
      this.dequeueJob(peer);
      this.individually(peer, job.op, rest);
    }
    return head;
  }

  private dequeueJob(peer: Peer): void {
    peer.ready[peer.readyHead++] = undefined as never;
    if (peer.readyHead === peer.ready.length) {
      peer.ready.length = 0;
      peer.readyHead = 0;
    }
  }

  /** Entries of a bulk that will not go as one: individual requests (§8.2.3 / §8.2.4), below-min-size. */
  private individually(peer: Peer, op: Op, ues: Int32Array): void {
    for (let k = 0; k < ues.length; k++) peer.individual.push((ues[k] * 2 + op) * 8 + WHY_CODE['below-min-size']);
  }

  private freeSlot(peer: Peer, slot: number): void {
    peer.slotTx[slot] = 0;
    peer.slotReq[slot] = undefined;
    peer.slotJob[slot] = undefined;
    peer.free[peer.nFree++] = slot;
    if (--this.outstanding === 0 && this.timeoutTimer !== undefined) {
      // Nothing in flight: every pending deadline is stale. Dropping them lets the run end at its
      // last real event instead of a timeout later.
      this.cancel(this.timeoutTimer);
      this.timeoutTimer = undefined;
      this.toHead = 0;
      this.toLen = 0;
    }
  }

  // ---- responses ---------------------------------------------------------------------------------

  private onResponse(peer: Peer, msg: BulkResponse | RegistrationResponse | DeregistrationResponse): void {
    const slot = msg.conn;
    if (!(slot >= 0 && slot < peer.slotTx.length) || peer.slotTx[slot] !== msg.tx) {
      // The request timed out and its connection was given up: a late answer is discarded.
      this.signal('response.late', 1, msg.sub);
      return;
    }
    const req = peer.slotReq[slot]!;
    const job = peer.slotJob[slot];
    this.freeSlot(peer, slot);
    this.landed(req);
    if (msg instanceof BulkResponse) {
      if (job === undefined || !(req instanceof BulkRequest)) this.signal('response.mismatch', 1);
      else this.onBulkResponse(peer, job, msg);
    } else {
      this.onIndividualResponse(req as RegistrationRequest | DeregistrationRequest, msg);
    }
    this.pump(peer);
  }

  private onIndividualResponse(req: RegistrationRequest | DeregistrationRequest, msg: RegistrationResponse | DeregistrationResponse): void {
    const ue = req.sub;
    const op: Op = req instanceof RegistrationRequest ? REG : DEREG;
    if (msg.success) return this.finish(ue, op, 'completed');
    const cause = msg.explicit ? String(msg.explicit.failureCause ?? 'MISSING_CAUSE') : causeOf(msg.cause);
    if (isCause(cause) && CAUSES[cause].scope === 'request') {
      return this.requestFailedIndividual(ue, op, failureKind(msg.status), (msg.retryAfterS ?? 0) * 1e9);
    }
    this.entryFailed(ue, op, cause);
  }

  private onBulkResponse(peer: Peer, job: BulkJob, msg: BulkResponse): void {
    if (msg.isProblem || msg.status !== 200) {
      return this.requestFailedBulk(peer, job, failureKind(msg.status), (msg.retryAfterS ?? 0) * 1e9);
    }
    this.setLimit(peer, afterBulkAnswered(this.cfg.bulking.adaptive ?? DEFAULT_ADAPTIVE, peer.limit, peer.maxBulk));
    const n = job.subs.length;
    const op = job.op;
    const rs = msg.subs;
    let inOrder = rs.length === n && msg.explicit === undefined;
    for (let k = 0; inOrder && k < n; k++) if (rs[k] !== job.subs[k]) inOrder = false;
    if (inOrder) {
      const res = msg.results;
      let ok = 0;
      for (let k = 0; k < n; k++) {
        if (res[k] === 0) {
          ok++;
          this.finish(job.subs[k], op, 'completed');
        } else this.entryFailed(job.subs[k], op, causeOf(res[k]));
      }
      if (ok < n) this.signal('bulk.entries-failed', n - ok);
      return;
    }
    // The response does not answer the request entry by entry (8.2.X step 4 broken): match by UE,
    // and treat a request entry without an answer as failed.
    this.signal('response.mismatch', 1);
    const list = msg.list() ?? [];
    const answer = new Map<number, string>();
    for (const e of list) {
      const ue = this.cfg.dir.ueOf(e.ueServiceId);
      const r = (e as { registrationResult?: string; deregistrationResult?: string })[op === REG ? 'registrationResult' : 'deregistrationResult'];
      if (ue >= 0 && !answer.has(ue)) answer.set(ue, r === 'SUCCESS' ? '' : String(e.failureCause ?? 'MISSING_CAUSE'));
    }
    for (let k = 0; k < n; k++) {
      const ue = job.subs[k];
      const a = answer.get(ue);
      if (a === '') this.finish(ue, op, 'completed');
      else this.entryFailed(ue, op, a ?? 'MISSING_IN_RESPONSE');
    }
  }

  /** Entry failure policy (bulk entry or individual response with a per-entry cause). */
  private entryFailed(ue: number, op: Op, cause: string): void {
    const i = ue - this.cfg.from;
    if (i < 0 || i >= this.cfg.count || this.st[i] !== BUSY) return;
    const a = onEntryFailure(this.cfg.entryFailure, cause, this.retries[i]);
    if (a.action === 'give-up') return this.finish(ue, op, 'failed', cause);
    this.retries[i]++;
    this.signal('entry.retry', 1, ue);
    const ues = Int32Array.of(ue);
    this.scheduleSelf(a.delay, new Retry(op, ues, a.action === 'retry-in-bulk', undefined, this.peerOf(ue)));
  }

  private requestFailedIndividual(ue: number, op: Op, failure: RequestFailure, retryAfter: Ns): void {
    const i = ue - this.cfg.from;
    if (i < 0 || i >= this.cfg.count || this.st[i] !== BUSY) return;
    const a = onRequestFailure(this.cfg.requestFailure, failure, this.retries[i], false, retryAfter);
    if (a.action === 'resend' || a.action === 'retry-individually') {
      this.retries[i]++;
      this.signal('request.retry', 1, ue);
      this.scheduleSelf(a.delay, new Retry(op, Int32Array.of(ue), false, undefined, this.peerOf(ue)));
    } else this.finish(ue, op, 'failed', failure);
  }

  private requestFailedBulk(peer: Peer, job: BulkJob, failure: RequestFailure, retryAfter: Ns): void {
    if (failure === 'timeout' || failure === 'overloaded') {
      this.setLimit(peer, afterBulkFailed(this.cfg.bulking.adaptive ?? DEFAULT_ADAPTIVE, peer.limit, peer.maxBulk));
    }
    const a = onRequestFailure(this.cfg.requestFailure, failure, job.retries, true, retryAfter);
    switch (a.action) {
      case 'split': {
        if (a.delay !== undefined) return this.splitAndRetry(peer, job, a.delay);
        const h = job.subs.length >> 1;
        this.signal('bulk.split', 1);
        for (const part of [job.subs.subarray(0, h), job.subs.subarray(h)]) {
          // A half still goes as a bulk only if the bulking policy would send a batch of its size.
          if (closeBatch(this.cfg.bulking, part.length) === 'bulk') peer.ready.push(new BulkJob(job.op, part.slice(), job.retries));
          else for (let k = 0; k < part.length; k++) peer.individual.push((part[k] * 2 + job.op) * 8 + WHY_CODE.split);
        }
        return;
      }
      case 'resend':
        job.retries++;
        this.signal('bulk.resend', 1);
        this.scheduleSelf(a.delay, new Retry(job.op, undefined, false, job, peer));
        return;
      case 'retry-individually':
        for (let k = 0; k < job.subs.length; k++) {
          const i = job.subs[k] - this.cfg.from;
          if (i >= 0 && i < this.cfg.count) this.retries[i] = Math.min(255, job.retries + 1);
        }
        this.signal('request.retry', job.subs.length);
        this.scheduleSelf(a.delay, new Retry(job.op, job.subs, false, undefined, peer));
        return;
      case 'give-up':
        for (let k = 0; k < job.subs.length; k++) this.finish(job.subs[k], job.op, 'failed', failure);
        return;
    }
  }

  /**
   * The `split` policy: a bulk that failed whole goes again after `delay` as two halves, each a retry
   * of its own; a half the bulking policy would not send as a bulk goes as individual requests.
   */
  private splitAndRetry(peer: Peer, job: BulkJob, delay: Ns): void {
    const h = job.subs.length >> 1;
    const retries = job.retries + 1;
    this.signal('bulk.split', 1);
    for (const part of [job.subs.subarray(0, h), job.subs.subarray(h)]) {
      if (part.length === 0) continue;
      if (closeBatch(this.cfg.bulking, part.length) === 'bulk') {
        this.scheduleSelf(delay, new Retry(job.op, undefined, false, new BulkJob(job.op, part.slice(), retries), peer));
      } else {
        for (let k = 0; k < part.length; k++) {
          const i = part[k] - this.cfg.from;
          if (i >= 0 && i < this.cfg.count) this.retries[i] = Math.min(255, retries);
        }
        this.signal('request.retry', part.length);
        this.scheduleSelf(delay, new Retry(job.op, part.slice(), false, undefined, peer));
      }
    }
  }

  private onRetry(r: Retry): void {
    if (r.job) {
      r.peer.ready.push(r.job);
      this.pump(r.peer);
      return;
    }
    const ues = r.ues!;
    for (let k = 0; k < ues.length; k++) {
      const ue = ues[k];
      const i = ue - this.cfg.from;
      if (this.st[i] !== BUSY || (this.fl[i] & F_OP) !== r.op) continue;
      this.route(ue, r.op, (this.fl[i] & F_URGENT) !== 0, !r.viaBatcher);
    }
  }

  /** The gateway learnt the UE's result: the procedure ends; a deferred wish starts next. */
  private finish(ue: number, op: Op, outcome: 'completed' | 'failed', cause?: string): void {
    const i = ue - this.cfg.from;
    if (i < 0 || i >= this.cfg.count || this.st[i] !== BUSY) return;
    if (outcome === 'completed') this.st[i] = op === REG ? REGISTERED : IDLE;
    // A failed registration leaves the UE unregistered; a failed de-registration leaves it
    // registered, unless the server says it has no such registration.
    else this.st[i] = op === REG || cause === 'UNKNOWN_UE_SERVICE_ID' ? IDLE : REGISTERED;
    this.procedureEnded(PROCEDURE[op], ue, this.started[i], outcome);
    const f = this.fl[i];
    if (f & (F_DEFER_REG | F_DEFER_DEREG)) {
      this.fl[i] = 0;
      this.startOrDefer(ue, f & F_DEFER_REG ? REG : DEREG, (f & F_DEFER_URGENT) !== 0);
    }
  }

  // ---- per-UE authentication (the server's 'per-ue' policy) -------------------------------------

  private answerChallenge(msg: UeAuthRequest, from: number): void {
    const ue = msg.sub;
    const cred = ue >= this.cfg.from && ue < this.cfg.from + this.cfg.count ? this.cfg.dir.gatewayCredential(ue) : '';
    const response = UeDirectory.challengeResponse(cred, msg.challenge);
    this.out(from, new UeAuthResponse(msg.ch, ue, msg.tx, msg.conn, msg.entry, msg.op, response));
  }

  // ---- request timeouts ----------------------------------------------------------------------------

  private armTimeout(peer: Peer, slot: number, tx: number): void {
    if (this.toLen === this.toDeadline.length) this.growTimeouts();
    const cap = this.toDeadline.length;
    const j = (this.toHead + this.toLen) % cap;
    this.toDeadline[j] = this.now() + this.cfg.requestTimeout;
    this.toTx[j] = tx;
    this.toKey[j] = peer.peerNo * this.cfg.connections + slot;
    this.toLen++;
    this.outstanding++;
    if (this.timeoutTimer === undefined) this.timeoutTimer = this.scheduleSelf(this.cfg.requestTimeout, this.timeoutCheck);
  }

  private growTimeouts(): void {
    const cap = this.toDeadline.length;
    const d = new Float64Array(cap * 2);
    const t = new Float64Array(cap * 2);
    const k = new Int32Array(cap * 2);
    for (let x = 0; x < this.toLen; x++) {
      const j = (this.toHead + x) % cap;
      d[x] = this.toDeadline[j];
      t[x] = this.toTx[j];
      k[x] = this.toKey[j];
    }
    this.toDeadline = d;
    this.toTx = t;
    this.toKey = k;
    this.toHead = 0;
  }

  private onTimeoutCheck(): void {
    this.timeoutTimer = undefined;
    const now = this.now();
    while (this.toLen > 0 && this.toDeadline[this.toHead] <= now) {
      const cap = this.toDeadline.length;
      const tx = this.toTx[this.toHead];
      const key = this.toKey[this.toHead];
      this.toHead = (this.toHead + 1) % cap;
      this.toLen--;
      const peer = this.peers[Math.floor(key / this.cfg.connections)];
      const slot = key % this.cfg.connections;
      if (peer.slotTx[slot] !== tx) continue; // answered in time
      const req = peer.slotReq[slot]!;
      const job = peer.slotJob[slot];
      this.freeSlot(peer, slot);
      this.landed(req);
      this.signal('request.timeout', 1, req.sub);
      if (job) this.requestFailedBulk(peer, job, 'timeout', 0);
      else this.requestFailedIndividual(req.sub, req instanceof RegistrationRequest ? REG : DEREG, 'timeout', 0);
      this.pump(peer);
    }
    // Skip deadlines of requests already answered, then wait for the first one still in flight.
    while (this.toLen > 0) {
      const key = this.toKey[this.toHead];
      const peer = this.peers[Math.floor(key / this.cfg.connections)];
      if (peer.slotTx[key % this.cfg.connections] === this.toTx[this.toHead]) break;
      this.toHead = (this.toHead + 1) % this.toDeadline.length;
      this.toLen--;
    }
    if (this.toLen > 0 && this.timeoutTimer === undefined) {
      this.timeoutTimer = this.scheduleSelf(this.toDeadline[this.toHead] - now, this.timeoutCheck);
    }
  }
}

function failureKind(status: number): RequestFailure {
  if (status === 503) return 'overloaded';
  if (status === 413) return 'too-large';
  if (status === 504 || status >= 500) return 'overloaded';
  return 'rejected';
}
