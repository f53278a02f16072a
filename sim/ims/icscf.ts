import type { Ns } from '../kernel/time.ts';
import type { NodeContext } from '../node/node.ts';
import { CxCommand, CxMessage, DIAMETER_TOO_BUSY, UserAuthorizationType } from './cx.ts';
import { ImsNode, type ImsEnv } from './ims-node.ts';
import { regToTag } from './tags.ts';
import { RULE } from './rule-ids.ts';
import { Shape, type ImsSip } from './sip-message.ts';
import { respond, requestOf, type ClientTransaction, type ServerTransaction } from './sip-stack.ts';

export interface IcscfParams {
  hss: string;
  /** S-CSCFs this I-CSCF may assign on a first registration (chosen by subscriber id modulo their number). */
  scscfs: string[];
  /** How long to wait for a UAA before answering 480 (REFERENCE §2: HSS unreachable → 480). */
  cxTimeout: Ns;
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

  constructor(id: string, nctx: NodeContext, p: IcscfParams, env: ImsEnv) {
    super(id, nctx, env);
    this.p = p;
    this.cxTimeout = p.cxTimeout;
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
    const uar = new CxMessage(this.ctx, req.sub, CxCommand.UserAuthorization, true);
    uar.sessionNode = this.index;
    uar.sessionHi = 1;
    uar.hopByHop = this.nextHopByHop();
    uar.sessionLo = uar.hopByHop;
    uar.endToEnd = uar.hopByHop;
    uar.origin = this.index;
    // 24.229:5.3.1.2/uar-type — "DE_REGISTRATION if the Expires … is zero, REGISTRATION otherwise".
    uar.authType = expiry === 0 ? UserAuthorizationType.DeRegistration : UserAuthorizationType.Registration;
    // The server transaction is the context: the REGISTER is its request.
    this.sendCx(uar.seal(req.procedure, UAR_RULES), this.hss, tx);
  }

  protected override onCxAnswer(ans: CxMessage, context: unknown): void {
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
    const fwd = req.forwardedBy(this.index, this.stack.nextBranch(), this.tcpTo(target));
    this.stack.request(fwd, target, tx);
  }

  protected override onCxTimeout(context: unknown): void {
    const tx = context as ServerTransaction;
    const req = requestOf(tx);
    this.answer(tx, req, 480, 'Temporarily Unavailable', regToTag(req.callToken));
  }

  /** The S-CSCF's answer: passed back to the MSC without our Via (RFC 3261 §16.7). */
  onResponse(r: ImsSip, ctx: ClientTransaction): void {
    if (r.status < 200) return; // provisional responses to REGISTER are not forwarded
    const tx = ctx.context as ServerTransaction;
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
    const tx = ctx.context as ServerTransaction;
    const req = requestOf(tx);
    this.answer(tx, req, 408, 'Request Timeout', regToTag(req.callToken));
  }
}

