import type { Ns } from '../kernel/time.ts';
import { closeBatch } from '../policies/bulk-batching.ts';
import { afterBulkFailed, DEFAULT_ADAPTIVE } from '../policies/bulk-adaptive.ts';
import { onEntryFailure } from '../policies/bulk-entry-failure.ts';
import { onRequestFailure, type RequestFailure } from '../policies/msgin5g-request-failure.ts';
import { type Op } from './ies.ts';
import { BUSY, F_OP, F_URGENT, WHY_CODE } from './gateway-shell.ts';
import { BulkJob, Peer, Retry } from './gateway-peer.ts';
import { GatewayPool } from './gateway-pool.ts';

/**
 * The gateway's failure handling — what TS 23.554 leaves open, decided by named policies: an entry
 * failed in a bulk or an individual answer (entryFailure), and a request failed whole — timeout,
 * overload, rejection (requestFailure: resend, split, retry individually, give up).
 */
export abstract class GatewayFailures extends GatewayPool {
  /** Entry failure policy (bulk entry or individual response with a per-entry cause). */
  protected override entryFailed(ue: number, op: Op, cause: string): void {
    const i = ue - this.cfg.from;
    if (i < 0 || i >= this.cfg.count || this.st[i] !== BUSY) return;
    const a = onEntryFailure(this.cfg.entryFailure, cause, this.retries[i]);
    if (a.action === 'give-up') return this.finish(ue, op, 'failed', cause);
    this.retries[i]++;
    this.signal('entry.retry', 1, ue);
    const ues = Int32Array.of(ue);
    this.scheduleSelf(a.delay, new Retry(op, ues, a.action === 'retry-in-bulk', undefined, this.peerOf(ue)));
  }
  protected override requestFailedIndividual(ue: number, op: Op, failure: RequestFailure, retryAfter: Ns): void {
    const i = ue - this.cfg.from;
    if (i < 0 || i >= this.cfg.count || this.st[i] !== BUSY) return;
    const a = onRequestFailure(this.cfg.requestFailure, failure, this.retries[i], false, retryAfter);
    if (a.action === 'resend' || a.action === 'retry-individually') {
      this.retries[i]++;
      this.signal('request.retry', 1, ue);
      this.scheduleSelf(a.delay, new Retry(op, Int32Array.of(ue), false, undefined, this.peerOf(ue)));
    } else this.finish(ue, op, 'failed', failure);
  }
  protected override requestFailedBulk(peer: Peer, job: BulkJob, failure: RequestFailure, retryAfter: Ns): void {
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
  protected override onRetry(r: Retry): void {
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
}
