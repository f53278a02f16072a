/**
 * FFS point of TS 24.292 §6.3.6.2 — "MSC Server enhanced for ICS behavior upon failing to receive
 * a 200 (OK) response to a deregistration attempt is FFS" (Editor's Note). What the MSC does when
 * its REGISTER with expiry 0 ends without a 200 OK: Timer F expired (reported as 408, RFC 3261
 * §8.1.3.1), or a final error such as 403 (I-CSCF: the HSS says the identity is not registered),
 * 480 (I-CSCF: HSS unreachable), 500 (I-CSCF: the S-CSCF was overloaded; with Retry-After) or a
 * 503 (the I-CSCF itself overloaded; with Retry-After).
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
  /** Retry-After of the response, seconds, when it carried one (503, or the I-CSCF's 500). */
  retryAfterSeconds?: number;
}

/**
 * How the retrying policies space their attempts (MSC params `deregRetry`): after failed attempt k
 * (1, 2, …) the next one leaves min(cap, base · factor^(k−1)) later — or Retry-After later when the
 * answer asked for longer (RFC 3261 §21.5.4: do not retry before it) — for at most `retries`
 * retries, so at most retries + 1 REGISTERs per deregistration.
 */
export interface DeregRetry {
  retries: number;
  /** ns */
  base: number;
  factor: number;
  /** ns: the longest back-off (Retry-After is honoured even beyond it). */
  cap: number;
}

export const DEFAULT_DEREG_RETRY: DeregRetry = { retries: 2, base: 2_000_000_000, factor: 2, cap: 60_000_000_000 };

/**
 * - `clear`: remove all registration details anyway, as on a 200 OK (the subscriber is no longer
 *   at this MSC; the IMS registration is left to expire in the network).
 * - `retry`: send a new deregistration REGISTER (same Call-ID, CSeq + 1) after `delayNs`.
 * - `keep`: keep the registration details as they are, live: the MSC goes on acting for the
 *   subscriber (it refreshes the registration) until something else removes them; reported.
 * - `hold`: keep the registration details but stop acting on them (no refresh, nothing sent), and
 *   clear them when the registration would have expired in the network.
 */
export type DeregFailureDecision = { action: 'clear' } | { action: 'retry'; delayNs: number } | { action: 'keep' } | { action: 'hold' };

export type DeregFailurePolicy = (f: DeregFailure, retry: DeregRetry) => DeregFailureDecision;

/** The wait before the retry that follows failed attempt `attempt` (see DeregRetry). */
export function retryDelay(attempt: number, r: DeregRetry, retryAfterSeconds?: number): number {
  const backoff = Math.min(r.cap, r.base * r.factor ** Math.max(0, attempt - 1));
  return retryAfterSeconds !== undefined ? Math.max(backoff, retryAfterSeconds * 1e9) : backoff;
}

/** 403 / 404: the network has no registration to remove (the HSS said so). */
const nothingToRemove = (status: number) => status === 403 || status === 404;

/**
 * The default, 'clear-locally': whatever the failure, remove the registration details at once.
 * Why: the deregistration exists because the subscriber is no longer served by this MSC; keeping
 * state would make the MSC refresh (re-register) a user it no longer serves, and retrying loads
 * a core that is already failing. The cost: when the REGISTER never reached the S-CSCF, the IMS
 * registration lingers until it expires (a stale binding: terminating sessions for the user then
 * fail at this MSC).
 */
export const clearLocally: DeregFailurePolicy = () => ({ action: 'clear' });

/**
 * 'keep-and-report': keep everything live and report it (signal `dereg.kept`, procedure failed):
 * an operator or a later trigger decides. The MSC goes on refreshing a registration for a
 * subscriber it does not serve — consistent with the network, wrong for the subscriber.
 */
export const keepAndReport: DeregFailurePolicy = () => ({ action: 'keep' });

/**
 * 'keep-until-expiry': keep the registration details, stop refreshing them, and drop them when the
 * registration would have expired in the network — the MSC's view then ends when the S-CSCF's does.
 */
export const keepUntilExpiry: DeregFailurePolicy = () => ({ action: 'hold' });

/**
 * 'retry-backoff': 403/404 → clear (nothing to remove); anything else → retry with exponential
 * back-off (honouring Retry-After) up to `retries` times; when they are spent, keep and report.
 */
export const retryBackoff: DeregFailurePolicy = (f, r) => {
  if (nothingToRemove(f.status)) return { action: 'clear' };
  if (f.attempt > r.retries) return { action: 'keep' };
  return { action: 'retry', delayNs: retryDelay(f.attempt, r, f.retryAfterSeconds) };
};

/**
 * 'retry-then-clear': as retry-backoff, but when the retries are spent, clear locally. With the
 * default `deregRetry` (2 retries, 2 s then 4 s) it is the model's original retry policy.
 */
export const retryThenClear: DeregFailurePolicy = (f, r) => {
  if (nothingToRemove(f.status)) return { action: 'clear' };
  if (f.attempt > r.retries) return { action: 'clear' };
  return { action: 'retry', delayNs: retryDelay(f.attempt, r, f.retryAfterSeconds) };
};

/**
 * 'by-status': each failure by what it says about the network's state.
 * - 403 / 404: the HSS has no registration → clear (nothing to remove).
 * - 408: no answer at all; the REGISTER or its answer was lost and the binding may or may not be
 *   gone → retry with back-off; when spent, clear (most likely the answer was what got lost).
 * - 480: the I-CSCF could not reach the HSS, so nothing was removed → retry with back-off; when
 *   spent, keep until expiry (the binding is surely still there; do not forget it before it does).
 * - 5xx with Retry-After (an overloaded S-CSCF or I-CSCF): nothing was done yet → retry after
 *   Retry-After (at least the back-off); when spent, keep until expiry. 5xx without: as 480.
 * - any other final answer (4xx, 6xx): a refusal retrying cannot change → clear.
 */
export const byStatus: DeregFailurePolicy = (f, r) => {
  const s = f.status;
  if (nothingToRemove(s)) return { action: 'clear' };
  const spent = f.attempt > r.retries;
  if (s === 408) return spent ? { action: 'clear' } : { action: 'retry', delayNs: retryDelay(f.attempt, r) };
  if (s === 480 || (s >= 500 && s < 600)) return spent ? { action: 'hold' } : { action: 'retry', delayNs: retryDelay(f.attempt, r, f.retryAfterSeconds) };
  return { action: 'clear' };
};

export const DEREG_FAILURE_POLICIES = {
  'clear-locally': clearLocally,
  'keep-and-report': keepAndReport,
  'keep-until-expiry': keepUntilExpiry,
  'retry-backoff': retryBackoff,
  'retry-then-clear': retryThenClear,
  'by-status': byStatus,
} as const satisfies Record<string, DeregFailurePolicy>;

export type DeregFailurePolicyName = keyof typeof DEREG_FAILURE_POLICIES;
export const DEFAULT_DEREG_FAILURE_POLICY: DeregFailurePolicyName = 'clear-locally';
