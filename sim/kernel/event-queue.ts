/**
 * The future event set: a 4-ary min-heap over parallel arrays, ordered by (time, sequence number).
 *
 * The sequence number is assigned at push, so events at equal times leave in the order they were
 * scheduled: a total order, and the root of determinism (DESIGN principle 2).
 *
 * | operation | cost                         |
 * |-----------|------------------------------|
 * | push      | O(log4 n), no allocation once grown |
 * | pop       | O(log4 n)                    |
 * | peekTime  | O(1)                         |
 *
 * Why not objects in a binary heap: times and sequence numbers live in Float64Arrays, so a sift
 * compares unboxed doubles in contiguous memory, and a 4-ary heap halves the depth (the four
 * children share a cache line). The callback and its argument travel in two plain arrays.
 * Measured against a bare loop in bench/ (see BENCHMARKS.md).
 */
export type EventFn = (arg: any) => void;

export class EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private fns: (EventFn | undefined)[];
  private args: unknown[];
  private n = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(4, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.fns = new Array(cap);
    this.args = new Array(cap);
  }

  get size(): number {
    return this.n;
  }

  /** Sequence numbers handed out so far (the next push gets this one). */
  get scheduledCount(): number {
    return this.nextSeq;
  }

  /** Earliest time in the queue, or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0] : Infinity;
  }

  /** Adds an event; returns its sequence number. */
  push(time: number, fn: EventFn, arg?: unknown): number {
    if (this.n === this.times.length) this.grow();
    const seq = this.nextSeq++;
    // Sift up: move parents down until the slot for (time, seq) is found.
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    const args = this.args;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = times[p];
      // seq is the largest so far, so a tie in time never moves the new event above its parent.
      if (pt <= time) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      fns[i] = fns[p];
      args[i] = args[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    fns[i] = fn;
    args[i] = arg;
    return seq;
  }

  /**
   * Removes the earliest event. Its time, callback and argument are left in `time`, `fn`, `arg`
   * (returning them would allocate a tuple per event). Returns false when empty.
   */
  time = 0;
  fn: EventFn | undefined = undefined;
  arg: unknown = undefined;
  seq = 0;

  pop(): boolean {
    const n = this.n;
    if (n === 0) return false;
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    const args = this.args;
    this.time = times[0];
    this.seq = seqs[0];
    this.fn = fns[0];
    this.arg = args[0];
    const last = n - 1;
    this.n = last;
    if (last === 0) {
      fns[0] = undefined;
      args[0] = undefined;
      return true;
    }
    // Sift the last element down from the root.
    const t = times[last];
    const s = seqs[last];
    const f = fns[last];
    const a = args[last];
    fns[last] = undefined;
    args[last] = undefined;
    let i = 0;
    for (;;) {
      const c = (i << 2) + 1;
      if (c >= last) break;
      // Find the smallest of up to four children.
      let m = c;
      let mt = times[c];
      let ms = seqs[c];
      const end = c + 4 < last ? c + 4 : last;
      for (let k = c + 1; k < end; k++) {
        const kt = times[k];
        if (kt < mt || (kt === mt && seqs[k] < ms)) {
          m = k;
          mt = kt;
          ms = seqs[k];
        }
      }
      if (mt > t || (mt === t && ms > s)) break;
      times[i] = mt;
      seqs[i] = ms;
      fns[i] = fns[m];
      args[i] = args[m];
      i = m;
    }
    times[i] = t;
    seqs[i] = s;
    fns[i] = f;
    args[i] = a;
    return true;
  }

  clear(): void {
    this.fns.fill(undefined, 0, this.n);
    this.args.fill(undefined, 0, this.n);
    this.n = 0;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
    this.fns.length = cap;
    this.args.length = cap;
  }
}
