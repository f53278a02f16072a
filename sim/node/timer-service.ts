import { Timer, TimerState, checkDelay, cancelTimer, fireTimer, type Clock } from '../kernel/clock.ts';
import type { Ns } from '../kernel/time.ts';

class ServiceTimer extends Timer {
  /** Position in the heap (>= 0), in FIFO lane i (-2 - i), or nowhere (-1: fired or cancelled). */
  idx = -1;
  seq = 0;
  /** Neighbours in its FIFO lane. */
  prev: ServiceTimer | null = null;
  next: ServiceTimer | null = null;
}

/** Timers of one fixed delay, in scheduling order — which is also their due order. */
class Lane {
  head: ServiceTimer | null = null;
  tail: ServiceTimer | null = null;
  count = 0;
  constructor(readonly delay: Ns) {}
}

/**
 * Deadlines of one fixed delay keyed by small integers (a connection slot, …), with no object per
 * deadline: a ring of (due time, scheduling order, key) in scheduling order — which, the delay being
 * fixed, is also due order — and per key the scheduling order of its pending deadline. Cancelling is
 * one store (the key has no pending deadline any more); a void entry leaves the ring when it reaches
 * the head. Ring capacity: a power of two, doubled when full.
 */
class KeyLane {
  at = new Float64Array(64);
  seq = new Float64Array(64);
  key = new Int32Array(64);
  head = 0;
  len = 0;
  /** Per key: the scheduling order of its pending deadline, -1 none. */
  pendingSeq: Float64Array;
  constructor(
    readonly delay: Ns,
    readonly fire: (key: number) => void,
    keys: number,
  ) {
    this.pendingSeq = new Float64Array(Math.max(1, keys)).fill(-1);
  }

  push(at: Ns, seq: number, key: number): void {
    if (this.len === this.at.length) this.grow();
    const j = (this.head + this.len) & (this.at.length - 1);
    this.at[j] = at;
    this.seq[j] = seq;
    this.key[j] = key;
    this.len++;
  }

  /** Drops the void entries at the head; true when a pending deadline is there. */
  prune(): boolean {
    const mask = this.at.length - 1;
    while (this.len > 0) {
      const h = this.head;
      if (this.pendingSeq[this.key[h]] === this.seq[h]) return true;
      this.head = (h + 1) & mask;
      this.len--;
    }
    return false;
  }

  /** Takes the head (pending, as prune() found it) off the ring and returns its key. */
  shift(): number {
    const h = this.head;
    const key = this.key[h];
    this.head = (h + 1) & (this.at.length - 1);
    this.len--;
    this.pendingSeq[key] = -1;
    return key;
  }

  growKeys(key: number): void {
    let n = this.pendingSeq.length * 2;
    while (n <= key) n *= 2;
    const p = new Float64Array(n).fill(-1);
    p.set(this.pendingSeq);
    this.pendingSeq = p;
  }

  clear(): void {
    this.head = 0;
    this.len = 0;
    this.pendingSeq.fill(-1);
  }

  private grow(): void {
    const cap = this.at.length;
    const at = new Float64Array(cap * 2);
    const seq = new Float64Array(cap * 2);
    const key = new Int32Array(cap * 2);
    for (let x = 0; x < this.len; x++) {
      const j = (this.head + x) & (cap - 1);
      at[x] = this.at[j];
      seq[x] = this.seq[j];
      key[x] = this.key[j];
    }
    this.at = at;
    this.seq = seq;
    this.key = key;
    this.head = 0;
  }
}

/**
 * A Clock for a node's many short-lived timers (SIP Timer F of every transaction, …) with EAGER
 * cancellation, and one kernel timer for the earliest entry.
 *
 * Why: the kernel cancels lazily — a cancelled timer stays queued, holding its argument, until its
 * due time. A transaction answered in 50 ms keeps its Timer F (64·T1 = 32 s) and, through it, the
 * transaction and its request alive for 32 s: in a storm of 16 000 deregistrations a second that is
 * millions of dead objects (measured: 3.3 GB RSS for the 1 M storm). Here a cancelled timer leaves
 * at once, and since Timer F deadlines grow with send time, the one kernel timer rarely needs
 * re-arming.
 *
 * Most timers have one of a few fixed delays (the SIP timers: 64·T1, T4, T1…). Virtual time never
 * goes back, so timers of the same delay fall due in the order they were scheduled: each such delay
 * (`fifoDelays`) gets a FIFO lane, a doubly linked list where schedule appends and cancel unlinks
 * in O(1). Any other delay goes to a min-heap. The earliest timer is the smallest of the heap's top
 * and the lanes' heads, compared on (due time, scheduling order) — the same order as a single heap.
 *
 * A caller whose deadlines are one per small integer key, all of one delay, with one callback (the
 * Message Gateway's request timeout per connection slot), takes a keyed lane instead (`keyLane`,
 * `scheduleKey`, `cancelKey`): the same order and arming, but no Timer object per deadline — at a
 * million requests, a million short-lived objects fewer.
 *
 * Same contract as every Clock (kernel/clock.ts): due times in integer ns, timers due at the same
 * instant fire in scheduling order, cancelling a fired or cancelled timer does nothing.
 * Complexity: schedule and cancel O(1) in a lane, O(log n) in the heap; finding the earliest
 * O(lanes); memory one object per pending timer.
 */
