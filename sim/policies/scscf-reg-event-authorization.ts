/**
 * Who may subscribe to a user's reg event at the S-CSCF (issue 17 item 4). TS 24.229 §5.4.2.1.1:
 * the S-CSCF authorises the SUBSCRIBE by the asserted identity — the user itself (an identity of
 * its implicit set), a P-CSCF on its Path, an AS — and refuses anyone else with 403. Kamailio's
 * `ims_registrar_scscf` `can_subscribe_to_reg()` does exactly that: no P-Asserted-Identity →
 * "P-Asserted-Identity empty" (error), an identity outside the service profile and not on a Path →
 * "Subscribe forbidden". RegLab's MSC Server asserts its CS subscriber's own identity (TS 24.292).
 *
 * A student's own UA in the emulation lab (sip.js in the dashboard) registers its own identity and
 * wants to watch a CS subscriber's registration: another user's. Whether the S-CSCF lets it is this
 * policy, and it has a security meaning (docs/policies.md):
 *
 *  - 'asserted-own' (default): TS 24.229 §5.4.2.1.1 / Kamailio — P-Asserted-Identity present and
 *    From an identity of the watched user's implicit set; anything else 403.
 *  - 'external-clients': in addition, a SUBSCRIBE from a sender the S-CSCF's `externalClients`
 *    policy admits without IMS AKA (as it would its REGISTER: `trusted` senders, or anyone under
 *    `accept-unauthenticated`) is accepted whatever identity its From names, with no
 *    P-Asserted-Identity. Its dialog keeps the client's own From, tag, Call-ID and Contact: the
 *    NOTIFYs go to it as it subscribed (RFC 3261 §12.1.1, RFC 6665 §4.1.2). For a lab only: such a
 *    client learns any subscriber's registration state and contacts (the MSC's address, the
 *    device's IMEI in +sip.instance) — the information RFC 3680 §6 says a registrar must authorise.
 *
 * Pure decision: whether the SUBSCRIBE is authorised.
 */
export interface RegEventSubscribeRequest {
  /** It carries P-Asserted-Identity and its From is an identity of the watched user (the model's own form). */
  assertedOwn: boolean;
  /** The externalClients policy admits its sender without auth-done (a lab client). */
  externalClient: boolean;
}

export type RegEventAuthorizationPolicy = (r: RegEventSubscribeRequest) => boolean;

/** 'asserted-own': TS 24.229 §5.4.2.1.1, Kamailio can_subscribe_to_reg. */
export const assertedOwn: RegEventAuthorizationPolicy = (r) => r.assertedOwn;

/** 'external-clients': also the clients the externalClients policy admits (a lab). */
export const externalClients: RegEventAuthorizationPolicy = (r) => r.assertedOwn || r.externalClient;

export const REG_EVENT_AUTHORIZATION_POLICIES = {
  'asserted-own': assertedOwn,
  'external-clients': externalClients,
} as const satisfies Record<string, RegEventAuthorizationPolicy>;

export type RegEventAuthorizationPolicyName = keyof typeof REG_EVENT_AUTHORIZATION_POLICIES;
/** The standard's and Kamailio's rule. */
export const DEFAULT_REG_EVENT_AUTHORIZATION_POLICY: RegEventAuthorizationPolicyName = 'asserted-own';
