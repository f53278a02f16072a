/**
 * TS 24.292 §6.3.6.2: "Prior to sending a REGISTER request for deregistration, the MSC Server
 * enhanced for ICS shall release all IMS dialogs related to the public user identity …". The MSC
 * sends a BYE per dialog; how long it waits for their answers before the REGISTER leaves is not
 * said. A BYE's transaction ends by itself at the latest after Timer F (64·T1, 32 s by default),
 * and RFC 3261 §15.1.1 takes the dialog as over then, answered or not — but a far end that does
 * not answer then holds the deregistration (and the stale IMS registration) for those 32 s.
 *
 * Pure decision: the longest the MSC waits for the BYEs' final answers, in ns.
 */
export interface ByeRelease {
  /** MSC params `byeWaitCap`: the cap of the capped policy, ns. */
  capNs: number;
}

/** ns; Infinity = until every BYE transaction has ended (answered or timed out). */
export type ByeReleasePolicy = (p: ByeRelease) => number;

/**
 * The default, 'wait': the REGISTER leaves when every BYE has its final answer or its transaction
 * timed out. The literal reading: the dialogs are released (terminated, RFC 3261 §15.1.1) before
 * the REGISTER; the price is up to Timer F of delay when a far end is silent.
 */
export const waitForAnswers: ByeReleasePolicy = () => Infinity;

/**
 * 'wait-capped': wait for the answers, but at most `byeWaitCap`; then send the REGISTER anyway
 * (the BYE transactions run on; their answers change nothing). Bounds the delay a silent far end
 * causes; a deregistration sent at the cap fails the /pre rule for that subscriber.
 */
export const waitCapped: ByeReleasePolicy = (p) => p.capNs;

/**
 * 'proceed': send the BYEs and the REGISTER at once. RFC 3261 §15.1.1 lets the caller consider the
 * session terminated as soon as the BYE is passed to its transaction; the dialog, though, ends only
 * with the answer — so this reading fails the /pre rule whenever a BYE is in flight.
 */
export const proceed: ByeReleasePolicy = () => 0;

export const BYE_RELEASE_POLICIES = {
  wait: waitForAnswers,
  'wait-capped': waitCapped,
  proceed,
} as const satisfies Record<string, ByeReleasePolicy>;

export type ByeReleasePolicyName = keyof typeof BYE_RELEASE_POLICIES;
export const DEFAULT_BYE_RELEASE_POLICY: ByeReleasePolicyName = 'wait';
