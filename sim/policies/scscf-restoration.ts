/**
 * What an S-CSCF does with a REGISTER for a registration it does not hold — the situation after it
 * restarted with a volatile registration store (scscf `registrationStore: volatile`): the HSS still
 * names it as the subscriber's S-CSCF, the MSC still holds the registration, and the S-CSCF knows
 * nothing. TS 23.380 §4 [R] defines IMS restoration (restoration information the S-CSCF keeps in
 * the HSS, fetched back when a request needs it) as an option; without it the outcome is
 * implementation-specific (docs/ims.md, docs/policies.md):
 *
 * - `register-anew` (the default): a refresh is served as a new registration (Cx SAR
 *   REGISTRATION, user profile downloaded again) — what Kamailio's ims_registrar_scscf `save()` does
 *   for an IMPU with no usrloc record [V, module source]; a deregistration of it is answered 200 OK
 *   with nothing removed and no SAR, so the HSS keeps the subscriber registered.
 * - `reject-unknown`: a refresh (CSeq above 1: it continues a registration) is answered 403
 *   Forbidden, so the MSC must register anew (its refreshFailure policy decides: the default
 *   retry-backoff registers at once with a fresh Call-ID); a deregistration as register-anew.
 * - `hss-restoration` (TS 23.380 §4 [R]): the restoration information stored in the HSS at
 *   registration (contact, Call-ID, initial CSeq, instance) is fetched back (SAR NO_ASSIGNMENT) and
 *   the registration restored before the request is served: a refresh is an ordinary
 *   re-registration, a deregistration removes it properly (SAR USER_DEREGISTRATION: the HSS ends
 *   the registration). With nothing stored the S-CSCF falls back to register-anew.
 *
 * Pure decision per request: what to do with it.
 */
export interface UnknownRegistration {
  /** The REGISTER asks to deregister (expiry 0). */
  deregistration: boolean;
  /** It continues a registration (CSeq above 1), rather than starting one. */
  continues: boolean;
}

/** 'serve': as today (SAR REGISTRATION / 200 OK with nothing removed); 'reject': 403; 'restore': fetch the HSS's restoration information first. */
export type UnknownRegistrationAction = 'serve' | 'reject' | 'restore';

export type RestorationPolicy = (q: UnknownRegistration) => UnknownRegistrationAction;

export const registerAnew: RestorationPolicy = () => 'serve';
export const rejectUnknown: RestorationPolicy = (q) => (!q.deregistration && q.continues ? 'reject' : 'serve');
export const hssRestoration: RestorationPolicy = () => 'restore';

export const RESTORATION_POLICIES = {
  'register-anew': registerAnew,
  'reject-unknown': rejectUnknown,
  'hss-restoration': hssRestoration,
} as const satisfies Record<string, RestorationPolicy>;

export type RestorationPolicyName = keyof typeof RESTORATION_POLICIES;
export const DEFAULT_RESTORATION_POLICY: RestorationPolicyName = 'register-anew';
