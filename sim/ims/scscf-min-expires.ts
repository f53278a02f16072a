import type { Ns } from '../kernel/time.ts';
import { Shape, type ImsSip } from './sip-message.ts';
import { respond, type ServerTransaction } from './sip-stack.ts';
import { regToTag } from './tags.ts';

/**
 * The S-CSCF's shortest registration (RFC 3261 §10.3 step 7): "If … the expiration interval is
 * shorter than the registrar's minimum, the registrar MUST respond with 423 (Interval Too Brief)
 * with a Min-Expires header field" (Kamailio's `registrar` / `ims_registrar_scscf` parameter
 * `min_expires`, default 60 s). `minExpiresFrom` lets a scenario raise it in the middle of a run —
 * an operator's configuration change — so that refreshes of registrations made before meet it
 * (the question of issue 13 item 10). Off the hot path: one comparison per REGISTER.
 */
export interface MinExpiresParams {
  /** Seconds; 0 = no minimum. */
  minExpires: number;
  /** From when it applies (ns of simulated time). */
  minExpiresFrom: Ns;
}

/** Whether a REGISTER asking for `expiry` seconds (0: a deregistration, never refused) is too brief at `now`. */
export function intervalTooBrief(expiry: number, now: Ns, p: MinExpiresParams): boolean {
  return expiry > 0 && expiry < p.minExpires && now >= p.minExpiresFrom;
}

/** 423 Interval Too Brief with Min-Expires (RFC 3261 §10.3 step 7, §20.23). */
export function answerTooBrief(req: ImsSip, tx: ServerTransaction, minExpires: number): void {
  const r = req.response(423, 'Interval Too Brief', Shape.TooBrief, regToTag(req.callToken));
  r.expires = minExpires;
  respond(tx, r.seal(req.procedure, undefined));
}
