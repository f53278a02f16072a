/** No watcher in a primary slot. */
export const NO_WATCHER = -1;

/** A reg-event subscription beyond a registration's first (a second MSC, a lab client, …). */
export interface ExtraWatcher {
  /** The watcher's node (its Contact: the NOTIFYs' Request-URI). */
  node: number;
  /** The subscription dialog's token (its Call-ID; the tags derive from it). */
  token: number;
  /** The last NOTIFY's CSeq in this dialog (RFC 3680 version = CSeq − 1). */
  cseq: number;
  /** The identity of the implicit set the SUBSCRIBE named (its To: the NOTIFYs' From). */
  k: number;
}

/**
 * The S-CSCF's reg-event watchers (RFC 3680; TS 24.229 §5.4.2.1): several per registration
 * (sim/policies/scscf-reg-event-watchers.ts). The common case — one watcher, the MSC that registered
 * the subscriber — lives in typed arrays (node, token, NOTIFY CSeq: 10 bytes a subscriber), so a
 * million-subscriber storm pays nothing more than before; any further watcher, and one that named an
 * identity other than the first of the implicit set, goes to an overflow map that stays empty in a
 * storm (its size is checked before any lookup).
 */
export class RegEventWatchers {
  readonly node: Int16Array;
  readonly token: Uint32Array;
  readonly cseq: Uint32Array;
  /** Watchers beyond the primary slot, by subscriber (absent when none). */
  readonly extra = new Map<number, ExtraWatcher[]>();

  /** `extraChanged(sub, ±n)`: the overflow gained or lost watchers (the S-CSCF's gauge of watchers beyond the first). */
  constructor(
    population: number,
    private readonly extraChanged: (sub: number, delta: number) => void = () => {},
  ) {
    this.node = new Int16Array(population).fill(NO_WATCHER);
    this.token = new Uint32Array(population);
    this.cseq = new Uint32Array(population);
  }

  /** The subscriber's extra watchers, undefined when none (cheap when the map is empty). */
  extras(sub: number): ExtraWatcher[] | undefined {
    return this.extra.size === 0 ? undefined : this.extra.get(sub);
  }

  /** How many watchers the subscriber has. */
  count(sub: number): number {
    return (this.node[sub] !== NO_WATCHER ? 1 : 0) + (this.extras(sub)?.length ?? 0);
  }

  /** Whether (node, token) is one of the subscriber's subscriptions. */
  has(sub: number, node: number, token: number): boolean {
    if (this.node[sub] === node && this.token[sub] === token) return true;
    const xs = this.extras(sub);
    return xs !== undefined && xs.some((x) => x.node === node && x.token === token);
  }

  /** A new subscription (not one already held): the primary slot when free and for identity 0, else the overflow. */
  add(sub: number, node: number, token: number, k: number): void {
    if (this.node[sub] === NO_WATCHER && k === 0) {
      this.node[sub] = node;
      this.token[sub] = token;
      this.cseq[sub] = 0;
      return;
    }
    const x: ExtraWatcher = { node, token, cseq: 0, k };
    const xs = this.extra.get(sub);
    if (xs === undefined) this.extra.set(sub, [x]);
    else xs.push(x);
    this.extraChanged(sub, 1);
  }

  /** Removes the subscription with this dialog token; true if there was one. */
  removeToken(sub: number, token: number): boolean {
    if (this.node[sub] !== NO_WATCHER && this.token[sub] === token) {
      this.node[sub] = NO_WATCHER;
      return true;
    }
    const xs = this.extras(sub);
    if (xs === undefined) return false;
    const i = xs.findIndex((x) => x.token === token);
    if (i < 0) return false;
    xs.splice(i, 1);
    if (xs.length === 0) this.extra.delete(sub);
    this.extraChanged(sub, -1);
    return true;
  }

  /** The subscriber's extra watchers leave the overflow (their subscriptions end); returns them, undefined when none. */
  takeExtras(sub: number): ExtraWatcher[] | undefined {
    const xs = this.extras(sub);
    if (xs === undefined) return undefined;
    this.extra.delete(sub);
    this.extraChanged(sub, -xs.length);
    return xs;
  }

  /** Every extra watcher of every subscriber is gone (a crash that loses them). */
  clearExtras(): void {
    for (const [sub, xs] of this.extra) this.extraChanged(sub, -xs.length);
    this.extra.clear();
  }
}
