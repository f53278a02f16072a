import { MAX_DIALOGS_PER_SUBSCRIBER, mix32 } from './config.ts';
import { ImsTimer } from './ims-timer.ts';
import { DEREGISTER_RULES } from './rule-ids.ts';
import { MscState, SubState, DEREG_PENDING, REATTACH, TRIGGER_SIGNALS, PROC_DEREG, SWEEP, refreshAfter } from './msc-shell.ts';
import type { ReattachPhase } from '../policies/msc-reattach.ts';
import { MscSessions } from './msc-sessions.ts';

/**
 * The MSC's deregistration part (TS 24.292 §6.3.6.2): on any indication that the subscriber is no
 * longer active here, release its dialogs, then REGISTER with expiry 0; what happens when that gets no
 * 200 OK is the deregFailure policy's (FFS in the spec); the maintenance / restart sweep deregisters
 * everyone registered here, paced over an interval.
 */
export abstract class MscDeregistration extends MscSessions {
  /** "upon receipt of any indication that the subscriber is no longer active at this MSC Server". */
  protected override startDeregistration(sub: number, reason: number): void {
    switch (this.st[sub]) {
      case MscState.Idle:
        this.signal('dereg.not-registered', 1, sub);
        break;
      case MscState.Registering:
      case MscState.Refreshing:
        // A REGISTER is in flight: deregister once it is answered.
        this.flags[sub] |= DEREG_PENDING;
        this.reason[sub] = reason;
        break;
      case MscState.Registered:
      case MscState.Kept:
        // (Kept: a new indication for details kept after a failed deregistration: try again.)
        this.reason[sub] = reason;
        this.beginDeregistration(sub);
        break;
      default:
        this.signal('dereg.already-running', 1, sub);
        break;
    }
    // The subscriber is no longer here (views.ts: stale bindings and orphaned state count from now).
    this.views.left(sub, this.index);
  }
  protected override deregPending(sub: number): void {
    this.flags[sub] &= ~DEREG_PENDING;
    this.beginDeregistration(sub);
  }
  private beginDeregistration(sub: number): void {
    this.procStart[sub] = this.now();
    this.attempts[sub] = 0;
    this.signal(TRIGGER_SIGNALS[this.reason[sub]] ?? 'dereg.trigger.other', 1, sub);
    this.procedureStarted(PROC_DEREG, sub);
    this.refresh.clear(sub);
    const calls = this.calls[sub];
    if (calls === 0 && this.inviting[sub] === 0) {
      this.sendDeregister(sub);
      return;
    }
    // 24.292:6.3.6.2/pre — "Prior to sending a REGISTER request for deregistration, the MSC Server
    // enhanced for ICS shall release all IMS dialogs related to the public user identity … or to one
    // of the implicitly registered public user identities": a BYE per dialog, and wait for the answers.
    this.st[sub] = MscState.Releasing;
    for (let slot = 0; slot < MAX_DIALOGS_PER_SUBSCRIBER; slot++) if (calls & (1 << slot)) this.sendBye(sub, slot);
    if (this.p.testMutation === 'register-before-bye-answers') this.sendDeregister(sub);
    // How long the BYEs may hold the REGISTER back: the byeRelease policy (docs/policies.md).
    else if (this.byeWait === 0) this.sendDeregister(sub);
    else if (this.byeWait !== Infinity && this.st[sub] === MscState.Releasing) this.scheduleSelf(this.byeWait, new ImsTimer('bye-cap', sub, this.procStart[sub]));
  }
  protected override sendDeregister(sub: number): void {
    this.st[sub] = MscState.Deregistering;
    this.attempts[sub]++;
    // RFC 3261 §10.2 — same Call-ID, CSeq one higher than the last REGISTER of the binding.
    this.regCseq[sub]++;
    // 24.292:6.3.6.2/reg-event — the subscription is considered cancelled; no unsubscribe is sent.
    if (this.subSt[sub] !== SubState.None) this.subSt[sub] = SubState.Cancelled;
    const mut = this.p.testMutation;
    const token = mut === 'fresh-call-id' ? (mix32(this.regToken[sub] ^ 0xdeadbeef) | 1) >>> 0 : this.regToken[sub];
    const instance = mut === 'no-instance' ? -1 : sub;
    const bytes = this.sendRegister(sub, 0, PROC_DEREG, DEREGISTER_RULES, token, instance);
    if (this.attempts[sub] > 1) this.overhead(sub, bytes);
  }
  /** No 200 OK to the deregistration: TS 24.292 leaves it FFS; the named policy decides. */
  protected override deregFailed(sub: number, status: number, retryAfterSeconds?: number): void {
    this.signal(
      status === 408
        ? 'dereg.failed-408'
        : status === 403
          ? 'dereg.failed-403'
          : status === 480
            ? 'dereg.failed-480'
            : status === 500
              ? 'dereg.failed-500'
              : status === 503
                ? 'dereg.failed-503'
                : 'dereg.failed-other',
      1,
      sub,
    );
    const d = this.deregPolicy({ status, attempt: this.attempts[sub], retryAfterSeconds }, this.p.deregRetry);
    switch (d.action) {
      case 'clear':
        this.clearRegistration(sub);
        this.signal('dereg.cleared-locally', 1, sub);
        this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'failed');
        this.deregistrationOver(sub);
        return;
      case 'retry':
        this.st[sub] = MscState.RetryWait;
        this.signal('dereg.retry', 1, sub);
        this.scheduleSelf(Math.max(0, Math.round(d.delayNs)), new ImsTimer('dereg-retry', sub));
        return;
      case 'keep':
        this.st[sub] = MscState.Registered;
        this.signal('dereg.kept', 1, sub);
        this.scheduleRefresh(sub, this.p.expires);
        this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'failed');
        this.views.recheck(sub);
        this.deregistrationOver(sub);
        return;
      case 'hold':
        // Kept, not acted on, until the registration would have expired (refreshDue clears it then).
        this.st[sub] = MscState.Kept;
        this.signal('dereg.kept-until-expiry', 1, sub);
        this.refresh.set(sub, Math.max(this.now(), this.expiresAt[sub]));
        this.armRefresh();
        this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'failed');
        this.views.recheck(sub);
        this.deregistrationOver(sub);
        return;
    }
  }

  /**
   * An attach for a subscriber whose deregistration is under way (or pending behind a REGISTER in
   * flight): the reattach policy decides (sim/policies/msc-reattach.ts; the spec is silent).
   * Returns false when no deregistration is under way (the caller reports `register.already`).
   */
  protected override reattachDuringDeregistration(sub: number): boolean {
    const st = this.st[sub];
    let phase: ReattachPhase;
    if (st === MscState.Releasing) phase = 'releasing';
    else if (st === MscState.Deregistering) phase = 'deregistering';
    else if (st === MscState.RetryWait) phase = 'retry-wait';
    else if ((st === MscState.Registering || st === MscState.Refreshing) && this.flags[sub] & DEREG_PENDING) phase = 'pending';
    else return false;
    this.signal('reattach.during-dereg', 1, sub);
    switch (this.reattachPolicy(phase)) {
      case 'drop':
        this.signal('reattach.dropped', 1, sub);
        this.signal('register.already', 1, sub);
        return true;
      case 'queue':
        this.signal('reattach.queued', 1, sub);
        this.flags[sub] |= REATTACH;
        return true;
      case 'resume':
        this.signal('reattach.resumed', 1, sub);
        if (phase === 'pending') {
          this.flags[sub] &= ~DEREG_PENDING;
          return true;
        }
        // Nothing was sent that touched the binding: the registration stands, refreshed on schedule.
        this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'abandoned');
        this.st[sub] = MscState.Registered;
        this.attempts[sub] = 0;
        this.refresh.set(sub, this.now() + refreshAfter(Math.max(0, this.expiresAt[sub] - this.now()) / 1e9) * 1e9);
        this.armRefresh();
        this.views.recheck(sub);
        return true;
      case 'register-now':
        this.signal('reattach.register-now', 1, sub);
        this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'abandoned');
        this.registerAgain(sub);
        return true;
    }
  }

  /**
   * A new registration at once (§6.3.3: fresh Call-ID, CSeq 1, then SUBSCRIBE anew), the old one's
   * details dropped here: the deregistration in flight is answered to a Call-ID no longer ours and
   * changes nothing at this MSC. At the S-CSCF it arrives first on a FIFO link, so it removes the
   * old binding before the new REGISTER creates one; where links reorder (datagrams with jitter) a
   * late deregistration may remove the new binding (contact-only matching) — measurable, not hidden.
   */
  protected registerAgain(sub: number): void {
    this.clearRegistration(sub);
    this.startRegistration(sub);
  }

  /** The deregistration is over (whatever its outcome): a re-attach queued meanwhile registers now. */
  protected override deregistrationOver(sub: number): void {
    if ((this.flags[sub] & REATTACH) === 0) return;
    this.flags[sub] &= ~REATTACH;
    // 'keep' left the registration live: the subscriber is back and registered; nothing to send.
    if (this.st[sub] === MscState.Registered) return;
    this.signal('reattach.registered-after-dereg', 1, sub);
    this.startRegistration(sub);
  }

  protected override startSweep(reason: number): void {
    if (this.sweepActive) {
      this.signal('sweep.already-running');
      return;
    }
    this.sweepActive = true;
    this.sweepReason = reason;
    this.sweepCursor = 0;
    this.sweepK = 0;
    this.sweepStart = this.now();
    this.sweepGap = this.registered > 0 ? this.p.sweepSpread / this.registered : 0;
    this.sweepStep();
  }
  /** Deregisters the subscribers due by now (the k-th at start + k·gap), then waits for the next. */
  protected override sweepStep(): void {
    const n = this.population;
    const now = this.now();
    while (this.sweepCursor < n && this.sweepStart + Math.floor(this.sweepK * this.sweepGap) <= now) {
      const s = this.sweepCursor++;
      const st = this.st[s];
      if (st === MscState.Idle) continue;
      this.sweepK++;
      this.startDeregistration(s, this.sweepReason);
    }
    while (this.sweepCursor < n && this.st[this.sweepCursor] === MscState.Idle) this.sweepCursor++;
    if (this.sweepCursor >= n) {
      this.sweepActive = false;
      return;
    }
    const next = this.sweepStart + Math.floor(this.sweepK * this.sweepGap);
    this.scheduleSelf(Math.max(0, next - now, this.p.sweepTick), SWEEP);
  }
}
