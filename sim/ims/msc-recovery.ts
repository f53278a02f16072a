import { mix32 } from './config.ts';
import { ImsTimer } from './ims-timer.ts';
import { DEREGISTER_RULES } from './rule-ids.ts';
import { MscState, PROC_DEREG } from './msc-shell.ts';
import { MscDeregistration } from './msc-deregistration.ts';
import { DEFAULT_RESTART_RECOVERY_POLICY, RESTART_RECOVERY_POLICIES, type RestartRecovery } from '../policies/msc-restart-recovery.ts';

const RECOVERY = new ImsTimer('recovery', -1);

/**
 * The MSC's restart with a volatile registration store (issue 13 item 8): the crash forgets every
 * IMS registration (the S-CSCF keeps its bindings); once up again, the restartRecovery policy
 * (sim/policies/msc-restart-recovery.ts) re-registers or deregisters the VLR's subscribers — paced
 * like the maintenance sweep, one every sweepSpread / count — or waits for their activity. The VLR
 * (who is here, views.at) survives: only the IMS side is volatile. A persistent store (the
 * default) keeps the registrations across the crash, as before.
 */
export abstract class MscRecovery extends MscDeregistration {
  private lostStore = false;
  private lostCount = 0;
  private recoveryMode: RestartRecovery = 'wait';
  private recoveryCursor = 0;
  private recoveryK = 0;
  private recoveryStart = 0;
  private recoveryGap = 0;

  protected override onCrash(): void {
    super.onCrash();
    this.recoveryMode = 'wait';
    if (this.p.registrationStore !== 'volatile') return;
    let lost = 0;
    for (let s = 0; s < this.population; s++) {
      if (this.st[s] === MscState.Idle) continue;
      lost++;
      this.clearRegistration(s);
      this.flags[s] = 0;
    }
    this.signal('registration.lost', lost);
    this.lostStore = lost > 0;
    this.lostCount = lost;
  }

  protected override onStart(): void {
    super.onStart();
    if (!this.lostStore) return;
    this.lostStore = false;
    const policy = RESTART_RECOVERY_POLICIES[this.p.policies.restartRecovery ?? DEFAULT_RESTART_RECOVERY_POLICY];
    this.recoveryMode = policy({ registrations: this.lostCount });
    if (this.recoveryMode === 'wait') return;
    let here = 0;
    for (let s = 0; s < this.population; s++) if (this.views.at[s] === this.index) here++;
    this.recoveryCursor = 0;
    this.recoveryK = 0;
    this.recoveryStart = this.now();
    this.recoveryGap = here > 0 ? this.p.sweepSpread / here : 0;
    this.recoveryStep();
  }

  protected override onTimer(t: ImsTimer): void {
    if (t.kind === 'recovery') return this.recoveryStep();
    super.onTimer(t);
  }

  /** The VLR's subscribers due by now (the k-th at start + k·gap): registered or deregistered anew. */
  private recoveryStep(): void {
    const n = this.population;
    const now = this.now();
    const at = this.views.at;
    while (this.recoveryCursor < n && this.recoveryStart + Math.floor(this.recoveryK * this.recoveryGap) <= now) {
      const s = this.recoveryCursor++;
      if (at[s] !== this.index || this.st[s] !== MscState.Idle) continue;
      this.recoveryK++;
      if (this.recoveryMode === 'reregister') {
        this.signal('recovery.reregister', 1, s);
        this.startRegistration(s);
      } else this.deregisterLost(s);
    }
    while (this.recoveryCursor < n && at[this.recoveryCursor] !== this.index) this.recoveryCursor++;
    if (this.recoveryCursor >= n || this.recoveryMode === 'wait') return;
    const next = this.recoveryStart + Math.floor(this.recoveryK * this.recoveryGap);
    this.scheduleSelf(Math.max(0, next - now, this.p.sweepTick), RECOVERY);
  }

  /**
   * A deregistration of a registration whose details are lost: the same Contact and +sip.instance
   * (the instance is the subscriber's, so it is known), a fresh Call-ID and CSeq 1 — which an
   * S-CSCF matching on the Contact alone (ims_usrloc_scscf matching_mode 0) accepts, one matching
   * the Call-ID too does not, and which 24.292:6.3.6.2/7 (the registration's Call-ID) flags.
   */
  private deregisterLost(s: number): void {
    this.signal('recovery.deregister', 1, s);
    this.tokenCounter++;
    this.regToken[s] = (mix32(this.tokenCounter * 0x9e3779b1 + this.index * 0x85ebca77) | 1) >>> 0;
    this.regCseq[s] = 1;
    this.st[s] = MscState.Deregistering;
    this.registered++;
    this.attempts[s] = 1;
    this.procStart[s] = this.now();
    this.procedureStarted(PROC_DEREG, s);
    this.sendRegister(s, 0, PROC_DEREG, DEREGISTER_RULES, this.regToken[s], s);
    this.views.recheck(s);
  }
}
