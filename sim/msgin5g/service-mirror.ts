import type { Message } from '../net/message.ts';

/**
 * What a node has in service and what waits, mirrored from its arrivals and service completions, so
 * that a crash knows how long each message in service had been served (the MSGin5G Server's
 * per-entry commit). The node base serves FIFO with `workers` servers: an arrival starts at once
 * when a worker is idle, else waits (unless the queue is full: refused); a completion starts the
 * oldest waiting message at once. Tests check the mirror against the node base at every step.
 *
 * Slots for the messages in service (at most `workers`, scanned linearly) and a ring buffer for the
 * waiting ones: no allocation per message once the ring has grown.
 */
export class ServiceMirror {
  private readonly slotMsg: (Message | undefined)[];
  private readonly slotStart: Float64Array;
  private readonly slotFrom: Int32Array;
  inService = 0;
  private ringMsg: (Message | undefined)[] = new Array(16).fill(undefined);
  private ringFrom = new Int32Array(16);
  private head = 0;
  waiting = 0;

  constructor(workers: number) {
    this.slotMsg = new Array(workers).fill(undefined);
    this.slotStart = new Float64Array(workers);
    this.slotFrom = new Int32Array(workers);
  }

  /** A message starts service now. */
  start(msg: Message, from: number, now: number): void {
    for (let j = 0; j < this.slotMsg.length; j++) {
      if (this.slotMsg[j] === undefined) {
        this.slotMsg[j] = msg;
        this.slotStart[j] = now;
        this.slotFrom[j] = from;
        this.inService++;
        return;
      }
    }
  }

  /** A message waits for a worker. */
  enqueue(msg: Message, from: number): void {
    if (this.waiting === this.ringMsg.length) this.grow();
    const i = (this.head + this.waiting) & (this.ringMsg.length - 1);
    this.ringMsg[i] = msg;
    this.ringFrom[i] = from;
    this.waiting++;
  }

  /** A message's service ended. */
  end(msg: Message): void {
    for (let j = 0; j < this.slotMsg.length; j++) {
      if (this.slotMsg[j] === msg) {
        this.slotMsg[j] = undefined;
        this.inService--;
        return;
      }
    }
  }

  /** The oldest waiting message starts service now. */
  startNext(now: number): void {
    if (this.waiting === 0) return;
    const m = this.ringMsg[this.head]!;
    const from = this.ringFrom[this.head];
    this.ringMsg[this.head] = undefined;
    this.head = (this.head + 1) & (this.ringMsg.length - 1);
    this.waiting--;
    this.start(m, from, now);
  }

  /** Calls fn for each message in service with its sender and start time. */
  forEachInService(fn: (msg: Message, from: number, startedAt: number) => void): void {
    for (let j = 0; j < this.slotMsg.length; j++) {
      const m = this.slotMsg[j];
      if (m !== undefined) fn(m, this.slotFrom[j], this.slotStart[j]);
    }
  }

  clear(): void {
    this.slotMsg.fill(undefined);
    this.inService = 0;
    this.ringMsg.fill(undefined);
    this.head = 0;
    this.waiting = 0;
  }

  private grow(): void {
    const cap = this.ringMsg.length * 2;
    const msgs: (Message | undefined)[] = new Array(cap).fill(undefined);
    const from = new Int32Array(cap);
    for (let k = 0; k < this.waiting; k++) {
      const j = (this.head + k) & (this.ringMsg.length - 1);
      msgs[k] = this.ringMsg[j];
      from[k] = this.ringFrom[j];
    }
    this.ringMsg = msgs;
    this.ringFrom = from;
    this.head = 0;
  }
}
