/**
 * What the Message Gateway does when a whole request fails — no answer before its timeout (a lost
 * bulk loses every entry in it), 503 (server overloaded), 413 (bulk too large), or a refusal that
 * will not change (400, 401, 404). TS 23.554 is silent; this is the named policy.
 *
 * - `resend` (default): after `delay` × `backoff`^(attempt−1) (and never before the server's
 *   Retry-After), the same request goes again — a bulk as the same bulk.
 * - `split`: a failed bulk goes again after the same delay as two halves, each a bulk of its own
 *   (a half smaller than the bulking policy's minSize goes as individual requests); each half keeps
 *   its own retry count, so a bulk that keeps failing halves again until its entries go one by one.
 *   An individual request is simply resent.
 * - `retry-individually`: a failed bulk's entries go again one by one (an individual request is
 *   simply resent).
 * - `give-up`: every procedure in the request fails.
 * A 413 always splits the bulk in two halves and sends both at once (not counted as a retry); a
 * permanent refusal always gives up.
 */
export type RequestFailurePolicyName = 'resend' | 'split' | 'retry-individually' | 'give-up';

export interface RequestFailurePolicy {
  policy: RequestFailurePolicyName;
  /** ns */
  delay: number;
  backoff: number;
  maxRetries: number;
}

export const DEFAULT_REQUEST_FAILURE: RequestFailurePolicy = { policy: 'resend', delay: 1_000_000_000, backoff: 2, maxRetries: 3 };

export type RequestFailure = 'timeout' | 'overloaded' | 'too-large' | 'rejected';

export type RequestFailureAction =
  | { action: 'resend' | 'retry-individually'; delay: number }
  /** Without `delay`: the 413 rule (halves at once, not a retry); with it: the `split` policy (a retry). */
  | { action: 'split'; delay?: number }
  | { action: 'give-up' };

/**
 * @param retriesSoFar retries this request (or, for an individual request, this UE's procedure) already had
 * @param retryAfter the server's Retry-After in ns, or 0
 */
export function onRequestFailure(
  p: RequestFailurePolicy,
  failure: RequestFailure,
  retriesSoFar: number,
  isBulk: boolean,
  retryAfter = 0,
): RequestFailureAction {
  if (failure === 'rejected') return { action: 'give-up' };
  if (failure === 'too-large') return isBulk ? { action: 'split' } : { action: 'give-up' };
  if (p.policy === 'give-up' || retriesSoFar >= p.maxRetries) return { action: 'give-up' };
  const delay = Math.max(Math.round(p.delay * Math.pow(p.backoff, retriesSoFar)), retryAfter);
  return { action: isBulk ? p.policy : 'resend', delay };
}
