/**
 * The future event set, ordered by (time, sequence number).
 *
 * The sequence number is assigned at push, so events at equal times leave in the order they were
 * scheduled: a total order, and the root of determinism (DESIGN principle 2).
 *
 * Two tiers, so that a population's millions of pending triggers do not make every pop climb a
 * million-entry heap (measured in bench/dereg-chain.ts, see BENCHMARKS.md):
 * - a **near heap**: a 4-ary min-heap over typed arrays of (time, seq, slot), holding the events
 *   due soonest; pops come from here;
 * - a **calendar** of K buckets (unsorted linked lists) for later events, and an **overflow**
 *   list for events beyond the calendar. When the near heap runs dry, the next non-empty bucket is
 *   moved into it; when the calendar runs out, it is rebuilt from the overflow, K and the bucket
 *   width sized from what is there (a one-rung ladder queue, Tang et al. 2005) — from the median
 *   time when a far tail would stretch every bucket (see TAIL).
 *
 * A small population (a rebuild finds at most SMALL events) lives in the near heap alone, and so
 * does everything pushed after, through empty spells, until the heap holds more than HEAP_ONLY_MAX
 * events: then they all go back to the overflow and the next pop rebuilds a calendar over them.
 * Why: a calendar sized from a handful of events spans only their times, so each later event went
 * through the overflow and a rebuild, and a model where each event makes the next paid a rebuild per
 * event. Above SMALL a calendar stays cheaper than a heap (figures in BENCHMARKS.md, round 4).
 *
 * Why the order stays exact: every event has a bucket index idx(t) = floor((t - base) × inv),
 * which is monotone in t (IEEE subtraction and multiplication by a positive constant are monotone).
 * The near heap holds exactly the events with idx <= cur, bucket j those with idx == j (cur < j < K),
 * the overflow those with idx >= K. So an event in the heap is strictly earlier than any event
 * outside it, equal times always share a tier, and the heap orders by (time, seq) with the
 * sequence number stored at push. The indexing only decides where an event waits, never the order.
 * base and inv change only when the heap and the calendar are empty (a rebuild).
 *
 * | operation | cost                                                                   |
 * |-----------|------------------------------------------------------------------------|
 * | push      | O(1) into the calendar or overflow; O(log4 h) into a near heap of h    |
 * | pop       | O(log4 h), plus amortised O(1) to move buckets and rebuild             |
 * | peekTime  | O(1) (amortised: it may move the next bucket into the heap)            |
 * Worst case (all events in one bucket, e.g. all at one instant) it is the 4-ary heap over n.
 * Times must not be NaN (Simulator.post and schedule refuse them): NaN has no place in any order.
 *
 * An event's callback and argument sit in a slot from push to pop (recycled through a free list),
 * so the heap and the buckets move only numbers: no allocation per event once grown, and no
 * pointer stores into big arrays on every sift level.
 *
 * A rebuild over many events (a population's pending triggers) also renumbers their slots in bucket
 * order: bucket j's events then sit in one contiguous run of slots, so moving a bucket into the heap
 * and popping its events read neighbouring memory instead of chasing a linked list through random
 * slots (one cache miss per event at a million). Events pushed later join a bucket's linked list as
 * before. Renumbering changes where an event waits, never its (time, seq), so the order is the same.
 */
export type EventFn = (arg: any) => void;

const NONE = -1;
/** A rebuild over at most this many events puts the queue in heap-only mode. */
const SMALL = 16;
/** Heap-only mode ends when the heap grows beyond this (hysteresis: SMALL to enter, this to leave). */
const HEAP_ONLY_MAX = 64;
/** Target events per bucket at a rebuild: 2 (as a shift, to keep the sizing in integers). */
const PER_BUCKET_LOG2 = 1;
const MAX_BUCKETS = 1 << 22;
/**
 * A rebuild whose latest event lies more than TAIL times further from the earliest than the mean
 * does sizes its buckets from the median instead of the latest event (uniform times give about 2).
 * Why: one timer ten minutes ahead among events a millisecond apart stretched every bucket over
 * seconds, and a 1M-subscriber ICS scenario then ran every event through a near heap of ~600 for
 * the whole run (BENCHMARKS.md, ICS).
 */
