/**
 * How the S-CSCF matches a deregistration (REGISTER expiry 0) to the binding it holds, when it comes
 * from the binding's own Contact. Real registrars differ:
 *  - Kamailio's IMS S-CSCF (`ims_usrloc_scscf`, module parameter `matching_mode`, default 0) matches
 *    on the contact alone: an `Expires: 0` for the same Contact with a fresh Call-ID removes the
 *    binding. A stock Kamailio 5.6 `registrar`/`usrloc` does the same (tried on the wire,
 *    REFERENCE §1 [V]), as RFC 3261 §10.3 step 6 matches on the Contact URI.
 *  - `matching_mode` 1 of `ims_usrloc_scscf` matches on contact + Call-ID: a fresh Call-ID matches
 *    nothing and the binding stays.
 *  - RFC 5626 §6 (outbound) identifies a binding by its `+sip.instance` (and reg-id): the same
 *    instance matches whatever the Contact.
 *
 * Pure decision: whether the deregistration matches the binding.
 */
export interface DeregBinding {
  /** Same Contact URI (the same MSC) and a compatible +sip.instance. */
  sameContact: boolean;
  /** Same Call-ID as the binding. */
  sameCallId: boolean;
  /** The same +sip.instance as the binding (the same device). */
  sameInstance: boolean;
}

export type BindingMatchPolicy = (d: DeregBinding) => boolean;

/** 'contact' (default): `ims_usrloc_scscf` `matching_mode` 0 — the Contact alone; Call-ID ignored. */
export const contactOnly: BindingMatchPolicy = (d) => d.sameContact;

/** 'contact-call-id': `ims_usrloc_scscf` `matching_mode` 1 — Contact and Call-ID must both match. */
export const contactAndCallId: BindingMatchPolicy = (d) => d.sameContact && d.sameCallId;

/** 'instance': RFC 5626 §6 — the Contact, or the binding's +sip.instance. */
export const contactOrInstance: BindingMatchPolicy = (d) => d.sameContact || d.sameInstance;

export const BINDING_MATCH_POLICIES = {
  contact: contactOnly,
  'contact-call-id': contactAndCallId,
  instance: contactOrInstance,
} as const satisfies Record<string, BindingMatchPolicy>;

export type BindingMatchPolicyName = keyof typeof BINDING_MATCH_POLICIES;
/** The IMS S-CSCF's: Kamailio `ims_usrloc_scscf` `matching_mode` 0. */
export const DEFAULT_BINDING_MATCH_POLICY: BindingMatchPolicyName = 'contact';