export class TimerService implements Clock {
  private heap: ServiceTimer[] = [];
  private seq = 0;
  private armed: Timer | undefined = undefined;
  private armedAt = Infinity;
  private readonly lanes: Lane[];
  private readonly keyLanes: KeyLane[] = [];

  private live = 0;
  private readonly disarmWhenEmpty: boolean;

  /**
   * `fifoDelays`: the fixed delays (ns) that get a FIFO lane each (few: the minimum is found by
   * scanning them). `disarmWhenEmpty`: cancelling the last pending timer also cancels the kernel
   * timer, so a run whose last timer was cancelled ends at its last real event (a request timeout
   * answered in time must not stretch the run by the timeout).
   */
  constructor(
    private readonly base: Clock,
    fifoDelays: readonly Ns[] = [],
    opts: { disarmWhenEmpty?: boolean } = {},
  ) {
    this.lanes = [...new Set(fifoDelays)].map((d) => new Lane(d));
    this.disarmWhenEmpty = opts.disarmWhenEmpty ?? false;
  }

  now(): Ns {
    return this.base.now();
  }

  get pending(): number {
    return this.live;
  }

  schedule(delay: Ns, fn: (arg: any) => void, arg?: unknown): Timer {
    checkDelay(delay);
    const t = new ServiceTimer(this.base.now() + delay, fn, arg);
    t.seq = this.seq++;
    const lanes = this.lanes;
    let i = 0;
    while (i < lanes.length && lanes[i].delay !== delay) i++;
    if (i < lanes.length) this.append(lanes[i], i, t);
    else this.push(t);
    this.live++;
    if (t.at < this.armedAt) this.arm();
    return t;
  }

  cancel(timer: Timer): void {
    if (timer.state !== TimerState.Pending) return;
    cancelTimer(timer);
    const t = timer as ServiceTimer;
    if (t.idx >= 0) this.removeAt(t.idx);
    else if (t.idx <= -2) this.unlink(t);
    else return; // forgotten by clear()
    if (--this.live === 0 && this.disarmWhenEmpty && this.armed !== undefined) {
      this.base.cancel(this.armed);
      this.armed = undefined;
      this.armedAt = Infinity;
    }
  }

  /**
   * A keyed lane (see KeyLane): deadlines `delay` ns after scheduleKey(lane, key), one per key
   * (0 … keys − 1; more keys grow the lane), each calling fire(key) when due. Returns the lane's id.
   */
  keyLane(delay: Ns, fire: (key: number) => void, keys = 0): number {
    checkDelay(delay);
    this.keyLanes.push(new KeyLane(delay, fire, keys));
    return this.keyLanes.length - 1;
  }

  /** Schedules key's deadline on a keyed lane (replacing the key's pending one, if any). */
  scheduleKey(lane: number, key: number): void {
    const l = this.keyLanes[lane];
    if (key >= l.pendingSeq.length) l.growKeys(key);
    if (l.pendingSeq[key] >= 0) this.live--;
    const at = this.base.now() + l.delay;
    const seq = this.seq++;
    l.push(at, seq, key);
    l.pendingSeq[key] = seq;
    this.live++;
    if (at < this.armedAt) this.arm();
  }

  /** Cancels key's pending deadline on a keyed lane; none pending (fired, cancelled): nothing happens. */
  cancelKey(lane: number, key: number): void {
    const l = this.keyLanes[lane];
    if (!(l.pendingSeq[key] >= 0)) return;
    l.pendingSeq[key] = -1;
    l.prune();
    if (--this.live === 0 && this.disarmWhenEmpty && this.armed !== undefined) {
      this.base.cancel(this.armed);
      this.armed = undefined;
      this.armedAt = Infinity;
    }
  }

