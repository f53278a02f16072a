import type { Ns } from '../kernel/time.ts';
import type { Timer } from '../kernel/clock.ts';
import type { NodeContext } from '../node/node.ts';
import { CxCommand, CxMessage, DIAMETER_TOO_BUSY, UserAuthorizationType } from './cx.ts';
import { ImsNode, type ImsEnv } from './ims-node.ts';
import { regToTag } from './tags.ts';
import { RULE } from './rule-ids.ts';
import { Shape, type ImsSip } from './sip-message.ts';
import { respond, requestOf, type ClientTransaction, type ServerTransaction } from './sip-stack.ts';
import { ImsTimer } from './ims-timer.ts';
import { DEFAULT_ICSCF_RESTORATION_POLICY, ICSCF_RESTORATION_POLICIES, type IcscfRestorationPolicy, type IcscfRestorationPolicyName } from '../policies/icscf-restoration.ts';

export interface IcscfParams {
  hss: string;
  /** S-CSCFs this I-CSCF may assign on a first registration (chosen by subscriber id modulo their number). */
  scscfs: string[];
  /** How long to wait for a UAA before answering 480 (REFERENCE §2: HSS unreachable → 480). */
  cxTimeout: Ns;
  /** The S-CSCF the HSS names does not serve a REGISTER (sim/policies/icscf-restoration.ts). */
  restoration?: IcscfRestorationPolicyName;
  /**
   * Under 'reselect': how long a forwarded REGISTER may go unanswered before the S-CSCF counts as
   * failed (a proxy's own branch timer, as Kamailio's fr_timer); 0 = the transaction's Timer F.
   */
  scscfTimeout?: Ns;
}

/**
 * A REGISTER forwarded under the 'reselect' policy (allocated only then): the S-CSCFs tried, the
 * client transaction of the current try, and the no-answer timer (this object is the timer).
 */
class Forwarding extends ImsTimer {
  readonly tried: number[] = [];
  current: ClientTransaction | undefined = undefined;
  timer: Timer | undefined = undefined;
  done = false;
  constructor(readonly tx: ServerTransaction) {
    super('scscf-timeout', requestOf(tx).sub);
  }
}

const UAR_RULES = [RULE.uarType];

/**
 * The I-CSCF on the REGISTER path (TS 24.229 §5.3.1.2): for each REGISTER it asks the HSS which
 * S-CSCF serves the identity (Cx UAR/UAA), with User-Authorization-Type DE_REGISTRATION when the
 * expiry is zero, REGISTRATION otherwise; then forwards the REGISTER to that S-CSCF as a
 * transaction-stateful proxy and passes the answer back. A UAA error answers 403; no UAA in time
 * answers 480 (REFERENCE §2). It keeps no per-subscriber state.
 */
export class Icscf extends ImsNode {
  private hss = -1;
  private scscfs: number[] = [];
  private readonly p: IcscfParams;
  /** An injected error answers 480, as when the HSS cannot be reached (REFERENCE §2). */
  protected override errorStatus = 480;
  /** The 'reselect' policy, undefined under the default (nothing is allocated per REGISTER then). */
  private readonly reselect: IcscfRestorationPolicy | undefined;

  constructor(id: string, nctx: NodeContext, p: IcscfParams, env: ImsEnv) {
    super(id, nctx, env);
    this.p = p;
    this.cxTimeout = p.cxTimeout;
    const policy = p.restoration ?? DEFAULT_ICSCF_RESTORATION_POLICY;
    this.reselect = policy === DEFAULT_ICSCF_RESTORATION_POLICY ? undefined : ICSCF_RESTORATION_POLICIES[policy];
  }

  protected override onStart(): void {
    this.hss = this.env.indexOf(this.p.hss);
    this.scscfs = this.p.scscfs.map((s) => this.env.indexOf(s));
  }

