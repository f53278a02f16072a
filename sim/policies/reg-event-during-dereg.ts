/**
 * TS 24.292 §6.3.6.2 has the MSC consider its reg-event subscription cancelled once it deregisters
 * ("as if the MSC Server had sent a SUBSCRIBE request with an Expires header containing a value of
 * zero"), yet the S-CSCF — which received no unsubscribe — still NOTIFYs it. What if such a NOTIFY
 * says the registration is gone while the MSC's own deregistration is still under way: the S-CSCF
 * removed the binding (event "unregistered": the 200 OK to the MSC may still be on its way, or
 * lost), the HSS ended it with RTR ("deactivated" / "rejected"), or it expired? The spec is silent.
 *
 * Pure decision: finish the deregistration on the strength of the NOTIFY, or carry on as if it had
 * not come (its outcome then goes to the deregFailure policy as usual).
 */
export interface NotifyDuringDereg {
  /** The contact event of the NOTIFY (RFC 3680 §5.2): why the network says the registration ended. */
  event: 'unregistered' | 'deactivated' | 'rejected' | 'expired' | 'other';
  /** Where the deregistration stands: releasing its dialogs, REGISTER in flight, or waiting to retry. */
  phase: 'releasing' | 'deregistering' | 'retry-wait';
}

export type NotifyDuringDeregDecision = 'finish' | 'continue';

export type RegEventDuringDeregPolicy = (n: NotifyDuringDereg) => NotifyDuringDeregDecision;

/**
 * The default, 'ignore': the subscription is cancelled, so what its NOTIFYs say is not acted on
 * (§6.3.6.2 read literally); the REGISTER's own outcome decides. Costs a retry or a Timer F wait
 * when the 200 OK is lost although the NOTIFY told the story.
 */
export const ignoreNotify: RegEventDuringDeregPolicy = () => 'continue';

/**
 * 'trust-notify': a NOTIFY that terminates this MSC's own registration finishes the deregistration
 * at once, as a 200 OK would: all registration details removed, no retry. Saves the retries and
 * the Timer F waits a lost 200 OK causes; relies on a subscription §6.3.6.2 says to consider gone.
 */
export const trustNotify: RegEventDuringDeregPolicy = () => 'finish';

export const REG_EVENT_DURING_DEREG_POLICIES = {
  ignore: ignoreNotify,
  'trust-notify': trustNotify,
} as const satisfies Record<string, RegEventDuringDeregPolicy>;

export type RegEventDuringDeregPolicyName = keyof typeof REG_EVENT_DURING_DEREG_POLICIES;
export const DEFAULT_REG_EVENT_DURING_DEREG_POLICY: RegEventDuringDeregPolicyName = 'ignore';
