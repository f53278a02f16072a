import { afterBulkAnswered, DEFAULT_ADAPTIVE } from '../policies/bulk-adaptive.ts';
import { CAUSES, causeOf, isCause } from './causes.ts';
import { DEREG, REG, type Op } from './ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  RegistrationRequest,
  RegistrationResponse,
} from './messages.ts';
import { F_SENT, F_INFLIGHT, WHY, failureKind } from './gateway-shell.ts';
import { BulkJob, Peer } from './gateway-peer.ts';
import { GatewayBatcher } from './gateway-batcher.ts';

/**
 * The gateway's connection pool: `connections` HTTP/1.1 connections per server, one request in flight
 * on each; pump() sends waiting requests (individual first, then bulks) while a connection is free,
 * answers free their connection, and each request in flight has a timeout (a TimerService lane).
 */
export abstract class GatewayPool extends GatewayBatcher {
  /** The request timeouts' keyed lane: key = peerNo × connections + slot, no Timer object per request. */
  private readonly timeoutLane = this.timeouts.keyLane(this.cfg.requestTimeout, (key) => this.onTimeout(key), this.peers.length * this.cfg.connections);

  /** Sends waiting requests while a connection is free: individual (urgent, retries) first, then bulks. */
  protected override pump(peer: Peer): void {
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
        this.armTimeout(peer, slot);
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
        this.armTimeout(peer, slot);
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
  private freeSlot(peer: Peer, slot: number): void {
    peer.slotTx[slot] = 0;
    peer.slotReq[slot] = undefined;
    peer.slotJob[slot] = undefined;
    peer.free[peer.nFree++] = slot;
    this.timeouts.cancelKey(this.timeoutLane, peer.peerNo * this.cfg.connections + slot);
    this.outstanding--;
  }

  protected override onResponse(peer: Peer, msg: BulkResponse | RegistrationResponse | DeregistrationResponse): void {
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

  private armTimeout(peer: Peer, slot: number): void {
    this.outstanding++;
    this.timeouts.scheduleKey(this.timeoutLane, peer.peerNo * this.cfg.connections + slot);
  }
  /** A request's timeout: its connection is given up (a late answer is discarded) and the failure policy decides. */
  private onTimeout(key: number): void {
    const peer = this.peers[Math.floor(key / this.cfg.connections)];
    const slot = key % this.cfg.connections;
    const req = peer.slotReq[slot]!;
    const job = peer.slotJob[slot];
    this.freeSlot(peer, slot);
    this.landed(req);
    this.signal('request.timeout', 1, req.sub);
    if (job) this.requestFailedBulk(peer, job, 'timeout', 0);
    else this.requestFailedIndividual(req.sub, req instanceof RegistrationRequest ? REG : DEREG, 'timeout', 0);
    this.pump(peer);
  }
}
