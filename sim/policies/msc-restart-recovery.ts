/**
 * An MSC Server enhanced for ICS that restarts with a volatile registration store (msc-ics
 * `registrationStore: volatile`) has lost every IMS registration it made — Call-IDs, CSeqs,
 * reg-event subscriptions — while the S-CSCF still holds the bindings (until they expire) and its
 * CS side (the VLR) still knows who is here. TS 24.292 says nothing about it (our choice); for
 * the CS side, VLR restoration (TS 23.007 [R]) restores a subscriber's record at its next radio
 * contact — the model of 'wait-for-activity'. What the MSC does once it is back up:
 */
export type RestartRecovery =
  /** Nothing: each subscriber is registered anew at its next activity here (location update, attach). */
  | 'wait'
  /** Register every subscriber of the VLR anew (fresh Call-ID: the old one is lost), paced over `sweepSpread`. */
  | 'reregister'
  /**
   * Deregister every subscriber of the VLR (REGISTER with expiry 0, the same Contact and
   * +sip.instance, but a fresh Call-ID — the registration's is lost, so 24.292:6.3.6.2/7 cannot be
   * kept), paced over `sweepSpread`; each is registered again at its next activity.
   */
  | 'deregister';

export type RestartRecoveryPolicy = (lost: { registrations: number }) => RestartRecovery;

/** The default: TS 23.007's VLR restoration carried over to IMS — on activity, no burst at restart. */
export const waitForActivity: RestartRecoveryPolicy = () => 'wait';
export const reregisterAll: RestartRecoveryPolicy = (lost) => (lost.registrations > 0 ? 'reregister' : 'wait');
export const deregisterAll: RestartRecoveryPolicy = (lost) => (lost.registrations > 0 ? 'deregister' : 'wait');

export const RESTART_RECOVERY_POLICIES = {
  'wait-for-activity': waitForActivity,
  'reregister-all': reregisterAll,
  'deregister-all': deregisterAll,
} as const satisfies Record<string, RestartRecoveryPolicy>;

export type RestartRecoveryPolicyName = keyof typeof RESTART_RECOVERY_POLICIES;
export const DEFAULT_RESTART_RECOVERY_POLICY: RestartRecoveryPolicyName = 'wait-for-activity';