const TAIL = 8;
/** At most this many times, taken evenly along the list, give that median. */
const SAMPLE = 128;
/** A rebuild renumbers slots when it holds at least this many events and a quarter of the slots. */
const RENUMBER_MIN = 1024;
// Indices into EventQueue.cal.
const CUR = 0;
const BASE = 1;
const INV = 2;

export class EventQueue {
  // ---- slots: an event's data while it waits --------------------------------------------------
  /** Per slot, 4 doubles: time, seq, next slot in the same list. */
  private sNum: Float64Array;
  /** Per slot, 2 entries: fn, arg. */
  private sRef: unknown[];
  /** Same length as sRef, all undefined: where a renumbering rebuild writes the new slots. */
  private sRefSpare: unknown[];
  private freeSlots: Int32Array;
  private freeTop: number;

  // ---- near heap ------------------------------------------------------------------------------
  private hTime: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  private hn = 0;

  // ---- calendar and overflow ------------------------------------------------------------------
  private heads: Int32Array;
  /** Buckets in use (K); 0 before the first rebuild. */
  private nb = 0;
  /**
   * The calendar's numbers: [cur, base, inv] — the highest bucket moved into the heap (+Infinity when
   * everything lives in the heap), the time of bucket 0's start, and 1 / bucket width (0 before the
   * first rebuild, so every push goes to the overflow). In a typed array because they change between
   * small integers and doubles: as object fields, each such change made V8 replace the queue's hidden
   * class, and every new queue (a new run) then threw away the optimised code of its callers.
   */
  private readonly cal = Float64Array.of(-1, 0, 0);
  private over = NONE;
  private overCount = 0;
  /**
   * After a renumbering rebuild (ranged), bucket j's rebuilt events are slots [bRange[j],
   * bRange[j+1]); later pushes go to heads[j]. Without one, only heads[] is used.
   */
  private bRange = new Int32Array(16);
  private ranged = false;
  /** In heap-only mode for a small population (cal[CUR] is then +Infinity); see HEAP_ONLY_MAX. */
  private small = false;
  // Scratch of a renumbering rebuild: the overflow list copied out in list order.
  private rTime = new Float64Array(0);
  private rSeq = new Float64Array(0);
  private rSlot = new Int32Array(0);
  private rBucket = new Int32Array(0);
  /** span()'s result: earliest, latest and mean finite time of a list (a typed array: no boxed doubles). */
  private readonly spanOut = new Float64Array(3);
  /** median()'s sample. */
  private readonly sample = new Float64Array(SAMPLE);

  private n = 0;
  private nextSeq = 0;

  /**
   * Removes the earliest event. Its time, callback and argument are left in `time`, `fn`, `arg`
   * (returning them would allocate a tuple per event). Returns false when empty.
   */
  fn: EventFn | undefined = undefined;
  arg: unknown = undefined;
  /** time and seq of the last pop: a typed array, so storing them never boxes a double. */
  private readonly popped = new Float64Array(2);
  get time(): number {
    return this.popped[0];
  }
  get seq(): number {
    return this.popped[1];
  }

  constructor(initialCapacity = 1024) {
    const cap = Math.max(4, initialCapacity | 0);
    this.sNum = new Float64Array(cap * 4);
    this.sRef = new Array(cap * 2).fill(undefined);
    this.sRefSpare = new Array(cap * 2).fill(undefined);
    this.freeSlots = new Int32Array(cap);
    for (let k = 0; k < cap; k++) this.freeSlots[k] = cap - 1 - k;
    this.freeTop = cap;
    this.hTime = new Float64Array(cap);
    this.hSeq = new Float64Array(cap);
    this.hSlot = new Int32Array(cap);
    this.heads = new Int32Array(16).fill(NONE);
  }

