/**
 * Ids with deadlines, in the order they were pushed (a node's requests in flight under one fixed
 * timeout: the deadlines are pushed in time order). Typed arrays, not number[]: a JS array of
 * small-integer times changes its elements kind when the first time passes 2^31 ns (2.1 s), and
 * every optimized function that read it is thrown away mid-run (the 1 M storm's deopt trace).
 *
 * Complexity: push / shift O(1) amortized (the live part is moved down when the consumed prefix is
 * the larger half); memory 16 B per slot.
 */
export class DeadlineFifo {
  private ids: Float64Array;
  private due: Float64Array;
  private head = 0;
  private tail = 0;

  constructor(initialCapacity = 1024) {
    this.ids = new Float64Array(initialCapacity);
    this.due = new Float64Array(initialCapacity);
  }

  get size(): number {
    return this.tail - this.head;
  }

  push(id: number, deadline: number): void {
    if (this.tail === this.ids.length) this.makeRoom();
    this.ids[this.tail] = id;
    this.due[this.tail] = deadline;
    this.tail++;
  }

  /** The oldest entry's id; only when size > 0. */
  peekId(): number {
    return this.ids[this.head];
  }

  /** The oldest entry's deadline; only when size > 0. */
  peekDeadline(): number {
    return this.due[this.head];
  }

  /** Removes the oldest entry and returns its id; only when size > 0. */
  shift(): number {
    const id = this.ids[this.head++];
    if (this.head === this.tail) this.head = this.tail = 0;
    return id;
  }

  clear(): void {
    this.head = this.tail = 0;
  }

  private makeRoom(): void {
    const live = this.tail - this.head;
    if (this.head * 2 >= this.ids.length) {
      // Most of the array is consumed: move the live part down instead of growing.
      this.ids.copyWithin(0, this.head, this.tail);
      this.due.copyWithin(0, this.head, this.tail);
    } else {
      const ids = new Float64Array(this.ids.length * 2);
      const due = new Float64Array(this.ids.length * 2);
      ids.set(this.ids.subarray(this.head, this.tail));
      due.set(this.due.subarray(this.head, this.tail));
      this.ids = ids;
      this.due = due;
    }
    this.head = 0;
    this.tail = live;
  }
}
