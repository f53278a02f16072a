import { mix32 } from './config.ts';

/**
 * Tokens and tags. A registration, a subscription and each dialog are identified by a 32-bit
 * token (rendered into the Call-ID); the From/To tags of each side are hashes of that token, so a
 * node that stores the token knows the tags without storing strings (DESIGN principle 5). Every
 * value is odd, so non-zero (0 means "no tag"): the emulation lab's stand-ins for a real peer's
 * Call-IDs and tags are even (sim/emulate/foreign-names.ts), and never meet one of the model's.
 */
export function regFromTag(regToken: number): number {
  return (mix32(regToken ^ 0x1b873593) | 1) >>> 0;
}
/** The registrar's To-tag in its answers to a registration's REGISTERs. */
export function regToTag(regToken: number): number {
  return (mix32(regToken ^ 0xe6546b64) | 1) >>> 0;
}
/** The reg-event subscription's token, derived from the registration it watches. */
export function subscriptionToken(regToken: number): number {
  return (mix32(regToken ^ 0x5bd1e995) | 1) >>> 0;
}
/** The subscriber's (MSC's) tag in the subscription dialog. */
export function subscriberTag(subToken: number): number {
  return (mix32(subToken ^ 0xcc9e2d51) | 1) >>> 0;
}
/** The notifier's (S-CSCF's) tag in the subscription dialog. */
export function notifierTag(subToken: number): number {
  return (mix32(subToken ^ 0x85ebca6b) | 1) >>> 0;
}
/** The token of dialog slot j of a registration. */
export function callToken(regToken: number, slot: number): number {
  return (mix32(regToken ^ Math.imul(slot + 1, 0x9e3779b9)) | 1) >>> 0;
}
export function callerTag(callTok: number): number {
  return (mix32(callTok ^ 0xc2b2ae35) | 1) >>> 0;
}
export function calleeTag(callTok: number): number {
  return (mix32(callTok ^ 0x27d4eb2f) | 1) >>> 0;
}
/** Registration token of a pre-registered subscriber (sizing scenarios): every node computes the same. */
export function preRegisteredToken(sub: number): number {
  return (mix32(Math.imul(sub, 2) + 0x2545f491) | 1) >>> 0;
}
