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
