import type { Ns } from '../kernel/time.ts';
import type { NodeContext } from '../node/node.ts';
import { MAX_DIALOGS_PER_SUBSCRIBER, hasSessions } from './config.ts';
import { ImsNode, type ImsEnv } from './ims-node.ts';
import { ImsTimer } from './ims-timer.ts';
import { Body, CallKind, ImsSip, Shape } from './sip-message.ts';
import { respond, type ClientTransaction, type ServerTransaction } from './sip-stack.ts';
import { calleeTag } from './tags.ts';

export interface FarEndParams {
  /** Time from the INVITE to the 200 OK (the callee "picks up"); 180 Ringing goes out at once. */
  answerAfter: Ns;
}

/**
 * The party at the other end of the subscribers' IMS sessions (a UAS standing for the remote
 * network and user): answers INVITE with 180 Ringing and, after `answerAfter`, 200 OK with an SDP
 * answer; answers BYE with 200 OK (481 if no such dialog). Per subscriber: one byte, the mask of
 * dialog slots established.
 */
export class FarEnd extends ImsNode {
  readonly dialogs: Uint8Array;
  private readonly ringing = new Map<number, { req: ImsSip; tx: ServerTransaction }>();
  private ringId = 0;

  constructor(
    id: string,
    nctx: NodeContext,
    private readonly p: FarEndParams,
    env: ImsEnv,
  ) {
    super(id, nctx, env);
    this.dialogs = new Uint8Array(env.population);
  }

  protected override onStart(): void {
    const cfg = this.env.cfg;
    if (cfg.preRegistered && this.served === 0) {
      const mask = (1 << Math.min(cfg.sessions.perSubscriber, MAX_DIALOGS_PER_SUBSCRIBER)) - 1;
      for (let s = 0; s < this.population; s++) if (hasSessions(cfg, s)) this.dialogs[s] = mask;
    }
  }

  protected override onCrash(): void {
    super.onCrash();
    this.ringing.clear();
  }

  onRequest(req: ImsSip, _from: number, tx: ServerTransaction | undefined): void {
    if (tx === undefined) return; // the ACK of our 2xx (the stack told the INVITE transaction)
    const slot = req.callKind - CallKind.Call;
    const tag = calleeTag(req.callToken);
    if (req.sub < 0 || req.sub >= this.population || slot < 0 || slot >= 8) {
      this.answer(tx, req, 404, 'Not Found', tag);
      return;
    }
    if (req.method === 'INVITE') {
      const r180 = req.response(180, 'Ringing', Shape.InviteResponse, tag);
      r180.contactNode = this.index;
      respond(tx, r180.seal(req.procedure, undefined));
      const id = ++this.ringId;
      this.ringing.set(id, { req, tx });
      this.scheduleSelf(this.p.answerAfter, new ImsTimer('answer', req.sub, id));
      return;
    }
    if (req.method === 'BYE') {
      const bit = 1 << slot;
      if ((this.dialogs[req.sub] & bit) === 0) {
        this.answer(tx, req, 481, 'Call/Transaction Does Not Exist', tag);
        return;
      }
      this.dialogs[req.sub] &= ~bit;
      this.signal('dialog.released', 1, req.sub);
      this.answer(tx, req, 200, 'OK', tag);
      return;
    }
    this.answer(tx, req, 405, 'Method Not Allowed', tag);
  }

  protected override onTimer(t: ImsTimer): void {
    if (t.kind !== 'answer') return;
    const r = this.ringing.get(t.arg);
    if (!r) return;
    this.ringing.delete(t.arg);
    const { req, tx } = r;
    const ok = req.response(200, 'OK', Shape.InviteResponse, calleeTag(req.callToken));
    ok.contactNode = this.index;
    ok.body = Body.SdpAnswer;
    this.dialogs[req.sub] |= 1 << (req.callKind - CallKind.Call);
    this.signal('dialog.established', 1, req.sub);
    respond(tx, ok.seal(req.procedure, undefined));
  }

  onResponse(_r: ImsSip, _tx: ClientTransaction): void {}
  onTimeout(_tx: ClientTransaction): void {}
}
