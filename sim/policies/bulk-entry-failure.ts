/**
 * What the Message Gateway does with an entry the server answered with a failure — an entry of a
 * bulk response, or an individual response (TS 23.554 is silent; REFERENCE.md §5 question 4).
 *
 * - `retry-individually` (default): after `delay`, the UE's request goes again by the individual
 *   procedure (§8.2.3 / §8.2.4), at most `maxRetries` times.
 * - `retry-in-bulk`: after `delay`, the UE rejoins the batcher and may travel in another bulk.
 * - `give-up`: the procedure fails at once.
 * `causes` limits retries to the listed failure causes ('all' retries every cause — including
 * permanent ones such as AUTHENTICATION_FAILED, which shows what blind retrying costs).
 */
export type EntryFailurePolicyName = 'retry-individually' | 'retry-in-bulk' | 'give-up';

export interface EntryFailurePolicy {
  policy: EntryFailurePolicyName;
  /** ns */
  delay: number;
  maxRetries: number;
  causes: 'all' | readonly string[];
}

export const DEFAULT_ENTRY_FAILURE: EntryFailurePolicy = { policy: 'retry-individually', delay: 1_000_000_000, maxRetries: 1, causes: 'all' };

export type EntryFailureAction = { action: 'retry-individually' | 'retry-in-bulk'; delay: number } | { action: 'give-up' };

/** The decision for one failed entry, given how many retries this UE's procedure has had. */
export function onEntryFailure(p: EntryFailurePolicy, cause: string, retriesSoFar: number): EntryFailureAction {
  if (p.policy === 'give-up' || retriesSoFar >= p.maxRetries) return { action: 'give-up' };
  if (p.causes !== 'all' && !p.causes.includes(cause)) return { action: 'give-up' };
  return { action: p.policy, delay: p.delay };
}
