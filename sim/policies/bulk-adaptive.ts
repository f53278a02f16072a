/**
 * Adaptive bulk size of the Message Gateway (TS 23.554 §8.2.X step 1, NOTE 1: whether and how much
 * to bulk is implementation specific; REFERENCE.md §5 question 7: one lost bulk loses many UEs).
 * A pure decision: the gateway keeps one current limit per MSGin5G Server and consults these
 * functions when a bulk is answered or fails as a whole.
 *
 * - `fixed` (default): the limit is always the bulking policy's `maxSize`.
 * - `aimd`: additive increase, multiplicative decrease, as TCP's congestion window. The limit starts
 *   at `maxSize`; every bulk the server answers (200, whatever its per-entry results) raises it by
 *   `increase`, up to `maxSize`; every bulk that fails as a whole — no answer before the request
 *   timeout (lost on the way there or back) or 503 — multiplies it by `decrease`, rounded down, not
 *   below `floor`. A batch closes as soon as it holds `limit` entries. 413 does not count (the split
 *   rule answers it); neither do per-entry failures (they say nothing about the bulk's size).
 *   Under loss that grows with message size, the limit settles where a bulk is seldom lost; under
 *   loss per message regardless of size it only costs envelopes (the model's default loss).
 */
export type AdaptivePolicyName = 'fixed' | 'aimd';

export interface AdaptiveBulking {
  policy: AdaptivePolicyName;
  /** Entries added to the limit per answered bulk. */
  increase: number;
  /** Factor applied to the limit per failed bulk, 0 < decrease < 1. */
  decrease: number;
  /** The limit never goes below this (a limit below the bulking policy's minSize sends individually). */
  floor: number;
}

export const DEFAULT_ADAPTIVE: AdaptiveBulking = { policy: 'fixed', increase: 1, decrease: 0.5, floor: 2 };

/** The limit after a bulk was answered. */
export function afterBulkAnswered(a: AdaptiveBulking, limit: number, maxSize: number): number {
  if (a.policy === 'fixed') return maxSize;
  return Math.min(maxSize, limit + a.increase);
}

/** The limit after a bulk failed as a whole (timeout, 503). */
export function afterBulkFailed(a: AdaptiveBulking, limit: number, maxSize: number): number {
  if (a.policy === 'fixed') return maxSize;
  return Math.max(Math.min(a.floor, maxSize), Math.floor(limit * a.decrease));
}
