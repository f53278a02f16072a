import { MAX_DIALOGS_PER_SUBSCRIBER } from './config.ts';
import { Body, CallKind, ImsSip, Party, Ruri, Shape, Via } from './sip-message.ts';
import { type ClientTransaction } from './sip-stack.ts';
import { callToken, calleeTag, callerTag } from './tags.ts';
import { MscState, PROC_DEREG, PROC_CALL, BYE_RULES, callingIdentity } from './msc-shell.ts';
import { MscRegEvent } from './msc-reg-event.ts';

/**
 * The MSC's session part: the subscribers' IMS dialogs (INVITE, ACK, BYE), set up after registering
 * or on a workload `call`, and released by BYE before a deregistration (24.292:6.3.6.2/pre).
 */
export abstract class MscSessions extends MscRegEvent {
  protected override setupSessions(sub: number): void {
    if (this.st[sub] !== MscState.Registered) return;
    const n = Math.min(this.env.cfg.sessions.perSubscriber, MAX_DIALOGS_PER_SUBSCRIBER);
    for (let slot = 0; slot < n; slot++) this.sendInvite(sub, slot);
  }
  protected override startCall(sub: number): void {
    if (this.st[sub] !== MscState.Registered) {
      this.signal('call.not-registered', 1, sub);
      return;
    }
    const busy = this.calls[sub] | this.inviting[sub];
    for (let slot = 0; slot < MAX_DIALOGS_PER_SUBSCRIBER; slot++) {
      if ((busy & (1 << slot)) === 0) return this.sendInvite(sub, slot);
    }
    this.signal('call.no-free-slot', 1, sub);
  }
  /** An INVITE for dialog slot `slot`, from identity slot mod |implicit set|, via the S-CSCF (Service-Route). */
  private sendInvite(sub: number, slot: number): void {
    const bit = 1 << slot;
    if ((this.calls[sub] | this.inviting[sub]) & bit) return;
    const scscf = this.route[sub];
    const tok = callToken(this.regToken[sub], slot);
    const m = new ImsSip(this.ctx, sub, 'INVITE', Shape.Invite);
    m.ruri = Ruri.Far;
    m.via = new Via(this.index, this.stack.nextBranch(), this.tcpTo(scscf), null);
    m.maxForwards = 70;
    m.routeNode = scscf;
    m.routeOrig = true;
    m.fromK = callingIdentity(slot, this.ctx.ids.implicitSet);
    m.fromTag = callerTag(tok);
    m.toParty = Party.Far;
    m.callKind = CallKind.Call + slot;
    m.callToken = tok;
    m.callHost = this.index;
    m.cseq = 1;
    m.contactNode = this.index;
    m.body = Body.SdpOffer;
    // TS 24.292 §7.3.2 / TS 24.229 §5.4.3.2: the MSC (trusted) asserts the calling identity.
    m.assertedIdentity = true;
    this.inviting[sub] |= bit;
    this.procedureStarted(PROC_CALL, sub);
    this.stack.request(m.seal(PROC_CALL, undefined), scscf, this.now());
  }
  protected override onInviteResponse(r: ImsSip, tx: ClientTransaction): void {
    const sub = r.sub;
    const slot = r.callKind - CallKind.Call;
    const bit = 1 << slot;
    if (r.status < 200) return;
    if (r.status >= 300) {
      this.inviting[sub] &= ~bit;
      this.procedureEnded(PROC_CALL, sub, tx.context as number, 'failed');
      this.maybeDeregisterAfterRelease(sub);
      return;
    }
    const first = (this.inviting[sub] & bit) !== 0;
    // RFC 3261 §13.2.2.4: the ACK of a 2xx, end to end along the route set (Record-Route).
    const ack = new ImsSip(this.ctx, sub, 'ACK', Shape.Ack);
    ack.ruri = Ruri.Node;
    ack.ruriNode = r.contactNode >= 0 ? r.contactNode : this.farEnd;
    ack.via = new Via(this.index, this.stack.nextBranch(), this.tcpTo(r.recordRoute >= 0 ? r.recordRoute : this.route[sub]), null);
    ack.maxForwards = 70;
    ack.routeNode = r.recordRoute;
    ack.fromK = r.fromK;
    ack.fromTag = r.fromTag;
    ack.toParty = Party.Far;
    ack.toTag = r.toTag;
    ack.callKind = r.callKind;
    ack.callToken = r.callToken;
    ack.callHost = r.callHost;
    ack.cseq = r.cseq;
    this.stack.sendDirect(ack.seal(PROC_CALL, undefined), r.recordRoute >= 0 ? r.recordRoute : this.route[sub]);
    if (!first) return; // a retransmitted 2xx: acknowledged again, nothing else
    this.inviting[sub] &= ~bit;
    this.calls[sub] |= bit;
    this.signal('dialog.established', 1, sub);
    this.procedureEnded(PROC_CALL, sub, tx.context as number, 'completed');
    // A deregistration waiting for this INVITE releases the new dialog at once.
    if (this.st[sub] === MscState.Releasing) this.sendBye(sub, slot);
  }
  /** A BYE for dialog slot `slot` (24.292:6.3.6.2/pre — the dialogs go before the deregistration). */
  protected override sendBye(sub: number, slot: number): void {
    const scscf = this.route[sub];
    const tok = callToken(this.regToken[sub], slot);
    const m = new ImsSip(this.ctx, sub, 'BYE', Shape.Bye);
    m.ruri = Ruri.Node;
    m.ruriNode = this.farEnd;
    m.via = new Via(this.index, this.stack.nextBranch(), this.tcpTo(scscf), null);
    m.maxForwards = 70;
    m.routeNode = scscf; // the route set: the S-CSCF's Record-Route
    m.fromK = callingIdentity(slot, this.ctx.ids.implicitSet);
    m.fromTag = callerTag(tok);
    m.toParty = Party.Far;
    m.toTag = calleeTag(tok);
    m.callKind = CallKind.Call + slot;
    m.callToken = tok;
    m.callHost = this.index;
    m.cseq = 2;
    m.assertedIdentity = true; // TS 24.229 §5.4.5.1.2 / TS 24.292: the served user's asserted identity
    this.byes[sub]++;
    this.stack.request(m.seal(PROC_DEREG, BYE_RULES), scscf, sub);
  }
  protected override onByeResponse(r: ImsSip): void {
    if (r.status < 200) return;
    this.byeDone(r.sub, r.callKind - CallKind.Call);
  }
  protected override byeDone(sub: number, slot: number): void {
    // Answered (2xx or error) or timed out: the dialog is over either way (RFC 3261 §15.1.1).
    this.calls[sub] &= ~(1 << slot);
    if (this.byes[sub] > 0) this.byes[sub]--;
    this.signal('dialog.released', 1, sub);
    this.maybeDeregisterAfterRelease(sub);
  }
  protected override maybeDeregisterAfterRelease(sub: number): void {
    if (this.st[sub] === MscState.Releasing && this.byes[sub] === 0 && this.inviting[sub] === 0 && this.calls[sub] === 0) this.sendDeregister(sub);
  }
}