  onRequest(req: ImsSip, _from: number, tx: ServerTransaction | undefined): void {
    if (tx === undefined) return; // an ACK: nothing routes through here
    if (req.method !== 'REGISTER') {
      this.answer(tx, req, 403, 'Forbidden', 0);
      return;
    }
    const expiry = req.expires >= 0 ? req.expires : req.contactExpires;
    // 24.229:5.3.1.2/uar-type — "DE_REGISTRATION if the Expires … is zero, REGISTRATION otherwise".
    const uar = this.newUar(req, expiry === 0 ? UserAuthorizationType.DeRegistration : UserAuthorizationType.Registration);
    // The server transaction is the context: the REGISTER is its request.
    this.sendCx(uar.seal(req.procedure, UAR_RULES), this.hss, tx);
  }

  /** A UAR for the REGISTER `req` (TS 29.228 §6.1.1), with fresh session and hop-by-hop ids. */
  private newUar(req: ImsSip, authType: number): CxMessage {
    const uar = new CxMessage(this.ctx, req.sub, CxCommand.UserAuthorization, true);
    uar.sessionNode = this.index;
    uar.sessionHi = 1;
    uar.hopByHop = this.nextHopByHop();
    uar.sessionLo = uar.hopByHop;
    uar.endToEnd = uar.hopByHop;
    uar.origin = this.index;
    uar.authType = authType;
    return uar;
  }

  protected override onCxAnswer(ans: CxMessage, context: unknown): void {
    if (this.reselect !== undefined && context instanceof Forwarding) return this.reselected(ans, context);
    const tx = context as ServerTransaction;
    const req = requestOf(tx);
    if (!ans.success) {
      this.signal('icscf.uaa-error', 1, req.sub);
      if (ans.resultCode === DIAMETER_TOO_BUSY) {
        // An HSS that cannot serve now is as good as unreachable: 480 (REFERENCE §2).
        this.answer(tx, req, 480, 'Temporarily Unavailable', regToTag(req.callToken));
        return;
      }
      // REFERENCE §2: UAA 5001/5002/5003/5004 → 403 Forbidden.
      this.answer(tx, req, 403, 'Forbidden', regToTag(req.callToken));
      return;
    }
    const target = ans.serverName >= 0 ? ans.serverName : this.scscfs[req.sub % this.scscfs.length];
    if (this.reselect !== undefined && (req.expires >= 0 ? req.expires : req.contactExpires) !== 0) {
      this.forward(new Forwarding(tx), target);
      return;
    }
    const fwd = req.forwardedBy(this.index, this.stack.nextBranch(), this.tcpTo(target));
    this.stack.request(fwd, target, tx);
  }

  // ---- S-CSCF re-selection (sim/policies/icscf-restoration.ts) ------------------------------------

  /** Forwards the REGISTER of `f` to `target`, timing the try when scscfTimeout says so. */
  private forward(f: Forwarding, target: number): void {
    const req = requestOf(f.tx);
    f.tried.push(target);
    f.current = this.stack.request(req.forwardedBy(this.index, this.stack.nextBranch(), this.tcpTo(target)), target, f);
    if (this.p.scscfTimeout) f.timer = this.scheduleSelf(this.p.scscfTimeout, f);
  }

  /** The current try of `f` failed with `status`: another S-CSCF, or the failure back to the MSC. */
  private failed(f: Forwarding, status: number, r: ImsSip | undefined): void {
    if (f.timer !== undefined) this.cancel(f.timer);
    f.timer = undefined;
    f.current = undefined;
    const req = requestOf(f.tx);
    if (this.reselect!({ status, tried: f.tried.length, known: this.scscfs.length }) === 'reselect') {
      // TS 29.228 §6.1.1 [R]: REGISTRATION_AND_CAPABILITIES when the stored S-CSCF cannot be contacted.
      this.signal('icscf.scscf-reselect', 1, req.sub);
      const uar = this.newUar(req, UserAuthorizationType.RegistrationAndCapabilities);
      this.sendCx(uar.seal(req.procedure, UAR_RULES), this.hss, f);
      return;
    }
    f.done = true;
    if (r !== undefined) this.passBack(r, f.tx);
    else this.answer(f.tx, req, 408, 'Request Timeout', regToTag(req.callToken));
  }

