import { CallKind, ContactEvent, ImsSip, Ruri, Shape, Via } from './sip-message.ts';
import { type ServerTransaction } from './sip-stack.ts';
import { notifierTag, subscriberTag, subscriptionToken } from './tags.ts';
import { MscState, SubState, PROC_DEREG, PROC_SUB, NOTIFY_ANSWER_RULES, NOTIFY_EVENTS } from './msc-shell.ts';
import { MscRegistration } from './msc-registration.ts';

/**
 * The MSC's reg-event part (RFC 3680, TS 24.292 §6.3.3 [R]): the subscription to the reg event
 * package after registering, and the NOTIFYs — including those that end a registration while a
 * deregistration is under way and those for a subscription §6.3.6.2 considers cancelled (named policies).
 */
export abstract class MscRegEvent extends MscRegistration {
  protected override sendSubscribe(sub: number, refresh: boolean): void {
    const tok = subscriptionToken(this.regToken[sub]);
    const scscf = this.route[sub];
    const m = new ImsSip(this.ctx, sub, 'SUBSCRIBE', Shape.Subscribe);
    if (refresh) {
      m.ruri = Ruri.Node; // in-dialog: the remote target (the S-CSCF's Contact)
      m.ruriNode = scscf;
      m.toTag = notifierTag(tok);
    } else {
      m.ruri = Ruri.Public;
      m.routeNode = scscf; // Service-Route
      m.routeOrig = true;
      this.subSt[sub] = SubState.Subscribing;
    }
    m.via = new Via(this.index, this.stack.nextBranch(), this.tcpTo(scscf), null);
    m.maxForwards = 70;
    m.fromTag = subscriberTag(tok);
    m.callKind = CallKind.Subscription;
    m.callToken = tok;
    m.callHost = this.index;
    m.cseq = ++this.subCseq[sub];
    m.contactNode = this.index;
    m.event = true;
    m.expires = this.p.expires;
    this.stack.request(m.seal(PROC_SUB, undefined), scscf, sub);
  }
  protected override onSubscribeResponse(r: ImsSip): void {
    const sub = r.sub;
    if (r.status < 200 || r.callToken !== subscriptionToken(this.regToken[sub])) return;
    if (this.subSt[sub] === SubState.Cancelled) return;
    this.subSt[sub] = r.status < 300 ? SubState.Active : SubState.None;
  }
  protected override onNotify(req: ImsSip, tx: ServerTransaction): void {
    const sub = req.sub;
    const s = this.subSt[sub];
    const mine = (s === SubState.Active || s === SubState.Subscribing) && this.regToken[sub] !== 0 && req.callToken === subscriptionToken(this.regToken[sub]);
    if (!mine) {
      // 24.292:6.3.6.2/reg-event — the subscription is cancelled as if unsubscribed; the answer to a
      // NOTIFY that still arrives is the named policy's (docs/policies.md).
      const status = this.notifyPolicy({ subscriptionState: req.subTerminated ? 'terminated' : 'active' });
      this.signal('notify.after-cancel', 1, sub);
      this.answer(tx, req, status, status === 200 ? 'OK' : 'Call/Transaction Does Not Exist', subscriberTag(req.callToken), NOTIFY_ANSWER_RULES);
      this.notifyDuringDereg(req);
      return;
    }
    this.answer(tx, req, 200, 'OK', subscriberTag(req.callToken));
    if (req.subTerminated) this.subSt[sub] = SubState.None;
    else this.subSt[sub] = SubState.Active;
    if (this.st[sub] === MscState.Releasing) return this.notifyDuringDereg(req);
    // A network-initiated deregistration (RTR at the HSS, or the S-CSCF itself): the registration is gone.
    if (req.regTerminated && (this.st[sub] === MscState.Registered || this.st[sub] === MscState.Refreshing)) {
      this.signal('registration.removed-by-network', 1, sub);
      const again = req.contactEvent === ContactEvent.Deactivated;
      this.clearRegistration(sub);
      if (again) this.startRegistration(sub); // "deactivated": re-register (TS 24.229 §5.1.1.6)
    }
  }
  /**
   * A NOTIFY saying this MSC's own registration is gone, while its deregistration is under way
   * (releasing, REGISTER in flight, or waiting to retry): the spec is silent; the named policy
   * regEventDuringDereg decides whether it finishes the deregistration (docs/policies.md).
   */
  private notifyDuringDereg(req: ImsSip): void {
    const sub = req.sub;
    const st = this.st[sub];
    if (st < MscState.Releasing || st > MscState.RetryWait) return;
    if (!req.regTerminated || req.regContact !== this.index || req.bindToken !== this.regToken[sub]) return;
    const q = this.notifyInput;
    q.phase = st === MscState.Releasing ? 'releasing' : st === MscState.Deregistering ? 'deregistering' : 'retry-wait';
    q.event = NOTIFY_EVENTS[req.contactEvent] ?? 'other';
    if (this.duringDeregPolicy(q) !== 'finish') return;
    // As on a 200 OK (24.292:6.3.6.2/on-200): the answers still in flight find nothing to act on.
    this.signal('dereg.finished-by-notify', 1, sub);
    this.clearRegistration(sub);
    this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'completed');
    this.deregistrationOver(sub);
  }
}
