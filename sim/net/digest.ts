/**
 * Content digests for the trace hash (Message.digest(), issue 13 item 7): a message's fields folded
 * into 32 bits, FNV-1a over words. Each step (xor a word, multiply by an odd constant) is a
 * bijection of the running value, so two messages that differ in one field always differ in their
 * digest; several differences collide only by chance (2^-32). Integer arithmetic only: the same on
 * every engine (DESIGN principle 2).
 */

/** The digest's starting value (the FNV-1a offset basis). */
export const DIGEST_SEED = 0x811c9dc5;

/** One 32-bit word into the digest. */
export function digestWord(h: number, x: number): number {
  return Math.imul(h ^ x, 16777619);
}

/** Four words into the digest, in order (one lane's run of fields). */
export function digestWords(h: number, w: number, x: number, y: number, z: number): number {
  return digestWord(digestWord(digestWord(digestWord(h, w), x), y), z);
}

/**
 * Starting values of a digest's further lanes (any distinct constants): a message's fields can be
 * spread over up to four independent lanes, which the CPU computes side by side, then joined.
 */
export const LANE_B = 0x050c5d1f;
export const LANE_C = 0x2e2b7c8d;
export const LANE_D = 0x6b43a9b5;

/**
 * Four lanes into one digest. A bijection of each lane while the others stay (xor with a fixed
 * value, multiply by an odd constant), so a change in any one lane — one changed field — always
 * changes the result, as in a single chain.
 */
export function digestJoin(a: number, b: number, c: number, d: number): number {
  return digestWord(digestWord(digestWord(a, b), c), d);
}

/** A string into the digest: its length, then every UTF-16 code unit. */
export function digestString(h: number, s: string): number {
  h = digestWord(h, s.length);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

/** Bytes into the digest: their count, then each byte. */
export function digestBytes(h: number, b: Uint8Array): number {
  h = digestWord(h, b.length);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 16777619);
  return h;
}