  /** The UAA to a re-selection's UAR: the S-CSCF it names if not tried yet, else the next untried one of the list. */
  private reselected(ans: CxMessage, f: Forwarding): void {
    const req = requestOf(f.tx);
    if (!ans.success) {
      f.done = true;
      this.answer(f.tx, req, 480, 'Temporarily Unavailable', regToTag(req.callToken));
      return;
    }
    let target = ans.serverName >= 0 && !f.tried.includes(ans.serverName) ? ans.serverName : -1;
    const n = this.scscfs.length;
    for (let k = 0; target < 0 && k < n; k++) {
      const s = this.scscfs[(req.sub + k) % n];
      if (!f.tried.includes(s)) target = s;
    }
    if (target < 0) {
      f.done = true;
      this.answer(f.tx, req, 408, 'Request Timeout', regToTag(req.callToken));
      return;
    }
    this.forward(f, target);
  }

  protected override onCxTimeout(context: unknown): void {
    if (context instanceof Forwarding) {
      context.done = true;
      const req = requestOf(context.tx);
      this.answer(context.tx, req, 480, 'Temporarily Unavailable', regToTag(req.callToken));
      return;
    }
    const tx = context as ServerTransaction;
    const req = requestOf(tx);
    this.answer(tx, req, 480, 'Temporarily Unavailable', regToTag(req.callToken));
  }

  /** scscfTimeout: the current try went unanswered for that long — the S-CSCF counts as failed. */
  protected override onTimer(t: ImsTimer): void {
    if (!(t instanceof Forwarding) || t.done) return;
    t.timer = undefined;
    this.signal('icscf.scscf-no-answer', 1, t.sub);
    this.failed(t, 408, undefined);
  }

  /** The S-CSCF's answer: passed back to the MSC without our Via (RFC 3261 §16.7). */
  onResponse(r: ImsSip, ctx: ClientTransaction): void {
    if (r.status < 200) return; // provisional responses to REGISTER are not forwarded
    const c = ctx.context;
    if (this.reselect !== undefined && c instanceof Forwarding) {
      // A try given up (its timer fired) answers late: the REGISTER has moved on without it.
      if (c.done || ctx !== c.current) return this.signal('icscf.late-answer', 1, r.sub);
      if (r.status === 408 || r.status >= 500) return this.failed(c, r.status, r);
      if (c.timer !== undefined) this.cancel(c.timer);
      c.done = true;
      return this.passBack(r, c.tx);
    }
    this.passBack(r, c as ServerTransaction);
  }

  /** A final answer to the MSC: the S-CSCF's, without our Via — a 503 turned into 500. */
  private passBack(r: ImsSip, tx: ServerTransaction): void {
    if (r.status === 503) {
      // RFC 3261 §16.7 step 6: a proxy does not pass a 503 upstream; it answers 500 itself — and
      // keeps the S-CSCF's Retry-After, which a 500 may carry (§21.5.1), so the MSC can honour it.
      const req = requestOf(tx);
      if (r.shape !== Shape.Overload) {
        this.answer(tx, req, 500, 'Server Internal Error', r.toTag);
        return;
      }
      const a = req.response(500, 'Server Internal Error', Shape.Overload, r.toTag);
      a.expires = r.expires;
      respond(tx, a.seal(req.procedure, undefined));
      return;
    }
    respond(tx, r.relayedBack());
  }

  /** Timer F at the proxy: the REGISTER found no S-CSCF answer; 408 back (RFC 3261 §16.7 step 6). */
  onTimeout(ctx: ClientTransaction): void {
    const c = ctx.context;
    if (this.reselect !== undefined && c instanceof Forwarding) {
      if (!c.done && ctx === c.current) this.failed(c, 408, undefined);
      return;
    }
    const tx = c as ServerTransaction;
    const req = requestOf(tx);
    this.answer(tx, req, 408, 'Request Timeout', regToTag(req.callToken));
  }
}

