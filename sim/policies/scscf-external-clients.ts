/**
 * Who may register at the S-CSCF without IMS AKA (issue 17 item 3). RegLab's S-CSCF runs no AKA
 * challenge: it accepts a REGISTER that says the user was already authenticated —
 * `Authorization: … integrity-protected="auth-done"` (TS 24.229 §5.4.1.2.2, as the MSC Server
 * enhanced for ICS sends it, §7.2A.2 / TS 24.292 §6.3.3). A client from outside the model (SIPp, a
 * sip.js UA over WebSocket, a student's softphone) brings no AKA either; what the S-CSCF does with
 * it is a policy, and each has a security meaning (docs/policies.md, docs/emulation.md):
 *
 *  - 'auth-done' (default): only a REGISTER carrying auth-done is admitted, from anyone. This is
 *    the model as the standard writes it between trusted IMS entities: auth-done is a claim, not a
 *    proof, so whoever can reach the port can register any identity of the population by
 *    writing it. A real network believes auth-done only inside its security domain (TS 33.210
 *    NDS/IP, TS 33.203 §7.4: the P-CSCF / MSC is trusted because of where it sits).
 *  - 'trusted': admitted only from the trusted senders (the scenario's `trusted` node list — in
 *    the emulation lab, the real peers at those nodes' addresses), with or without auth-done;
 *    anyone else is refused, even with auth-done. That is the real network's rule (Kamailio's
 *    `permissions` module / `allow_trusted()` in front of its registrar does the same).
 *  - 'accept-unauthenticated': everything is admitted, with or without Authorization. For a lab
 *    on 127.0.0.1 only: any client that reaches the port registers any identity — no
 *    authentication at all.
 *
 * Not implemented: SIP digest with credentials from the HSS (Cx MAR/MAA with the SIP Digest
 * scheme, TS 29.229 §6.3.9): the model's HSS holds no passwords.
 *
 * Pure decision: whether the REGISTER is admitted.
 */
export interface ExternalClientRequest {
  /** The REGISTER carries Authorization with integrity-protected="auth-done". */
  authDone: boolean;
  /** It came from a sender the scenario trusts (a node in the S-CSCF's `trusted` list). */
  trusted: boolean;
}

export type ExternalClientPolicy = (r: ExternalClientRequest) => boolean;

/** 'auth-done': the model's own rule — the claim is believed from anyone. */
export const authDoneOnly: ExternalClientPolicy = (r) => r.authDone;

/** 'trusted': believed only from the trusted senders, who need not make it. */
export const trustedOnly: ExternalClientPolicy = (r) => r.trusted;

/** 'accept-unauthenticated': a lab with no authentication at all. */
export const acceptUnauthenticated: ExternalClientPolicy = () => true;

export const EXTERNAL_CLIENT_POLICIES = {
  'auth-done': authDoneOnly,
  trusted: trustedOnly,
  'accept-unauthenticated': acceptUnauthenticated,
} as const satisfies Record<string, ExternalClientPolicy>;

export type ExternalClientPolicyName = keyof typeof EXTERNAL_CLIENT_POLICIES;
/** The S-CSCF's default: the model as before (auth-done from anyone). */
export const DEFAULT_EXTERNAL_CLIENT_POLICY: ExternalClientPolicyName = 'auth-done';
