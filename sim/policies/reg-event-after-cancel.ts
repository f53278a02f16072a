/**
 * TS 24.292 §6.3.6.2: "The MSC Server enhanced for ICS shall consider any existing subscription to
 * the reg event package cancelled (i.e. as if the MSC Server had sent a SUBSCRIBE request with an
 * Expires header containing a value of zero)." The S-CSCF, which received no unsubscribe, still
 * sends its NOTIFY about the deregistration. How the MSC answers a NOTIFY for a subscription it
 * already considers cancelled is not specified: this is that choice, as a pure decision.
 */
export interface LateNotify {
  /** The NOTIFY's Subscription-State: 'terminated' (the final NOTIFY) or 'active'. */
  subscriptionState: 'active' | 'terminated';
}

/** The status the MSC answers with. */
export type LateNotifyAnswer = 200 | 481;

export type RegEventAfterCancelPolicy = (n: LateNotify) => LateNotifyAnswer;

/**
 * The default, 'accept-final': behave exactly as if the unsubscribe had been sent. After an
 * unsubscribe (RFC 6665 §4.1.2.3) the notifier sends one final NOTIFY with Subscription-State
 * terminated, which the subscriber accepts with 200; any other NOTIFY finds no subscription and
 * gets 481 (RFC 6665 §4.1.3). So: 200 to a terminated NOTIFY, 481 to an active one.
 */
export const acceptFinal: RegEventAfterCancelPolicy = (n) => (n.subscriptionState === 'terminated' ? 200 : 481);

/** 'reject-all': the subscription is gone, so every NOTIFY for it gets 481 (strict RFC 6665 §4.1.3 reading). */
export const rejectAll: RegEventAfterCancelPolicy = () => 481;

/** 'accept-all': answer 200 to anything (tolerant; the notifier never learns the subscription is gone). */
export const acceptAll: RegEventAfterCancelPolicy = () => 200;

export const REG_EVENT_AFTER_CANCEL_POLICIES = {
  'accept-final': acceptFinal,
  'reject-all': rejectAll,
  'accept-all': acceptAll,
} as const satisfies Record<string, RegEventAfterCancelPolicy>;

export type RegEventAfterCancelPolicyName = keyof typeof REG_EVENT_AFTER_CANCEL_POLICIES;
export const DEFAULT_REG_EVENT_AFTER_CANCEL_POLICY: RegEventAfterCancelPolicyName = 'accept-final';
