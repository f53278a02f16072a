/**
 * FFS point of TS 24.292 §6.3.6.2 — "MSC Server enhanced for ICS behavior upon failing to receive
 * a 200 (OK) response to a deregistration attempt is FFS" (Editor's Note). What the MSC does when
 * its REGISTER with expiry 0 ends without a 200 OK: Timer F expired (reported as 408, RFC 3261
 * §8.1.3.1), or a final error such as 403 (I-CSCF: the HSS says the identity is not registered),
 * 480 (I-CSCF: HSS unreachable) or a 5xx.
 *
 * Pure decision functions (DESIGN principle 4): the MSC asks, the policy answers; nothing here
 * knows about nodes or time beyond the numbers it is given. docs/policies.md compares them.
 */

/** What went wrong with one deregistration attempt. */
export interface DeregFailure {
  /** Final status: 408 for a transaction timeout (Timer F), otherwise the response's code. */
  status: number;
  /** Attempts made so far for this deregistration (1 after the first failure). */
  attempt: number;
  /** Retry-After of the response, seconds, when it carried one (503). */
  retryAfterSeconds?: number;
}

/**
 * - `clear`: remove all registration details anyway, as on a 200 OK (the subscriber is no longer
 *   at this MSC; the IMS registration is left to expire in the network).
 * - `retry`: send a new deregistration REGISTER (same Call-ID, CSeq + 1) after `delayNs`.
 * - `keep`: keep the registration details untouched (the MSC goes on acting for the subscriber,
 *   e.g. refreshing, until something else removes them).
 */
export type DeregFailureDecision = { action: 'clear' } | { action: 'retry'; delayNs: number } | { action: 'keep' };

export type DeregFailurePolicy = (f: DeregFailure) => DeregFailureDecision;

const SECOND = 1_000_000_000;

/**
 * The default, 'clear-locally': whatever the failure, remove the registration details at once.
 * Why: the deregistration exists because the subscriber is no longer served by this MSC; keeping
 * state would make the MSC refresh (re-register) a user it no longer serves, and retrying loads
 * a core that is already failing. The cost: the IMS registration may linger until it expires
 * (terminating sessions for the user then fail at this MSC). Alternatives below.
 */
export const clearLocally: DeregFailurePolicy = () => ({ action: 'clear' });

/**
 * 'retry-then-clear': 403 means the network has no registration to remove (clear at once);
 * 408, 480 and 5xx are transient: retry up to 2 more times, waiting Retry-After when given, else
 * 2 s then 4 s; then clear.
 */
export const retryThenClear: DeregFailurePolicy = (f) => {
  if (f.status === 403 || f.status === 404) return { action: 'clear' };
  if (f.attempt >= 3) return { action: 'clear' };
  const wait = f.retryAfterSeconds !== undefined ? f.retryAfterSeconds * SECOND : 2 ** f.attempt * SECOND;
  return { action: 'retry', delayNs: wait };
};

/** 'keep-until-expiry': do nothing; the registration stays until it expires or a later trigger. */
export const keepUntilExpiry: DeregFailurePolicy = () => ({ action: 'keep' });

export const DEREG_FAILURE_POLICIES = {
  'clear-locally': clearLocally,
  'retry-then-clear': retryThenClear,
  'keep-until-expiry': keepUntilExpiry,
} as const satisfies Record<string, DeregFailurePolicy>;

export type DeregFailurePolicyName = keyof typeof DEREG_FAILURE_POLICIES;
export const DEFAULT_DEREG_FAILURE_POLICY: DeregFailurePolicyName = 'clear-locally';
