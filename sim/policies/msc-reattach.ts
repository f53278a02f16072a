/**
 * An attach (or location update) for a subscriber whose deregistration is still under way at this
 * MSC — the subscriber detached and came straight back (an IMSI detach 20 ms before a re-attach,
 * a flapping radio link). TS 24.292 §6.3.6.2 describes the deregistration alone and §6.3.3 the
 * registration alone; what an MSC does when the second indication arrives before the first
 * procedure is over is not specified: our choice, as a pure decision (DESIGN principle 4).
 *
 * What the model's facts imply for each answer:
 * - RFC 3261 §9.1: a CANCEL of a non-INVITE request (a REGISTER) is pointless — the registrar
 *   answers at once — so a deregistration REGISTER already sent cannot be called back; it will
 *   remove the binding.
 * - RFC 3261 §10.3 step 7: with the same Call-ID, a REGISTER with a higher CSeq wins over one with
 *   a lower CSeq whatever the order they arrive in (the lower one is refused with 500), so a new
 *   REGISTER sent at once, in the same Call-ID, cannot be undone by the deregistration still in
 *   flight — it either follows it (re-creating the binding) or overtakes it (and the late
 *   deregistration is refused).
 */

/** How far the deregistration had got when the attach arrived. */
export type ReattachPhase =
  /** The detach arrived while a REGISTER (initial or refresh) was in flight: the deregistration waits for its answer. */
  | 'pending'
  /** Releasing the IMS dialogs (BYEs out), the REGISTER with expiry 0 not sent yet. */
  | 'releasing'
  /** The REGISTER with expiry 0 is in flight. */
  | 'deregistering'
  /** It failed and the deregFailure policy waits to retry. */
  | 'retry-wait';

/**
 * - `drop`: ignore the attach (signal `register.already`): the deregistration completes and the
 *   subscriber, who is here, stays unregistered in IMS until something else registers it.
 * - `queue`: let the deregistration finish (200 OK or whatever the deregFailure policy makes of a
 *   failure), then register anew (fresh Call-ID, SUBSCRIBE again).
 * - `resume`: abandon the deregistration and keep the registration as it stands (the binding was
 *   never touched: nothing is sent; the registration is refreshed on its usual schedule).
 * - `register-now`: abandon the deregistration and send a REGISTER at once in the registration's
 *   Call-ID with the next CSeq (then SUBSCRIBE again).
 */
export type ReattachDecision = 'drop' | 'queue' | 'resume' | 'register-now';

export type ReattachPolicy = (phase: ReattachPhase) => ReattachDecision;

/** 'drop' — the model's behaviour before this policy existed (the attach is lost). */
export const drop: ReattachPolicy = () => 'drop';

/**
 * The default, 'queue': serialise the two procedures — the deregistration §6.3.6.2 started runs
 * to its end, then §6.3.3 registers the subscriber. Never two REGISTERs of one subscriber in
 * flight; the price is the subscriber's unreachable time: from the binding's removal until the
 * new registration's SAR, at least one REGISTER round trip after the deregistration's.
 */
export const queue: ReattachPolicy = () => 'queue';

/**
 * 'cancel': call the deregistration off where that is still possible — before its REGISTER leaves
 * (pending, releasing) the binding stands untouched, so nothing needs sending; once sent it cannot
 * be called back (RFC 3261 §9.1) and the attach queues; after a failed attempt (retry-wait) the
 * binding may or may not be there, so the registration is refreshed at once.
 */
export const cancel: ReattachPolicy = (phase) => (phase === 'deregistering' ? 'queue' : phase === 'retry-wait' ? 'register-now' : 'resume');

/**
 * 'supersede': whatever the phase, the attach wins at once — a REGISTER now in the same Call-ID
 * with the next CSeq (RFC 3261 §10.3 step 7 orders it after the deregistration); only a detach
 * still pending behind an in-flight REGISTER is simply forgotten (that REGISTER is the registration).
 */
export const supersede: ReattachPolicy = (phase) => (phase === 'pending' ? 'resume' : 'register-now');

export const REATTACH_POLICIES = {
  drop,
  queue,
  cancel,
  supersede,
} as const satisfies Record<string, ReattachPolicy>;

export type ReattachPolicyName = keyof typeof REATTACH_POLICIES;
export const DEFAULT_REATTACH_POLICY: ReattachPolicyName = 'queue';