  get size(): number {
    return this.n;
  }

  /** Whether every pending event lives in the near heap (no calendar): for tests and diagnostics. */
  get heapOnly(): boolean {
    return this.cal[CUR] === Infinity;
  }

  /** Events in the near heap (what each pop sifts through): for tests and diagnostics. */
  get nearSize(): number {
    return this.hn;
  }

  /** Sequence numbers handed out so far (the next push gets this one). */
  get scheduledCount(): number {
    return this.nextSeq;
  }

  /** Earliest time in the queue, or Infinity when empty. */
  peekTime(): number {
    if (this.hn === 0) {
      if (this.n === 0) return Infinity;
      this.refill();
    }
    return this.hTime[0];
  }

  /** Adds an event; returns its sequence number. */
  push(time: number, fn: EventFn, arg?: unknown): number {
    const slot = this.claim(fn, arg);
    this.sNum[slot << 2] = time;
    return this.enter(slot);
  }

  /**
   * push(origin[0] + delay, …), the sum computed here: a caller keeping its clock in a typed array
   * passes no double to this call, which V8 would box if it did not inline the call.
   */
  pushAfter(origin: Float64Array, delay: number, fn: EventFn, arg?: unknown): number {
    const slot = this.claim(fn, arg);
    this.sNum[slot << 2] = origin[0] + delay;
    return this.enter(slot);
  }

  /** A free slot holding fn and arg. */
  private claim(fn: EventFn, arg: unknown): number {
    if (this.freeTop === 0) this.growSlots();
    const slot = this.freeSlots[--this.freeTop];
    this.sRef[slot << 1] = fn;
    this.sRef[(slot << 1) + 1] = arg;
    return slot;
  }

  /**
   * Gives the slot (its time written) the next sequence number and files it. The helpers from here
   * on take slot numbers (small integers) and read times from the typed array: no double is boxed.
   */
  private enter(slot: number): number {
    const seq = this.nextSeq++;
    this.sNum[(slot << 2) + 1] = seq;
    this.n++;
    this.place(slot);
    return seq;
  }

  pop(): boolean {
    if (this.hn === 0) {
      if (this.n === 0) return false;
      this.refill();
    }
    const times = this.hTime;
    const seqs = this.hSeq;
    const slots = this.hSlot;
    const top = slots[0];
    this.popped[0] = times[0];
    this.popped[1] = seqs[0];
    const ref = this.sRef;
    this.fn = ref[top << 1] as EventFn;
    this.arg = ref[(top << 1) + 1];
    ref[top << 1] = undefined;
    ref[(top << 1) + 1] = undefined;
    this.freeSlots[this.freeTop++] = top;
    const n = --this.n;
    const last = --this.hn;
    if (last > 0) {
      // Sift the last element down from the root.
      const t = times[last];
      const s = seqs[last];
      const sl = slots[last];
      let i = 0;
      for (;;) {
        const c = (i << 2) + 1;
        if (c >= last) break;
        // The smallest of up to four children; sequence numbers are read only on a tie in time.
        let m = c;
        let mt = times[c];
        const end = c + 4 < last ? c + 4 : last;
        for (let k = c + 1; k < end; k++) {
          const kt = times[k];
          if (kt < mt || (kt === mt && seqs[k] < seqs[m])) {
            m = k;
            mt = kt;
          }
        }
        if (mt > t || (mt === t && seqs[m] > s)) break;
        times[i] = mt;
        seqs[i] = seqs[m];
        slots[i] = slots[m];
        i = m;
      }
      times[i] = t;
      seqs[i] = s;
      slots[i] = sl;
    } else if (n === 0 && this.cal[CUR] === Infinity && !this.small) {
      // Empty again after only +Infinity times: back to the calendar for what comes next. (A small
      // population stays in the heap: in a drained model one event often makes the next.)
      this.resetCalendar();
    }
    return true;
  }

