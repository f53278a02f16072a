import { batchFull, closeBatch, decideBulking } from '../policies/bulk-batching.ts';
import { type Op } from './ies.ts';
import { WHY_CODE, GatewayShell } from './gateway-shell.ts';
import { BulkJob, Peer, BatchWindow } from './gateway-peer.ts';


/**
 * The gateway's batcher (TS 23.554 §8.2.X step 1): whether a UE's request goes in a bulk or alone
 * (the bulking policy), the open batch per server and operation with its window timer, and the bulks
 * ready to send — cut to the adaptive limit when it fell after they formed.
 */
export abstract class GatewayBatcher extends GatewayShell {
  /**
   * 23.554:8.2.X/1 — §8.2.X step 1: "checks whether the Non-MSGin5G UE registrations can be bulked.
   * If [not], the Message Gateway shall use the procedure specified in clause 8.2.3" — the bulking
   * policy decides.
   */
  protected override route(ue: number, op: Op, urgent: boolean, individualRetry: boolean): void {
    const peer = this.peerOf(ue);
    const d = decideBulking(this.cfg.bulking, { urgent, individualRetry });
    if (d === 'batch') this.addToBatch(peer, op, ue);
    else peer.individual.push((ue * 2 + op) * 8 + WHY_CODE[d]);
    this.pump(peer);
  }
  protected override peerOf(ue: number): Peer {
    return this.peers.length === 1 ? this.peers[0] : this.peers[ue % this.peers.length];
  }
  private addToBatch(peer: Peer, op: Op, ue: number): void {
    const b = peer.batches[op];
    if (b.n === 0) b.timer = this.scheduleSelf(this.cfg.bulking.window, new BatchWindow(peer, op, b.gen));
    b.ues[b.n++] = ue;
    if (batchFull(this.cfg.bulking, b.n, peer.limit)) this.closeBatch(peer, op);
  }
  protected override onWindow(w: BatchWindow): void {
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
  /**
   * The next bulk to send. Under the adaptive policy no bulk leaves larger than the current limit:
   * a bulk formed (or failed and waiting to be resent) before the limit fell is cut to it, the rest
   * waits at the head of the queue; a piece the bulking policy would not send as a bulk (below
   * minSize) goes as individual requests.
   */
  protected override nextJob(peer: Peer): BulkJob | undefined {
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
}
