import type { AdaptiveBulking } from './bulk-adaptive.ts';

/**
 * Bulking policy of the Message Gateway (TS 23.554 §8.2.X step 1, NOTE 1: "the conditions of
 * whether the Non-MSGin5G UE registrations can be bulked are implementation specific"). A pure
 * decision the gateway consults; docs/policies.md explains each knob.
 *
 * - `maxSize`: a batch is sent as soon as it holds this many entries; 1 turns bulking off (every
 *   request uses the individual procedure of §8.2.3 / §8.2.4).
 * - `window`: the longest a request waits for others, counted from the first entry of its batch;
 *   when it expires the batch goes as it is.
 * - `minSize`: a batch that closes with fewer entries goes as individual requests (a bulk of one
 *   only adds the bulk envelope).
 * - `adaptive` (bulk-adaptive.ts): `fixed` keeps the limit at maxSize; `aimd` moves it between a
 *   floor and maxSize as bulks succeed or fail whole.
 * - Urgent requests are never bulked (as §8.2.7's "registration urgent degree" says of its bulks),
 *   and a batch only ever holds requests for one target server and one operation.
 */
export interface BulkingPolicy {
  maxSize: number;
  minSize: number;
  /** ns */
  window: number;
  /** How the size limit adapts (absent: fixed at maxSize). */
  adaptive?: AdaptiveBulking;
}

export const DEFAULT_BULKING: BulkingPolicy = { maxSize: 100, minSize: 2, window: 50_000_000 };

/** Why a request goes individually instead of into a batch, or 'batch'. */
export type BulkDecision = 'batch' | 'urgent' | 'bulking-off' | 'retry';

/** §8.2.X step 1 for one request: may it wait for a bulk? */
export function decideBulking(p: BulkingPolicy, req: { urgent: boolean; individualRetry: boolean }): BulkDecision {
  if (req.urgent) return 'urgent';
  if (p.maxSize <= 1) return 'bulking-off';
  if (req.individualRetry) return 'retry';
  return 'batch';
}

/** A batch closes (full or window over) with n entries: send it as a bulk, or its entries individually. */
export function closeBatch(p: BulkingPolicy, n: number): 'bulk' | 'individual' {
  return n >= p.minSize && n > 1 ? 'bulk' : 'individual';
}

/** Whether a batch with n entries is full: at maxSize, or at the current adaptive limit when lower. */
export function batchFull(p: BulkingPolicy, n: number, limit = p.maxSize): boolean {
  return n >= Math.min(limit, p.maxSize);
}