  clear(): void {
    this.sRef.fill(undefined);
    const cap = this.sNum.length >> 2;
    for (let k = 0; k < cap; k++) this.freeSlots[k] = cap - 1 - k;
    this.freeTop = cap;
    this.heads.fill(NONE);
    this.hn = 0;
    this.over = NONE;
    this.overCount = 0;
    this.n = 0;
    this.resetCalendar();
  }

  // ---- internals --------------------------------------------------------------------------------

  /** Routes an event (time and seq already in its slot) by its bucket index: heap, bucket, or overflow. */
  private place(slot: number): void {
    const num = this.sNum;
    const b = slot << 2;
    const cal = this.cal;
    const j = Math.floor((num[b] - cal[BASE]) * cal[INV]);
    if (j <= cal[CUR]) {
      this.heapPush(slot);
      if (this.hn > HEAP_ONLY_MAX && this.small) this.leaveSmall();
    } else {
      if (j < this.nb) {
        num[b + 2] = this.heads[j];
        this.heads[j] = slot;
      } else {
        // Beyond the calendar, or NaN (kept out of the calendar's arithmetic).
        num[b + 2] = this.over;
        this.over = slot;
        this.overCount++;
      }
    }
  }

  /** Adds a slot's event (time and seq read from the slot) to the near heap. */
  private heapPush(slot: number): void {
    if (this.hn === this.hTime.length) this.growHeap();
    const time = this.sNum[slot << 2];
    const seq = this.sNum[(slot << 2) + 1];
    const times = this.hTime;
    const seqs = this.hSeq;
    const slots = this.hSlot;
    let i = this.hn++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = times[p];
      // Full (time, seq) comparison: events moved in from a bucket may be older than the heap's.
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      slots[i] = slots[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Fills the empty heap from the next bucket, rebuilding the calendar when it runs out. n > 0. */
  private refill(): void {
    for (;;) {
      const heads = this.heads;
      const nb = this.nb;
      let j = this.cal[CUR] + 1;
      if (this.ranged) {
        const range = this.bRange;
        while (j < nb && heads[j] === NONE && range[j] === range[j + 1]) j++;
      } else {
        while (j < nb && heads[j] === NONE) j++;
      }
      if (j < nb) {
        this.cal[CUR] = j;
        let s = heads[j];
        heads[j] = NONE;
        const num = this.sNum;
        if (this.ranged) {
          const hi = this.bRange[j + 1];
          for (let r = this.bRange[j]; r < hi; r++) this.heapPush(r);
        }
        while (s !== NONE) {
          const b = s << 2;
          const next = num[b + 2] | 0;
          this.heapPush(s);
          s = next;
        }
        return;
      }
      this.rebuild();
      if (this.hn > 0) return;
    }
  }

  /**
   * Builds a new calendar over the overflow list. Called with the heap and every bucket empty.
   *
   * Its loops live in helpers of their own. As one function, V8 compiled it on-stack (OSR) inside
   * the first loop and kept that code in its OSR cache: a later rebuild taking a branch it had not
   * seen bailed out of it and ran the rest in the interpreter, every time (486 deopts in a 100k
   * dereg-chain process; `--trace-deopt`).
   */
  private rebuild(): void {
    let list = this.over;
    const m = this.overCount;
    this.span(list);
    const min = this.spanOut[0];
    const max = this.spanOut[1];
    const mean = this.spanOut[2];
    this.over = NONE;
    this.overCount = 0;
    if (min === Infinity || m <= SMALL) {
      // All to the heap, and so is everything pushed after: for good when only +Infinity (or NaN)
      // times are left (until the queue is empty again), else until the heap outgrows HEAP_ONLY_MAX.
      this.nb = 0;
      this.ranged = false;
      this.small = min !== Infinity;
      this.cal[CUR] = Infinity;
      this.heapAll(list);
      return;
    }
    const want = Math.min(MAX_BUCKETS, ((m - 1) >> PER_BUCKET_LOG2) + 1);
    // The power of two >= want.
    const k = want <= 1 ? 1 : 1 << (32 - Math.clz32(want - 1));
    if (this.heads.length < k) this.heads = new Int32Array(k).fill(NONE);
    this.nb = k;
    this.cal[CUR] = -1;
    this.cal[BASE] = min;
    // The calendar spans the list's times, (max - min + 1) × inv < k (floating-point rounding may
    // leave the latest event in the overflow, which is harmless: min always lands in bucket 0) —
    // unless a far tail would stretch it: then it spans twice the median's distance, and the tail
    // waits in the overflow for a later rebuild.
    let extent = max - min + 1;
    if (max - min > TAIL * (mean - min)) extent = 2 * (this.median(list, m) - min) + 1;
    this.cal[INV] = k / extent;
    // Every pending event is in the list (heap and buckets are empty): renumbering may reassign
    // every slot. Worth it only when the list is large and fills a fair part of the slots (the
    // free list is rebuilt over all of them).
    this.ranged = m >= RENUMBER_MIN && m === this.n && m * 4 >= this.sNum.length >> 2;
    if (this.ranged) this.renumber(list, m, k);
    else this.placeAll(list);
  }

  /** The earliest, latest and mean finite time in `list`, into spanOut (Infinity, -Infinity if none). */
  private span(list: number): void {
    const num = this.sNum;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let count = 0;
    for (let s = list; s !== NONE; s = num[(s << 2) + 2] | 0) {
      const t = num[s << 2];
      if (t - t === 0) {
        // finite
        if (t < min) min = t;
        if (t > max) max = t;
        sum += t;
        count++;
      }
    }
    this.spanOut[0] = min;
    this.spanOut[1] = max;
    this.spanOut[2] = count > 0 ? sum / count : 0;
  }

  /** The median finite time of up to SAMPLE events taken evenly along `list` (m events long). */
  private median(list: number, m: number): number {
    const num = this.sNum;
    const sample = this.sample;
    const stride = Math.ceil(m / SAMPLE);
    let c = 0;
    let i = 0;
    for (let s = list; s !== NONE && c < SAMPLE; s = num[(s << 2) + 2] | 0) {
      if (i++ % stride !== 0) continue;
      const t = num[s << 2];
      if (t - t === 0) sample[c++] = t;
    }
    if (c === 0) return this.spanOut[1];
    const sorted = sample.subarray(0, c).sort();
    return sorted[c >> 1];
  }

  /** Every event of `list` into the near heap. */
  private heapAll(list: number): void {
    const num = this.sNum;
    while (list !== NONE) {
      const next = num[(list << 2) + 2] | 0;
      this.heapPush(list);
      list = next;
    }
  }

  /** Every event of `list` to the heap, its bucket or the overflow, by the calendar just set. */
  private placeAll(list: number): void {
    const num = this.sNum;
    while (list !== NONE) {
      const next = num[(list << 2) + 2] | 0;
      this.place(list);
      list = next;
    }
  }

  /**
   * Places the m events of `list` into buckets 0..k-1 (base and inv set) as contiguous slot runs in
   * bucket order (a counting sort); those beyond the calendar get the slots after them and form the
   * new overflow list. Every other slot becomes free.
   */
  private renumber(list: number, m: number, k: number): void {
    if (this.rTime.length < m) {
      const c = Math.max(m, this.rTime.length * 2);
      this.rTime = new Float64Array(c);
      this.rSeq = new Float64Array(c);
      this.rSlot = new Int32Array(c);
      this.rBucket = new Int32Array(c);
    }
    if (this.bRange.length < k + 2) this.bRange = new Int32Array(Math.max(k + 2, this.bRange.length * 2));
    const num = this.sNum;
    const rTime = this.rTime;
    const rSeq = this.rSeq;
    const rSlot = this.rSlot;
    const rBucket = this.rBucket;
    const range = this.bRange;
    range.fill(0, 0, k + 2);
    const base = this.cal[BASE];
    const inv = this.cal[INV];
    // Copy the list out (its one pass over random slots) and count per bucket; index k = overflow.
    let i = 0;
    for (let s = list; s !== NONE; s = num[(s << 2) + 2] | 0) {
      const b = s << 2;
      const t = num[b];
      rTime[i] = t;
      rSeq[i] = num[b + 1];
      rSlot[i] = s;
      const j = Math.floor((t - base) * inv);
      // Beyond the calendar, or NaN/Infinity.
      const jj = j < k ? j : k;
      rBucket[i] = jj;
      range[jj + 2]++;
      i++;
    }
    // Prefix sums: range[j + 1] = start of bucket j; the scatter advances it to the bucket's end,
    // which leaves bucket j's run at [range[j], range[j + 1]).
    for (let j = 2; j < k + 2; j++) range[j] += range[j - 1];
    const oldRef = this.sRef;
    const newRef = this.sRefSpare;
    for (let x = 0; x < m; x++) {
      const p = range[rBucket[x] + 1]++;
      const b = p << 2;
      num[b] = rTime[x];
      num[b + 1] = rSeq[x];
      const o = rSlot[x] << 1;
      newRef[p << 1] = oldRef[o];
      newRef[(p << 1) + 1] = oldRef[o + 1];
      oldRef[o] = undefined;
      oldRef[o + 1] = undefined;
    }
    this.sRef = newRef;
    this.sRefSpare = oldRef;
    // The overflow slots [range[k], m) as a list.
    let over = NONE;
    for (let p = m - 1; p >= range[k]; p--) {
      num[(p << 2) + 2] = over;
      over = p;
    }
    this.over = over;
    this.overCount = m - range[k];
    // Free slots m..cap-1, lowest on top.
    const cap = num.length >> 2;
    const free = this.freeSlots;
    for (let f = 0; f < cap - m; f++) free[f] = cap - 1 - f;
    this.freeTop = cap - m;
  }

  /**
   * Ends heap-only mode: the heap's events (every pending one: nothing else is filed meanwhile, but
   * for NaN times in the overflow) join the overflow, and the next pop rebuilds a calendar over them.
   */
  private leaveSmall(): void {
    const num = this.sNum;
    const slots = this.hSlot;
    let over = this.over;
    for (let i = this.hn - 1; i >= 0; i--) {
      const s = slots[i];
      num[(s << 2) + 2] = over;
      over = s;
    }
    this.over = over;
    this.overCount += this.hn;
    this.hn = 0;
    this.resetCalendar();
  }

  private resetCalendar(): void {
    this.small = false;
    this.ranged = false;
    this.nb = 0;
    this.cal[CUR] = -1;
    this.cal[BASE] = 0;
    this.cal[INV] = 0;
  }

  private growSlots(): void {
    const old = this.sNum.length >> 2;
    const cap = old * 2;
    const num = new Float64Array(cap * 4);
    num.set(this.sNum);
    const free = new Int32Array(cap);
    // Called only when no slot is free: the new ones are old..cap-1, lowest on top.
    for (let k = 0; k < cap - old; k++) free[k] = cap - 1 - k;
    this.freeTop = cap - old;
    this.sNum = num;
    this.freeSlots = free;
    // One new array per doubling (growing by push() reallocates many times on the way).
    this.sRef = grown(this.sRef, cap * 2);
    this.sRefSpare = grown(this.sRefSpare, cap * 2);
  }

  private growHeap(): void {
    const cap = this.hTime.length * 2;
    const t = new Float64Array(cap);
    t.set(this.hTime);
    const s = new Float64Array(cap);
    s.set(this.hSeq);
    const sl = new Int32Array(cap);
    sl.set(this.hSlot);
    this.hTime = t;
    this.hSeq = s;
    this.hSlot = sl;
  }
}

/** A copy of `a` with length n, the new entries undefined. */
function grown(a: unknown[], n: number): unknown[] {
  const b = new Array<unknown>(n).fill(undefined);
  for (let k = 0; k < a.length; k++) b[k] = a[k];
  return b;
}
