/**
 * What the I-CSCF does when the S-CSCF the HSS names does not serve a REGISTER (no answer, a
 * transport error, or a 5xx) — the first half of S-CSCF restoration at registration:
 *
 * - `answer-failure` (the default, RegLab before issue 13 item 9): the failure goes back to the
 *   MSC (408 for no answer, RFC 3261 §16.7 step 6; 500 for a 503), whose refreshFailure policy
 *   decides; every retry meets the same S-CSCF for as long as the HSS names it.
 * - `reselect`: ask the HSS again with User-Authorization-Type REGISTRATION_AND_CAPABILITIES (TS
 *   29.228 §6.1.1 [R]: "used … when the … S-CSCF stored in the HSS cannot be contacted and a new
 *   S-CSCF needs to be selected"; TS 24.229 §5.3.1.3 [R]), pick another S-CSCF of its list and
 *   forward the REGISTER there; the new S-CSCF's SAR REGISTRATION makes the HSS name it. Kamailio's
 *   ims_icscf does this in the script's failure route with `I_scscf_select("1")` (the next unused
 *   S-CSCF of the list, [V] module source; its use on a branch timeout or 5xx is the module's
 *   example configuration [R]).
 *
 * Pure decision per failed forwarding.
 */
export interface ScscfFailure {
  /** The final status the forwarding got (408 for no answer in time, 503 for a transport error). */
  status: number;
  /** S-CSCFs already tried for this REGISTER, and how many the I-CSCF knows. */
  tried: number;
  known: number;
}

export type IcscfRestorationPolicy = (f: ScscfFailure) => 'answer' | 'reselect';

export const answerFailure: IcscfRestorationPolicy = () => 'answer';
export const reselect: IcscfRestorationPolicy = (f) => ((f.status === 408 || f.status >= 500) && f.tried < f.known ? 'reselect' : 'answer');

export const ICSCF_RESTORATION_POLICIES = {
  'answer-failure': answerFailure,
  reselect,
} as const satisfies Record<string, IcscfRestorationPolicy>;

export type IcscfRestorationPolicyName = keyof typeof ICSCF_RESTORATION_POLICIES;
export const DEFAULT_ICSCF_RESTORATION_POLICY: IcscfRestorationPolicyName = 'answer-failure';
