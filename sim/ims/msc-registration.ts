import { hasSessions, mix32 } from './config.ts';
import { ImsTimer } from './ims-timer.ts';
import { CallKind, ImsSip, Party, Ruri, Shape, Via } from './sip-message.ts';
import { regFromTag } from './tags.ts';
import {
  MscShell,
  MscState,
  SubState,
  DEREG_PENDING,
  REATTACH,
  PROC_REG,
  PROC_REREG,
  PROC_DEREG,
  REFRESH,
  refreshAfter,
} from './msc-shell.ts';

/**
 * The MSC's registration part (TS 24.292 §6.3.3): the initial REGISTER on a CS subscriber's behalf,
 * the REGISTER every procedure sends (with expiry 0, every step of §6.3.6.2), and the refreshes of
 * the registrations it holds (one kernel timer over a DueQueue of due times).
 */
export abstract class MscRegistration extends MscShell {
  protected override startRegistration(sub: number): void {
    // Details kept after a failed deregistration (keep-until-expiry) give way to a fresh registration.
    if (this.st[sub] === MscState.Kept) this.clearRegistration(sub);
    if (this.st[sub] !== MscState.Idle) {
      // Back while its deregistration is under way: the reattach policy's (msc-deregistration.ts).
      if (this.reattachDuringDeregistration(sub)) return;
      this.signal('register.already', 1, sub);
      return;
    }
    this.flags[sub] &= ~REATTACH;
    this.tokenCounter++;
    this.regToken[sub] = (mix32(this.tokenCounter * 0x9e3779b1 + this.index * 0x85ebca77) | 1) >>> 0;
    this.regCseq[sub] = 1;
    this.subCseq[sub] = 0;
    this.st[sub] = MscState.Registering;
    this.registered++;
    this.procStart[sub] = this.now();
    this.procedureStarted(PROC_REG, sub);
    this.sendRegister(sub, this.askExpires, PROC_REG, undefined, this.regToken[sub], sub);
  }
  /**
   * A REGISTER on the subscriber's behalf (TS 24.292 §6.3.3; for expiry 0 every step of §6.3.6.2):
   */
  protected override sendRegister(sub: number, expiry: number, procedure: string, rules: readonly string[] | undefined, token: number, instance: number): number {
    const m = new ImsSip(this.ctx, sub, 'REGISTER', Shape.Register);
    // 24.292:6.3.6.2/1 — Request-URI: the SIP URI of the home network's domain name.
    m.ruri = Ruri.Home;
    // 24.292:6.3.6.2/5 — Via: the MSC's own address in sent-by.
    m.via = new Via(this.index, this.stack.nextBranch(), this.tcpTo(this.icscf), null);
    m.maxForwards = 70;
    // 24.292:6.3.6.2/2 — From: the public user identity (the temporary one, TS 23.003 §20.3).
    m.fromParty = Party.Public;
    m.fromTag = regFromTag(token);
    // 24.292:6.3.6.2/3 — To: the same public user identity.
    m.toParty = Party.Public;
    // 24.292:6.3.6.2/7 (via §6.3.3 and RFC 3261 §10.2) — the registration's Call-ID, CSeq + 1.
    m.callKind = CallKind.Registration;
    m.callToken = token;
    m.callHost = this.index;
    m.cseq = this.regCseq[sub];
    // 24.292:6.3.6.2/4 — Contact: the MSC's address and the +sip.instance used at registration.
    m.contactNode = this.index;
    m.contactInstance = instance;
    m.contactIcs = true;
    // 24.292:6.3.6.2/6 — the expiry (0 to deregister) in the Expires header or the Contact parameter.
    if (this.p.expiresIn === 'header') m.expires = expiry;
    else m.contactExpires = expiry;
    // §6.3.3 / TS 24.229 §5.4.1.2.2: integrity-protected="auth-done", P-Visited-Network-ID.
    m.authDone = true;
    // 24.292:6.3.6.2/7 — "send the request as specified in subclause 6.3.3": to the I-CSCF.
    const sealed = m.seal(procedure, rules);
    this.stack.request(sealed, this.icscf, sub);
    return sealed.bytes;
  }
  protected override onRegisterResponse(r: ImsSip): void {
    const sub = r.sub;
    const st = this.st[sub];
    if (r.status < 200) return;
    const ok = r.status < 300;
    switch (st) {
      case MscState.Registering: {
        if (!ok) {
          this.st[sub] = MscState.Idle;
          this.registered--;
          this.procedureEnded(PROC_REG, sub, this.procStart[sub], 'failed');
          this.flags[sub] = 0;
          return;
        }
        this.st[sub] = MscState.Registered;
        this.route[sub] = r.serviceRoute;
        this.procedureEnded(PROC_REG, sub, this.procStart[sub], 'completed');
        this.scheduleRefresh(sub, r.contactExpires >= 0 ? r.contactExpires : this.p.expires);
        this.views.recheck(sub);
        if (this.flags[sub] & DEREG_PENDING) return this.deregPending(sub);
        if (this.p.subscribeRegEvent && this.route[sub] >= 0) this.sendSubscribe(sub, false);
        if (hasSessions(this.env.cfg, sub)) this.scheduleSelf(this.p.sessionSetupAfter, new ImsTimer('sessions', sub));
        return;
      }
      case MscState.Refreshing: {
        if (!ok) {
          // The refresh failed — unless the subscriber left meanwhile (the binding may well still be
          // there: deregister it), the refreshFailure policy decides.
          this.signal('refresh.failed', 1, sub);
          if (this.flags[sub] & DEREG_PENDING) {
            this.st[sub] = MscState.Registered;
            return this.deregPending(sub);
          }
          return this.refreshFailed(sub, r);
        }
        this.attempts[sub] = 0;
        this.st[sub] = MscState.Registered;
        // TS 24.229 §5.1.1.4.1 [R]: each 200 OK's Service-Route replaces the stored one — another
        // S-CSCF may have taken the registration over (I-CSCF re-selection, TS 23.380).
        if (r.serviceRoute >= 0) this.route[sub] = r.serviceRoute;
        this.scheduleRefresh(sub, r.contactExpires >= 0 ? r.contactExpires : this.p.expires);
        if (this.flags[sub] & DEREG_PENDING) return this.deregPending(sub);
        if (this.subSt[sub] === SubState.Active) this.sendSubscribe(sub, true);
        return;
      }
      case MscState.Deregistering:
        if (ok) {
          // 24.292:6.3.6.2/on-200 — "remove all registration details relating to this public user identity".
          this.clearRegistration(sub);
          this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'completed');
          this.deregistrationOver(sub);
        } else this.deregFailed(sub, r.status, r.shape === Shape.Overload ? r.expires : undefined);
        return;
    }
  }
  /** A refresh with no 200 OK: the refreshFailure policy's (sim/policies/msc-refresh-failure.ts; the spec is silent). */
  protected override refreshFailed(sub: number, r: ImsSip): void {
    const now = this.now();
    const attempt = ++this.attempts[sub];
    const d = this.refreshPolicy(
      {
        status: r.status,
        attempt,
        retryAfterSeconds: r.shape === Shape.Overload ? r.expires : undefined,
        minExpiresSeconds: r.shape === Shape.TooBrief ? r.expires : undefined,
        remainingNs: this.expiresAt[sub] - now,
      },
      this.p.refreshRetry ?? this.p.deregRetry,
    );
    switch (d.action) {
      case 'drop':
        this.signal('refresh.dropped', 1, sub);
        this.clearRegistration(sub);
        return;
      case 'retry':
        // RFC 3261 §10.2.8: a 423's Min-Expires is the registrar's, so every later REGISTER asks for it.
        if (d.expires !== undefined && d.expires > this.askExpires) this.askExpires = d.expires;
        this.st[sub] = MscState.Registered;
        this.signal('refresh.retry', 1, sub);
        this.refresh.set(sub, now + Math.max(0, Math.round(d.delayNs)));
        this.armRefresh();
        return;
      case 'reregister':
        this.signal('refresh.reregister', 1, sub);
        this.clearRegistration(sub);
        this.scheduleSelf(Math.max(0, Math.round(d.delayNs)), new ImsTimer('reregister', sub));
        return;
      case 'hold':
        // Kept, not refreshed, until the registration would have expired (refreshDue forgets it then).
        this.signal('refresh.held', 1, sub);
        this.st[sub] = MscState.Kept;
        this.refresh.set(sub, Math.max(now, this.expiresAt[sub]));
        this.armRefresh();
        this.views.recheck(sub);
        return;
    }
  }
  protected override scheduleRefresh(sub: number, granted: number): void {
    const now = this.now();
    this.expiresAt[sub] = now + granted * 1e9;
    this.refresh.set(sub, now + refreshAfter(granted) * 1e9);
    this.armRefresh();
  }
  protected override armRefresh(): void {
    const t = this.refresh.peekTime();
    if (t === Infinity || t >= this.refreshTimerAt) return;
    if (this.refreshTimer) this.cancel(this.refreshTimer);
    this.refreshTimerAt = t;
    this.refreshTimer = this.scheduleSelf(Math.max(0, t - this.now()), REFRESH);
  }
  protected override refreshDue(): void {
    this.refreshTimer = undefined;
    this.refreshTimerAt = Infinity;
    const now = this.now();
    for (let s = this.refresh.popDue(now); s >= 0; s = this.refresh.popDue(now)) {
      const st = this.st[s];
      if (st === MscState.Kept) {
        // keep-until-expiry (or a refresh given up): the registration has now expired in the network too.
        this.signal(this.views.at[s] === this.index ? 'refresh.held-expired' : 'dereg.kept-expired', 1, s);
        this.clearRegistration(s);
        continue;
      }
      if (st !== MscState.Registered) continue;
      this.st[s] = MscState.Refreshing;
      this.regCseq[s]++;
      const bytes = this.sendRegister(s, this.askExpires, PROC_REREG, undefined, this.regToken[s], s);
      // Refreshing a registration kept for a subscriber who left (keep-and-report) is the policy's cost.
      if (this.views.at[s] !== this.index) this.overhead(s, bytes);
    }
    this.armRefresh();
  }
}
