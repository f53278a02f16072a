/**
 * How the MSGin5G Server authenticates Non-MSGin5G UEs registered through a Message Gateway
 * (TS 23.554 §8.2.4 step 3 "may initiate authentication procedures with the Message Gateway on
 * behalf of the Non-MSGin5G Client", §8.2.X step 3, Editor's note: security of bulk is FFS;
 * TS 33.501 Annex Y: a trusted gateway means no per-UE challenge).
 *
 * - `trusted-gateway` (default): the gateway authenticates itself on every request (its bearer
 *   token on the secured connection); the server checks each entry's UE credential information
 *   locally — per-entry work, no extra messages.
 * - `per-ue`: for every entry (registration and de-registration) the server runs one
 *   challenge/response round trip with the gateway on the UE's behalf before deciding that entry:
 *   two more messages per UE, whatever the bulk size — what a researcher studying per-UE cost wants.
 */
export type AuthenticationPolicy = 'trusted-gateway' | 'per-ue';

export const DEFAULT_AUTHENTICATION: AuthenticationPolicy = 'trusted-gateway';

/** Whether the server challenges each UE with a round trip to the gateway. */
export function perUeRoundTrip(p: AuthenticationPolicy): boolean {
  return p === 'per-ue';
}
