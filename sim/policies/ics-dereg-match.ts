/**
 * Which binding a deregistration (REGISTER expiry 0) removes at the S-CSCF, when the binding no
 * longer is the one that MSC made. The Cancel Location race: the subscriber moved to a new MSC,
 * whose REGISTER (same device, same +sip.instance, its own Contact and Call-ID) reached the S-CSCF
 * first and took over the binding (RFC 5626 §6: one binding per instance); then the old MSC's
 * deregistration arrives. RFC 3261 §10.3 matches bindings on the Contact URI (so it removes
 * nothing), RFC 5626 identifies the binding by its +sip.instance (so it removes the NEW MSC's
 * registration), and TS 24.292 / TS 24.229 do not say. (`bindingMatch`, sim/policies/scscf-binding-match.ts,
 * is the related choice for a deregistration from the binding's own Contact.)
 *
 * Pure decision: whether the deregistration removes the binding.
 */
export interface DeregAgainstBinding {
  /** Same Contact URI (the same MSC) and a compatible +sip.instance. */
  sameContact: boolean;
  /** Same Call-ID as the binding. */
  sameCallId: boolean;
  /** The same +sip.instance as the binding (the same device). */
  sameInstance: boolean;
  /** The S-CSCF's `bindingMatch` policy matched it to the binding (sim/policies/scscf-binding-match.ts). */
  ownMatch: boolean;
}

export type DeregMatchPolicy = (d: DeregAgainstBinding) => boolean;

/**
 * The default, 'contact': the binding is matched on its Contact (RFC 3261 §10.3; the Call-ID as
 * `bindingMatch` says): another MSC's deregistration removes nothing — the new MSC's registration
 * survives the race, and the old MSC gets a 200 OK listing the new contact.
 */
export const byContact: DeregMatchPolicy = (d) => d.ownMatch;

/**
 * 'instance': a deregistration for the binding's +sip.instance removes it whoever sends it (the
 * device's registration is one binding, RFC 5626 §6) — so the old MSC's late deregistration wipes
 * out the new MSC's registration, which then believes the subscriber registered while IMS does not.
 */
export const byInstance: DeregMatchPolicy = (d) => d.sameInstance || byContact(d);

/**
 * 'coexist': what Kamailio's IMS S-CSCF does (`ims_usrloc_scscf` keys a contact by its URI —
 * `matching_mode` 0 — so a REGISTER from a new Contact ADDS a contact beside the old one, whatever
 * the +sip.instance): the new MSC's contact and the old one coexist, and the old MSC's late
 * deregistration removes its own contact only — no SAR (a contact remains, TS 24.229 §5.4.1.4),
 * the new registration survives. The matching itself is byContact's; the S-CSCF keeps the older
 * contact at registration when this policy is named (sim/ims/scscf.ts).
 */
export const coexist: DeregMatchPolicy = byContact;

export const DEREG_MATCH_POLICIES = {
  contact: byContact,
  instance: byInstance,
  coexist,
} as const satisfies Record<string, DeregMatchPolicy>;

export type DeregMatchPolicyName = keyof typeof DEREG_MATCH_POLICIES;
export const DEFAULT_DEREG_MATCH_POLICY: DeregMatchPolicyName = 'contact';
