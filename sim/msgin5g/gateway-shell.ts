import type { Ns } from '../kernel/time.ts';
import type { Message } from '../net/message.ts';
import { Node, FROM_SELF, FROM_WORKLOAD, type NodeContext } from '../node/node.ts';
import { TimerService } from '../node/timer-service.ts';
import { type BulkingPolicy } from '../policies/bulk-batching.ts';
import { DEFAULT_ADAPTIVE } from '../policies/bulk-adaptive.ts';
import { refreshEnabled, type RefreshPolicy } from '../policies/msgin5g-refresh.ts';
import { type EntryFailurePolicy } from '../policies/bulk-entry-failure.ts';
import { type RequestFailure, type RequestFailurePolicy } from '../policies/msgin5g-request-failure.ts';
import { gatewayToken, HTTP_PORT, referencePoint } from './http.ts';
import { DEREG, PROCEDURE, REG, type Op } from './ies.ts';
import {
  BulkResponse,
  DeregistrationResponse,
  RegistrationResponse,
  UeAuthRequest,
  UeAuthResponse,
  type BulkPolicySnapshot,
  type IndividualReason,
} from './messages.ts';
import { UeDirectory } from './ue-directory.ts';
import { SegmentLoss } from './segment-loss.ts';
import { BulkJob, Peer, BatchWindow, RefreshTick, Retry } from './gateway-peer.ts';

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
export const IDLE = 0;
export const REGISTERED = 1;
/** A procedure is under way (queued, in a batch, in flight or waiting to retry). */
export const BUSY = 2;

// Per-UE flags (Uint8Array `fl`).
export const F_OP = 1; // current procedure: 0 registration, 1 de-registration
export const F_URGENT = 2; // current procedure is urgent
export const F_DEFER_REG = 4; // a registration waits for the current procedure to end
export const F_DEFER_DEREG = 8;
export const F_DEFER_URGENT = 16;
/** A request for the UE already left once in the current procedure: sending it again is overhead. */
export const F_SENT = 32;
/** The gateway believed the UE registered when the current procedure began (its view until the result). */
export const F_WAS_REG = 64;
/** The UE's request is in flight (sent, neither answered nor timed out): its views are not compared. */
export const F_INFLIGHT = 128;

export const WHY: IndividualReason[] = ['urgent', 'bulking-off', 'below-min-size', 'retry', 'split', 'test'];
export const WHY_CODE: Record<string, number> = Object.fromEntries(WHY.map((w, i) => [w, i]));

