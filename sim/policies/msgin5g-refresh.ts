/**
 * Periodic re-registration (refresh) by the Message Gateway. TS 23.554 gives a Non-MSGin5G UE's
 * registration no lifetime and defines no way for the gateway to learn that the MSGin5G Server lost
 * its registrations (a restart with a volatile store); nothing in §8.2.3/§8.2.4/§8.2.X makes the two
 * views agree again. This is the named choice that does, at a price:
 *
 * - `interval: 0` (default): never; a UE's registration is sent once and trusted until de-registered.
 * - `interval: T`: every T (counted from the gateway's start), every UE the gateway believes
 *   registered — and not in a procedure — is registered again (§8.2.3, or bulked by the bulking
 *   policy). The server answers a refresh 200, or 201 when it had lost the UE, which repairs its view.
 *   Cost: one registration per registered UE per T, all at once (a storm every T: spreading them is
 *   not modelled). A view lost by the server stays wrong for at most T plus one registration.
 */
export interface RefreshPolicy {
  /** ns; 0 = off */
  interval: number;
}

export const DEFAULT_REFRESH: RefreshPolicy = { interval: 0 };

export function refreshEnabled(p: RefreshPolicy): boolean {
  return p.interval > 0;
}
