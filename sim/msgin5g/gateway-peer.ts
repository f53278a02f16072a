import type { Timer } from '../kernel/clock.ts';
import type { Message } from '../net/message.ts';
import { type Channel } from './http.ts';
import { type Op } from './ies.ts';
import { BulkRequest, DeregistrationRequest, RegistrationRequest } from './messages.ts';
/**
 * The Message Gateway's view of one MSGin5G Server (connections, queues, batches) and the gateway's
 * self-messages (timers).
 */

/** A growable FIFO of numbers (UE requests waiting for a connection). */
export class NumRing {
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
export class BulkJob {
  constructor(
    readonly op: Op,
    readonly subs: Int32Array,
    public retries: number,
  ) {}
}

export class Batch {
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
export class Peer {
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

/** What every timer of the gateway is to the node base: a message of no size, to itself. */
abstract class GatewayTimer implements Message {
  readonly proto = 'timer';
  abstract readonly kind: string;
  readonly bytes = 0;
  readonly entries = 1;
  readonly sub = -1;
}

export class BatchWindow extends GatewayTimer {
  readonly kind = 'batch-window';
  constructor(
    readonly peer: Peer,
    readonly op: Op,
    readonly gen: number,
  ) {
    super();
  }
}

export class RefreshTick extends GatewayTimer {
  readonly kind = 'refresh';
}

export class Retry extends GatewayTimer {
  readonly kind = 'retry';
  constructor(
    readonly op: Op,
    /** UEs to retry individually, or through the batcher (`viaBatcher`). */
    readonly ues: Int32Array | undefined,
    readonly viaBatcher: boolean,
    /** A bulk to resend as it is. */
    readonly job: BulkJob | undefined,
    readonly peer: Peer,
  ) {
    super();
  }
}
