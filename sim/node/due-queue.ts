/**
 * Per-subscriber due times (registration refreshes) for millions of subscribers: a binary min-heap
 * of (time, subscriber) in typed arrays plus each subscriber's current due time, with lazy
 * invalidation — moving or clearing a subscriber's time leaves its old heap entry behind, skipped
 * when popped. So the node needs ONE kernel timer (for the earliest entry) instead of one per
 * subscriber: 20 bytes per subscriber instead of a Timer, a closure and a queue slot.
 *
 * Stale entries are also swept out in one O(n) pass whenever they outnumber the live ones (a
 * restart sweep clears a million subscribers whose refreshes lie days ahead: popping them one by one
 * would cost n·log n; sweeping, about 2n in all).
 *
 * Complexity: set O(log n), pop O(log n), clear O(1) amortized; memory 8 B/subscriber + 12 B per heap entry.
 */
export class DueQueue {
  /** Current due time per subscriber (ns), or -1 when none. */
  readonly due: Float64Array;
  private times: Float64Array;
  private subs: Int32Array;
  size = 0;
  /** Subscribers with a due time (the heap holds these plus stale entries). */
  private live = 0;

  constructor(population: number, initialCapacity = 1024) {
    this.due = new Float64Array(population).fill(-1);
    this.times = new Float64Array(initialCapacity);
    this.subs = new Int32Array(initialCapacity);
  }

  set(sub: number, at: number): void {
    if (this.due[sub] < 0) this.live++;
    this.due[sub] = at;
    this.push(at, sub);
  }

  clear(sub: number): void {
    if (this.due[sub] < 0) return;
    this.due[sub] = -1;
    this.live--;
    if (this.size > 2 * this.live + 1024) this.compact();
  }

  /** Earliest valid due time, or Infinity. Drops stale entries on the way. */
  peekTime(): number {
    while (this.size > 0) {
      const s = this.subs[0];
      if (this.due[s] === this.times[0]) return this.times[0];
      this.popTop();
    }
    return Infinity;
  }

  /** Removes and returns the subscriber due earliest if it is due at or before `now`, else -1. */
  popDue(now: number): number {
    const t = this.peekTime();
    if (t > now) return -1;
    const s = this.subs[0];
    this.popTop();
    this.due[s] = -1;
    this.live--;
    return s;
  }

  /** Bulk load (pre-registered populations): sets every due time, then heapifies in O(n). */
  load(dueOf: (sub: number) => number, from: number, to: number): void {
    const n = this.size + (to - from);
    this.ensure(n);
    for (let s = from; s < to; s++) {
      const t = dueOf(s);
      if (t < 0) continue;
      if (this.due[s] < 0) this.live++;
      this.due[s] = t;
      this.times[this.size] = t;
      this.subs[this.size] = s;
      this.size++;
    }
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Drops the stale entries (O(n)) and restores the heap order; what pops next does not change. */
  private compact(): void {
    const times = this.times;
    const subs = this.subs;
    const due = this.due;
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const s = subs[i];
      if (due[s] !== times[i]) continue;
      times[n] = times[i];
      subs[n] = s;
      n++;
    }
    this.size = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private push(t: number, s: number): void {
    this.ensure(this.size + 1);
    let i = this.size++;
    const times = this.times;
    const subs = this.subs;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] < t || (times[p] === t && subs[p] <= s)) break;
      times[i] = times[p];
      subs[i] = subs[p];
      i = p;
    }
    times[i] = t;
    subs[i] = s;
  }

  private popTop(): void {
    const last = --this.size;
    if (last > 0) {
      this.times[0] = this.times[last];
      this.subs[0] = this.subs[last];
      this.down(0);
    }
  }

  private down(i: number): void {
    const times = this.times;
    const subs = this.subs;
    const n = this.size;
    const t = times[i];
    const s = subs[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (times[c + 1] < times[c] || (times[c + 1] === times[c] && subs[c + 1] < subs[c]))) c++;
      if (times[c] > t || (times[c] === t && subs[c] > s)) break;
      times[i] = times[c];
      subs[i] = subs[c];
      i = c;
    }
    times[i] = t;
    subs[i] = s;
  }

  private ensure(n: number): void {
    if (n <= this.times.length) return;
    let cap = this.times.length * 2;
    while (cap < n) cap *= 2;
    const t = new Float64Array(cap);
    t.set(this.times.subarray(0, this.size));
    const s = new Int32Array(cap);
    s.set(this.subs.subarray(0, this.size));
    this.times = t;
    this.subs = s;
  }
}
