/**
 * A re-registration (refresh) of a registration the MSC holds that gets no 200 OK: answered 423
 * (Interval Too Brief, with Min-Expires: RFC 3261 §10.3 step 7), 5xx with Retry-After (an
 * overloaded S-CSCF, relayed by the I-CSCF as 500: RFC 3261 §16.7 step 6), 480 (the I-CSCF could
 * not reach the HSS), 403 (the network no longer knows the registration) or nothing at all (Timer
 * F, reported as 408: RFC 3261 §8.1.3.1). TS 24.292 §6.3.3 sends the registration "as a UE would"
 * and says nothing of a failed refresh; TS 24.229 §5.1.1.4.1 has a UE whose re-registration fails
 * start an initial registration — for the MSC acting for many subscribers it is our choice,
 * a pure decision here (DESIGN principle 4). The registration itself stays valid in the network
 * until its expiry unless the answer said otherwise, which is what the choices trade on.
 */

import { retryDelay, type DeregRetry } from './msc-dereg-failure.ts';

export interface RefreshFailure {
  /** Final status: 408 for a transaction timeout (Timer F), otherwise the response's code. */
  status: number;
  /** Failed refresh attempts so far in a row (1 after the first failure). */
  attempt: number;
  /** Retry-After of the answer, seconds, when it carried one. */
  retryAfterSeconds?: number;
  /** Min-Expires of a 423 answer, seconds. */
  minExpiresSeconds?: number;
  /** ns until the registration expires in the network (the last granted expiry); ≤ 0 when it already has. */
  remainingNs: number;
}

/**
 * - `drop`: forget the registration at once (signal `refresh.failed`); the binding lingers in the
 *   network until it expires, and the subscriber, still here, is unregistered from then on.
 * - `retry`: refresh again (same Call-ID, next CSeq) after `delayNs`, asking for `expires` seconds
 *   when given (else the MSC's configured expiry).
 * - `reregister`: forget the registration and start an initial registration (fresh Call-ID,
 *   SUBSCRIBE again) after `delayNs`.
 * - `hold`: stop refreshing, keep the details until the registration would expire, then forget
 *   it (signal `refresh.held-expired`): the MSC's view ends when the network's does.
 */
export type RefreshFailureDecision =
  | { action: 'drop' }
  | { action: 'retry'; delayNs: number; expires?: number }
  | { action: 'reregister'; delayNs: number }
  | { action: 'hold' };

export type RefreshFailurePolicy = (f: RefreshFailure, retry: DeregRetry) => RefreshFailureDecision;

/** 'drop' — the model's behaviour before this policy existed. */
export const dropRegistration: RefreshFailurePolicy = () => ({ action: 'drop' });

/** 'give-up-and-report': no retry; the registration is left to run out (`hold`), reported. */
export const giveUpAndReport: RefreshFailurePolicy = () => ({ action: 'hold' });

/**
 * The default, 'retry-backoff': refresh again after the back-off of `refreshRetry` (Retry-After
 * honoured, RFC 3261 §21.5.4; a 423 retried at once with its Min-Expires, RFC 3261 §10.2.8, as the
 * answer itself says what would succeed); when the retries are spent, register anew after the
 * last back-off (the network may have lost the registration meanwhile). 403/404: the network no
 * longer knows the registration — register anew at once.
 */
export const retryBackoff: RefreshFailurePolicy = (f, r) => {
  if (f.status === 403 || f.status === 404) return { action: 'reregister', delayNs: 0 };
  if (f.status === 423 && f.minExpiresSeconds !== undefined) return { action: 'retry', delayNs: 0, expires: f.minExpiresSeconds };
  const delayNs = retryDelay(f.attempt, r, f.retryAfterSeconds);
  return f.attempt > r.retries ? { action: 'reregister', delayNs } : { action: 'retry', delayNs };
};

/**
 * 'retry-until-expiry': as retry-backoff, but only while the registration is still valid in the
 * network (the retry would leave before it expires); after that, give up and report (`hold`).
 */
export const retryUntilExpiry: RefreshFailurePolicy = (f, r) => {
  if (f.status === 403 || f.status === 404) return { action: 'hold' };
  if (f.status === 423 && f.minExpiresSeconds !== undefined) return { action: 'retry', delayNs: 0, expires: f.minExpiresSeconds };
  const delayNs = retryDelay(f.attempt, r, f.retryAfterSeconds);
  return f.attempt <= r.retries && delayNs < f.remainingNs ? { action: 'retry', delayNs } : { action: 'hold' };
};

/**
 * 'reregister': whatever the failure, start over with an initial registration after the back-off
 * (what TS 24.229 §5.1.1.4.1 has a UE do); a 423 is not adopted (the new registration asks for
 * the configured expiry again, and is refused again while Min-Expires stays above it).
 */
export const reregister: RefreshFailurePolicy = (f, r) => ({ action: 'reregister', delayNs: retryDelay(f.attempt, r, f.retryAfterSeconds) });

export const REFRESH_FAILURE_POLICIES = {
  drop: dropRegistration,
  'give-up-and-report': giveUpAndReport,
  'retry-backoff': retryBackoff,
  'retry-until-expiry': retryUntilExpiry,
  reregister,
} as const satisfies Record<string, RefreshFailurePolicy>;

export type RefreshFailurePolicyName = keyof typeof REFRESH_FAILURE_POLICIES;
export const DEFAULT_REFRESH_FAILURE_POLICY: RefreshFailurePolicyName = 'retry-backoff';
