/**
 * A 64-bit fingerprint of the delivered-message sequence, in two 32-bit lanes (murmur3 mixing,
 * integer arithmetic only, so identical on every engine). Same scenario + seed → same hash
 * (DESIGN principle 2); the fingerprint test guards it. Each message enters with its time,
 * endpoints, kind, subscribers and a 32-bit digest of its content (Message.digest(), issue 13
 * item 7): two runs whose messages differ only on the wire — an Expires header instead of a
 * Contact parameter — hash differently.
 */
export class TraceHash {
  /**
   * The two lanes, in a typed array: as object fields their first values (beyond the small-integer
   * range) made V8 keep them as boxed doubles, read and written through a pointer on every mix.
   */
  private readonly h = Int32Array.of(0x9e3779b9, 0x85ebca6b);
  private readonly kindHashes = new Map<string, number>();

  private kindHash(kind: string): number {
    let h = this.kindHashes.get(kind);
    if (h === undefined) {
      h = kindHashOf(kind);
      this.kindHashes.set(kind, h);
    }
    return h;
  }

  /** One delivered message: time (ns), endpoints, kind, every subscriber id it carries and its content digest. */
  add(t: number, from: number, to: number, kind: string, sub: number, subs: ArrayLike<number> | undefined, content: number): void {
    this.addHashed(t, from, to, this.kindHash(kind), sub, subs, content);
  }

  /** As add(), with the kind given by its kindHashOf() (a caller that interns kinds keeps it). */
  addHashed(t: number, from: number, to: number, kindHash: number, sub: number, subs: ArrayLike<number> | undefined, content: number): void {
    const h = this.h;
    mix(h, content);
    mix(h, t >>> 0);
    mix(h, Math.floor(t / 4294967296));
    mix(h, from);
    mix(h, to);
    mix(h, kindHash);
    if (subs !== undefined) {
      mix(h, subs.length);
      for (let i = 0; i < subs.length; i++) mix(h, subs[i]);
    } else {
      mix(h, sub);
    }
  }

  hex(): string {
    const h1 = this.h[0];
    const h2 = this.h[1];
    let a = h1 ^ (h2 >>> 16);
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
    a ^= a >>> 13;
    let b = h2 ^ (a >>> 15);
    b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
    b ^= b >>> 16;
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

/** One 32-bit word into both lanes (murmur3's block step, then a second lane fed from the first). */
function mix(h: Int32Array, k: number): void {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let a = h[0] ^ k;
  a = (a << 13) | (a >>> 19);
  a = (Math.imul(a, 5) + 0xe6546b64) | 0;
  h[0] = a;
  let g = h[1] ^ Math.imul(k, 0x85ebca6b);
  g = (g << 17) | (g >>> 15);
  h[1] = (Math.imul(g, 9) + 0x7feb352d + a) | 0;
}

/** The hash of a message kind that enters the fingerprint (FNV-1a over its UTF-16 code units). */
export function kindHashOf(kind: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 16777619);
  return h;
}