  /** Forgets every timer (the node crashed: its guarded kernel timer is void already). */
  clear(): void {
    for (const t of this.heap) t.idx = -1;
    this.heap = [];
    for (const l of this.lanes) {
      for (let t = l.head; t !== null; ) {
        const next: ServiceTimer | null = t.next;
        t.idx = -1;
        t.prev = t.next = null;
        t = next;
      }
      l.head = l.tail = null;
      l.count = 0;
    }
    for (const l of this.keyLanes) l.clear();
    this.armed = undefined;
    this.armedAt = Infinity;
    this.live = 0;
  }

  private firing = false;
  private readonly fire = (): void => {
    this.armed = undefined;
    this.armedAt = Infinity;
    this.firing = true;
    const now = this.base.now();
    while (this.pick() && this.pickAt <= now) {
      this.live--;
      if (this.pickLane >= 0) {
        const l = this.keyLanes[this.pickLane];
        l.fire(l.shift());
        continue;
      }
      const t = this.pickTimer!;
      this.pickTimer = null;
      if (t.idx >= 0) this.removeAt(t.idx);
      else this.unlink(t);
      fireTimer(t);
    }
    this.firing = false;
    this.arm();
  };

  // The earliest pending deadline, as pick() found it: its due time, and either its Timer (heap or
  // FIFO lane) or its keyed lane (pickLane >= 0). Fields, not a returned object: no allocation.
  private pickAt = Infinity;
  private pickTimer: ServiceTimer | null = null;
  private pickLane = -1;

  /**
   * Finds the next deadline to fire: the least (due time, scheduling order) of the heap's top, the
   * FIFO lanes' heads and the keyed lanes' heads. False when nothing is pending.
   */
  private pick(): boolean {
    let at = Infinity;
    let seq = 0;
    let timer: ServiceTimer | null = null;
    let lane = -1;
    if (this.heap.length > 0) {
      timer = this.heap[0];
      at = timer.at;
      seq = timer.seq;
    }
    const lanes = this.lanes;
    for (let i = 0; i < lanes.length; i++) {
      const h = lanes[i].head;
      if (h !== null && (h.at < at || (h.at === at && h.seq < seq))) {
        timer = h;
        at = h.at;
        seq = h.seq;
      }
    }
    const keyLanes = this.keyLanes;
    for (let i = 0; i < keyLanes.length; i++) {
      const l = keyLanes[i];
      if (!l.prune()) continue;
      const a = l.at[l.head];
      const s = l.seq[l.head];
      if (a < at || (a === at && s < seq)) {
        at = a;
        seq = s;
        lane = i;
      }
    }
    this.pickAt = at;
    this.pickLane = lane;
    this.pickTimer = lane >= 0 ? null : timer;
    return at !== Infinity;
  }

  private arm(): void {
    if (this.firing) return;
    if (!this.pick()) return;
    this.pickTimer = null;
    const at = this.pickAt;
    if (at >= this.armedAt) return;
    if (this.armed !== undefined) this.base.cancel(this.armed);
    this.armedAt = at;
    this.armed = this.base.schedule(at - this.base.now(), this.fire);
  }

  private append(l: Lane, i: number, t: ServiceTimer): void {
    t.idx = -2 - i;
    t.prev = l.tail;
    if (l.tail === null) l.head = t;
    else l.tail.next = t;
    l.tail = t;
    l.count++;
  }

  private unlink(t: ServiceTimer): void {
    const l = this.lanes[-2 - t.idx];
    if (t.prev === null) l.head = t.next;
    else t.prev.next = t.next;
    if (t.next === null) l.tail = t.prev;
    else t.next.prev = t.prev;
    t.prev = t.next = null;
    t.idx = -1;
    l.count--;
  }

  private less(a: ServiceTimer, b: ServiceTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(t: ServiceTimer): void {
    const h = this.heap;
    t.idx = h.length;
    h.push(t);
    this.up(t.idx);
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const t = h[i];
    t.idx = -1;
    const last = h.pop()!;
    if (i < h.length) {
      h[i] = last;
      last.idx = i;
      this.down(i);
      this.up(last.idx);
    }
  }

  private up(i: number): void {
    const h = this.heap;
    const t = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(t, h[p])) break;
      h[i] = h[p];
      h[i].idx = i;
      i = p;
    }
    h[i] = t;
    t.idx = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const t = h[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1], h[c])) c++;
      if (!this.less(h[c], t)) break;
      h[i] = h[c];
      h[i].idx = i;
      i = c;
    }
    h[i] = t;
    t.idx = i;
  }
}
