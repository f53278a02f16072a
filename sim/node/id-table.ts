/**
 * Values by 32-bit id, for ids handed out in sequence (Diameter Hop-by-Hop identifiers of the
 * requests a node has in flight): a direct-indexed table, slot = id mod capacity, that doubles when
 * two live ids would share a slot. Since live ids span a window (those sent within the answer
 * timeout), the capacity settles at about that window, and get / set / delete are an array access
 * each — no hashing, and no allocation per entry as a Map's would be in a storm of millions.
 *
 * The Map subset ImsNode uses: set, get, has, delete, clear, size. Ids are uint32 (0 … 2^32 − 1).
 * Complexity: O(1) per operation (amortized over growth); memory 16 B per slot.
 */
export class IdTable<V> {
  private ids: Float64Array;
  private values: (V | undefined)[];
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.ids = new Float64Array(cap).fill(-1);
    this.values = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  set(id: number, value: V): this {
    for (;;) {
      const slot = id & this.mask;
      const at = this.ids[slot];
      if (at === id) {
        this.values[slot] = value;
        return this;
      }
      if (at < 0) {
        this.ids[slot] = id;
        this.values[slot] = value;
        this.count++;
        return this;
      }
      this.grow();
    }
  }

  get(id: number): V | undefined {
    const slot = id & this.mask;
    return this.ids[slot] === id ? this.values[slot] : undefined;
  }

  has(id: number): boolean {
    return this.ids[id & this.mask] === id;
  }

  delete(id: number): boolean {
    const slot = id & this.mask;
    if (this.ids[slot] !== id) return false;
    this.ids[slot] = -1;
    this.values[slot] = undefined;
    this.count--;
    return true;
  }

  /** The live values, in slot order (rare paths: a connection reset fails the transactions on it). */
  liveValues(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.ids[i] >= 0) out.push(this.values[i] as V);
    return out;
  }

  clear(): void {
    this.ids.fill(-1);
    this.values.fill(undefined);
    this.count = 0;
  }

  /** Doubles the capacity until every live id has a slot of its own. */
  private grow(): void {
    const oldIds = this.ids;
    const oldValues = this.values;
    let cap = oldIds.length * 2;
    for (;;) {
      const mask = cap - 1;
      const ids = new Float64Array(cap).fill(-1);
      let ok = true;
      for (let i = 0; i < oldIds.length && ok; i++) {
        const id = oldIds[i];
        if (id < 0) continue;
        const slot = id & mask;
        if (ids[slot] >= 0) ok = false;
        else ids[slot] = id;
      }
      if (ok) {
        const values = new Array<V | undefined>(cap).fill(undefined);
        for (let i = 0; i < oldIds.length; i++) if (oldIds[i] >= 0) values[oldIds[i] & mask] = oldValues[i];
        this.ids = ids;
        this.values = values;
        this.mask = mask;
        return;
      }
      cap *= 2;
    }
  }
}