export const TRIGGERS: Record<string, { op: Op; urgent: boolean }> = {
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
 * wait for one of `connections` HTTP/1.1 connections per server; each request in flight has a timeout
 * in a TimerService (one kernel timer for all).
 *
 * This file is the shell: per-UE state, lifecycle, views, triggers and the procedures' start and
 * end; the parts — batcher (gateway-batcher.ts), connection pool (gateway-pool.ts) and failure
 * handling (gateway-failures.ts) — are chained as subclasses (MessageGateway, in gateway.ts, is the
 * last), so every call between them stays a plain method call on one object.
 */
export abstract class GatewayShell extends Node {
  protected readonly st: Uint8Array;
  protected readonly fl: Uint8Array;
  protected readonly retries: Uint8Array;
  protected readonly started: Float64Array;
  protected readonly peers: Peer[];
  /** node index → peer (servers only). */
  protected peerByNode: (Peer | undefined)[] = [];
  protected readonly policySnapshot: BulkPolicySnapshot;
  protected txSeq = 0;
  protected startedOnce = false;
  /** The adaptive bulk size policy is on (AIMD): limits move and are reported as the gauge 'bulk.limit'. */
  protected readonly adaptive: boolean;
  protected readonly refreshTick = new RefreshTick();
  protected readonly segLoss: SegmentLoss | undefined;

  /**
   * Request timeouts: one deadline per request in flight, all of the same delay, keyed by connection
   * slot (a keyed lane, gateway-pool.ts), cancelled when the answer comes; one kernel timer for the
   * earliest (sim/node/timer-service.ts).
   */
  protected readonly timeouts: TimerService;
  /** Requests in flight, over all servers. */
  protected outstanding = 0;

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
    this.timeouts = new TimerService(this.clock, [], { disarmWhenEmpty: true });
    this.segLoss = cfg.segmentSize > 0 ? new SegmentLoss(cfg.segmentSize, this.transport, this.signals, this.stream('segment-loss'), () => this.now()) : undefined;
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

  /** Which of this gateway's servers `serverId` is (UE u goes to servers[u mod n]), -1 none. */
  private peerNoOf(serverId: string): number {
    let k = -1;
    for (let j = 0; j < this.peers.length; j++) if (this.peers[j].id === serverId) k = j;
    return k;
  }

  /**
   * For the mismatched-views probe, when gateways overlap: sets out[ue] = 1 for every UE this gateway
   * believes registered at server `serverId` (UE u is served by servers[u mod n]), and for a UE whose
   * request is in flight takes the server's view `reg[ue]` (an exchange in progress is not compared).
   * O(UEs of this gateway).
   */
  markBeliefs(serverId: string, out: Uint8Array, reg: Uint8Array): void {
    const np = this.peers.length;
    const k = this.peerNoOf(serverId);
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
    const k = this.peerNoOf(serverId);
    if (k < 0) return;
    compareBeliefs(this.st, this.fl, reg, this.cfg.from, this.cfg.count, this.peers.length, k, acc);
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
        p.index = this.addresses.indexOf(p.id);
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

  protected setLimit(peer: Peer, limit: number): void {
    if (limit === peer.limit) return;
    if (this.adaptive) this.signal('bulk.limit', limit - peer.limit);
    peer.limit = limit;
  }

  /** The refresh policy: every UE believed registered and idle is registered again (§8.2.3 / bulked). */
  protected onRefresh(): void {
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
  protected out(to: number, msg: Message): void {
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
    this.timeouts.clear();
    this.outstanding = 0;
  }

  protected handleMessage(msg: Message, from: number): void {
    if (from === FROM_WORKLOAD) return this.onTrigger(msg);
    if (from === FROM_SELF) {
      if (msg instanceof BatchWindow) return this.onWindow(msg);
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


  protected onTrigger(msg: Message): void {
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

  protected startOrDefer(ue: number, op: Op, urgent: boolean): void {
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
  protected beginProcedure(ue: number, op: Op, urgent: boolean): void {
    const i = ue - this.cfg.from;
    const wasReg = this.st[i] === REGISTERED;
    this.st[i] = BUSY;
    this.fl[i] = (op === DEREG ? F_OP : 0) | (urgent ? F_URGENT : 0) | (wasReg ? F_WAS_REG : 0);
    this.retries[i] = 0;
    this.started[i] = this.now();
    this.procedureStarted(PROCEDURE[op], ue);
    this.route(ue, op, urgent, false);
  }









  protected overhead(requests: number, entries: number, bytes: number): void {
    if (requests) this.signal('overhead.requests', requests);
    this.signal('overhead.entries', entries);
    this.signal('overhead.bytes', bytes);
  }













  /** The gateway learnt the UE's result: the procedure ends; a deferred wish starts next. */
  protected finish(ue: number, op: Op, outcome: 'completed' | 'failed', cause?: string): void {
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


  protected answerChallenge(msg: UeAuthRequest, from: number): void {
    const ue = msg.sub;
    const cred = ue >= this.cfg.from && ue < this.cfg.from + this.cfg.count ? this.cfg.dir.gatewayCredential(ue) : '';
    const response = UeDirectory.challengeResponse(cred, msg.challenge);
    this.out(from, new UeAuthResponse(msg.ch, ue, msg.tx, msg.conn, msg.entry, msg.op, response));
  }



  // ---- the parts' entry points (gateway-batcher.ts, gateway-pool.ts, gateway-failures.ts) ------

  protected abstract route(ue: number, op: Op, urgent: boolean, individualRetry: boolean): void;
  protected abstract peerOf(ue: number): Peer;
  protected abstract onWindow(w: BatchWindow): void;
  protected abstract nextJob(peer: Peer): BulkJob | undefined;
  protected abstract pump(peer: Peer): void;
  protected abstract onResponse(peer: Peer, msg: BulkResponse | RegistrationResponse | DeregistrationResponse): void;
  protected abstract entryFailed(ue: number, op: Op, cause: string): void;
  protected abstract requestFailedIndividual(ue: number, op: Op, failure: RequestFailure, retryAfter: Ns): void;
  protected abstract requestFailedBulk(peer: Peer, job: BulkJob, failure: RequestFailure, retryAfter: Ns): void;
  protected abstract onRetry(r: Retry): void;
}

export function failureKind(status: number): RequestFailure {
  if (status === 503) return 'overloaded';
  if (status === 413) return 'too-large';
  if (status === 504 || status >= 500) return 'overloaded';
  return 'rejected';
}

/**
 * The mismatched-views count of GatewayShell.compareViews: for the `count` UEs from `from` with
 * state `st` and flags `fl`, those sent to server k of np (UE u goes to servers[u mod np]), not in
 * flight, whose belief (REGISTERED, or BUSY with F_WAS_REG) differs from the server's store
 * `reg[u]` (0 or 1): registered there only → acc.onlyServer, believed here only → acc.onlyGateway.
 *
 * Why the word loop: the probe reads every UE at every sample (a million UEs, ~70 samples in the
 * MSGin5G sizing run): four UEs per 32-bit word, branch-free, when one server takes every UE and
 * the arrays line up on 4 bytes (each byte lane: believed = bit 0 of the state (REGISTERED) or
 * bit 1 (BUSY) with F_WAS_REG; the mismatches of a word counted by a multiply). The byte loop
 * handles the rest, and is the definition the word loop must agree with (test/msgin5g).
 */
export function compareBeliefs(
  st: Uint8Array,
  fl: Uint8Array,
  reg: Uint8Array,
  from: number,
  count: number,
  np: number,
  k: number,
  acc: { onlyServer: number; onlyGateway: number },
): void {
  let os = 0;
  let og = 0;
  let i = 0;
  if (np === 1 && st.byteOffset % 4 === 0 && fl.byteOffset % 4 === 0 && (reg.byteOffset + from) % 4 === 0) {
    const words = count >> 2;
    const S = new Uint32Array(st.buffer, st.byteOffset, words);
    const F = new Uint32Array(fl.buffer, fl.byteOffset, words);
    const R = new Uint32Array(reg.buffer, reg.byteOffset + from, words);
    const M = 0x01010101;
    for (let w = 0; w < words; w++) {
      const s = S[w];
      const f = F[w];
      const a = R[w] & M;
      // believed: REGISTERED (bit 0 of the state) or BUSY (bit 1) with F_WAS_REG (bit 6 of the flags)
      const b = (s & M) | ((s >>> 1) & (f >>> 6) & M);
      // compared: not F_INFLIGHT (bit 7)
      const d = (a ^ b) & ~(f >>> 7) & M;
      os += Math.imul(a & d, M) >>> 24;
      og += Math.imul(b & d, M) >>> 24;
    }
    i = words << 2;
  }
  for (; i < count; i++) {
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
