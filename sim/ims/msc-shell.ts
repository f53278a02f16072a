import type { Timer } from '../kernel/clock.ts';
import type { Ns } from '../kernel/time.ts';
import type { NodeContext } from '../node/node.ts';
import {
  DEREG_FAILURE_POLICIES,
  type DeregFailurePolicy,
  type DeregFailurePolicyName,
  type DeregRetry,
} from '../policies/msc-dereg-failure.ts';
import { BYE_RELEASE_POLICIES, type ByeReleasePolicyName } from '../policies/msc-bye-release.ts';
import {
  REG_EVENT_DURING_DEREG_POLICIES,
  type NotifyDuringDereg,
  type RegEventDuringDeregPolicy,
  type RegEventDuringDeregPolicyName,
} from '../policies/reg-event-during-dereg.ts';
import {
  REG_EVENT_AFTER_CANCEL_POLICIES,
  type RegEventAfterCancelPolicy,
  type RegEventAfterCancelPolicyName,
} from '../policies/reg-event-after-cancel.ts';
import type { RestartRecoveryPolicyName } from '../policies/msc-restart-recovery.ts';
import { DEFAULT_REFRESH_FAILURE_POLICY, REFRESH_FAILURE_POLICIES, type RefreshFailurePolicy, type RefreshFailurePolicyName } from '../policies/msc-refresh-failure.ts';
import { DEFAULT_REATTACH_POLICY, REATTACH_POLICIES, type ReattachPolicy, type ReattachPolicyName } from '../policies/msc-reattach.ts';
import { MAX_DIALOGS_PER_SUBSCRIBER, hasSessions, mix32, refreshAfter } from './config.ts';

export { refreshAfter };
import { DueQueue } from '../node/due-queue.ts';
import { ImsNode, type ImsEnv } from './ims-node.ts';
import { ImsTimer } from './ims-timer.ts';
import { RULE } from './rule-ids.ts';
import { CallKind, ContactEvent, ImsSip, Shape } from './sip-message.ts';
import { requestOf, type ClientTransaction, type ServerTransaction } from './sip-stack.ts';
import { registrationViewsOf, type MscView, type RegistrationViews } from './views.ts';
import { preRegisteredToken, subscriberTag } from './tags.ts';

export interface MscParams {
  /** The home network's I-CSCF: where REGISTERs go (TS 24.292 §6.3.3). */
  icscf: string;
  /** The far end of the subscribers' sessions (the remote target of their dialogs). */
  farEnd: string;
  /** Requested registration expiry, seconds (REFERENCE §1: 600000 is the common UE default). */
  expires: number;
  /** Where the expiry goes: the Expires header or the Contact's expires parameter (§6.3.6.2 step 6 allows both). */
  expiresIn: 'header' | 'contact';
  /** Subscribe to the reg event package after registering (REFERENCE §1 [R]). */
  subscribeRegEvent: boolean;
  /** Subscribers with sessions (ims.sessions.share) set them up this long after registering. */
  sessionSetupAfter: Ns;
  /** MSC maintenance / restart: every subscriber registered here is deregistered, evenly over this interval. */
  sweepSpread: Ns;
  /**
   * Granularity of that pacing: 0 = each deregistration at its own instant; a tick > 0 starts the
   * ones falling due within a tick together (up to one tick late), saving one event per subscriber.
   */
  sweepTick: Ns;
  /** Named policies for what TS 24.292 leaves open (docs/policies.md). */
  policies: {
    deregFailure: DeregFailurePolicyName;
    regEventAfterCancel: RegEventAfterCancelPolicyName;
    byeRelease: ByeReleasePolicyName;
    regEventDuringDereg: RegEventDuringDeregPolicyName;
    /** An attach while the subscriber's deregistration is under way (sim/policies/msc-reattach.ts). */
    reattach: ReattachPolicyName;
    /** A refresh that gets no 200 OK (sim/policies/msc-refresh-failure.ts). */
    refreshFailure?: RefreshFailurePolicyName;
    /** After a restart that lost a volatile registration store (sim/policies/msc-restart-recovery.ts). */
    restartRecovery?: RestartRecoveryPolicyName;
  };
  /** Whether the IMS registrations survive a crash (persistent, the default) or are lost with it (volatile). */
  registrationStore?: 'persistent' | 'volatile';
  /** How the retrying deregFailure policies space their attempts (retries, base, factor, cap). */
  deregRetry: DeregRetry;
  /** The same for the refreshFailure policies' retries. */
  refreshRetry?: DeregRetry;
  /** The byeRelease policy 'wait-capped': longest wait for the BYEs' answers before the REGISTER. */
  byeWaitCap: Ns;
  /**
   * TEST ONLY — breaks the procedure on purpose so tests can watch the rule checker fail:
   * a fresh Call-ID on the deregistration, no +sip.instance, or the REGISTER sent before the BYEs are answered.
   */
  testMutation: 'none' | 'fresh-call-id' | 'no-instance' | 'register-before-bye-answers';
}

/** Registration state of a subscriber at this MSC. */
export const enum MscState {
  Idle = 0,
  /** Initial REGISTER in flight. */
  Registering = 1,
  Registered = 2,
  /** Re-registration (refresh) in flight; still registered. */
  Refreshing = 3,
  /** Deregistration started: releasing the IMS dialogs first (§6.3.6.2). */
  Releasing = 4,
  /** REGISTER with expiry 0 in flight. */
  Deregistering = 5,
  /** The deregistration failed; the policy said retry, waiting. */
  RetryWait = 6,
  /**
   * The deregistration failed; the policy said keep the details until the registration would have
   * expired: nothing is refreshed or sent, the details go at that time (or when the subscriber
   * comes back and registers anew).
   */
  Kept = 7,
}

export const enum SubState {
  None = 0,
  Subscribing = 1,
  Active = 2,
  /** Considered cancelled by §6.3.6.2 (no unsubscribe sent). */
  Cancelled = 3,
}

export const DEREG_PENDING = 1;
/** The subscriber's registration details here are orphaned (views.ts): counted in `registration.orphaned`. */
export const ORPHAN = 2;
/** The subscriber attached again during its deregistration; register once it is over (reattach 'queue'). */
export const REATTACH = 4;

/** What makes a subscriber "no longer active at this MSC" (REFERENCE §1), by workload event name. */
export const DEREG_TRIGGERS = ['detach', 'implicit-detach', 'cancel-location', 'purge', 'maintenance', 'restart'] as const;
export const TRIGGER_SIGNALS = DEREG_TRIGGERS.map((t) => `dereg.trigger.${t}`);

/** Workload events that start a registration. */
export const REGISTER_TRIGGERS = ['attach', 'location-update'] as const;

export const PROC_REG = 'ics-registration';
export const PROC_REREG = 'ics-reregistration';
export const PROC_DEREG = 'ics-deregistration';
export const PROC_SUB = 'reg-event-subscription';
export const PROC_CALL = 'session-setup';

export const BYE_RULES = [RULE.pre];
export const NOTIFY_ANSWER_RULES = [RULE.regEvent];

export const NOTIFY_EVENTS: NotifyDuringDereg['event'][] = [];
NOTIFY_EVENTS[ContactEvent.Unregistered] = 'unregistered';
NOTIFY_EVENTS[ContactEvent.Deactivated] = 'deactivated';
NOTIFY_EVENTS[ContactEvent.Rejected] = 'rejected';
NOTIFY_EVENTS[ContactEvent.Expired] = 'expired';

export const ZERO_SIGNALS = ['registration.orphaned', 'overhead.registers', 'overhead.bytes', 'subscriber.unreachable'];

export const SWEEP = new ImsTimer('sweep', -1);
export const REFRESH = new ImsTimer('refresh', -1);

/**
 * The MSC Server enhanced for ICS (TS 24.292): registers its CS subscribers with IMS on their
 * behalf (§6.3.3), keeps the registration and the reg-event subscription alive, carries their
 * IMS sessions, and deregisters them when they are no longer active here (§6.3.6.2) — releasing
 * their dialogs first, then REGISTER with expiry 0 built step by step as the clause says.
 *
 * Per-subscriber state (typed arrays, ≈ 45 bytes + the refresh queue's 20 + the run's views' 5):
 * state, reg-event subscription state, dialog masks, the registration's Call-ID token and CSeq, the
 * subscription's CSeq, the S-CSCF (Service-Route), the deregistration's start, reason and attempt
 * count, the registration's expiry time.
 *
 * What TS 24.292 leaves open is decided by named policies (sim/policies/, docs/policies.md):
 * deregFailure (no 200 OK to the deregistration), byeRelease (how long unanswered BYEs hold the
 * REGISTER back), regEventAfterCancel (the answer to a NOTIFY for the cancelled subscription) and
 * regEventDuringDereg (a NOTIFY ending the registration while the deregistration is under way).
 *
 * This file is the shell: per-subscriber state, lifecycle (start, pre-registration, crash), views,
 * and the dispatch of triggers, timers and SIP to the procedure parts — msc-registration.ts,
 * msc-reg-event.ts, msc-sessions.ts, msc-deregistration.ts — chained as subclasses (MscIcs, in
 * msc-ics.ts, is the last), so every call between parts stays a plain method call on one object.
 */
export abstract class MscShell extends ImsNode implements MscView {
  readonly st: Uint8Array;
  readonly subSt: Uint8Array;
  readonly flags: Uint8Array;
  /** Established dialogs (bit per slot) and INVITEs in progress. */
  readonly calls: Uint8Array;
  readonly inviting: Uint8Array;
  /** BYEs sent and not yet answered. */
  readonly byes: Uint8Array;
  readonly regToken: Uint32Array;
  readonly regCseq: Uint32Array;
  readonly subCseq: Uint32Array;
  /** S-CSCF of the registration (from Service-Route), -1 none. */
  readonly route: Int16Array;
  readonly attempts: Uint8Array;
  readonly reason: Uint8Array;
  readonly procStart: Float64Array;
  /** When the registration would expire in the network (ns), from the last granted expiry. */
  readonly expiresAt: Float64Array;
  readonly refresh: DueQueue;
  /** Who believes what (stale bindings, orphaned state, mismatched views): views.ts. */
  readonly views: RegistrationViews;

  protected icscf = -1;
  protected farEnd = -1;
  protected tokenCounter = 0;
  protected registered = 0;
  protected refreshTimer: Timer | undefined = undefined;
  protected refreshTimerAt = Infinity;
  protected sweepActive = false;
  private startedOnce = false;
  protected sweepCursor = 0;
  protected sweepStart = 0;
  protected sweepK = 0;
  protected sweepGap = 0;
  protected sweepReason = 0;
  protected readonly deregPolicy: DeregFailurePolicy;
  protected readonly notifyPolicy: RegEventAfterCancelPolicy;
  protected readonly duringDeregPolicy: RegEventDuringDeregPolicy;
  protected readonly reattachPolicy: ReattachPolicy;
  protected readonly refreshPolicy: RefreshFailurePolicy;
  /** The expiry asked for: the configured one, or a registrar's higher Min-Expires once a 423 taught it (RFC 3261 §10.2.8). */
  protected askExpires: number;
  /** The policy's input, reused (every deregistration's own NOTIFY asks it: no allocation per NOTIFY). */
  protected readonly notifyInput: NotifyDuringDereg = { event: 'other', phase: 'deregistering' };
  /** Longest wait for the BYEs' answers before the deregistration REGISTER (byeRelease policy), ns. */
  protected readonly byeWait: number;
  protected readonly p: MscParams;

  constructor(id: string, nctx: NodeContext, p: MscParams, env: ImsEnv) {
    super(id, nctx, env);
    this.p = p;
    const n = env.population;
    this.st = new Uint8Array(n);
    this.subSt = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.calls = new Uint8Array(n);
    this.inviting = new Uint8Array(n);
    this.byes = new Uint8Array(n);
    this.regToken = new Uint32Array(n);
    this.regCseq = new Uint32Array(n);
    this.subCseq = new Uint32Array(n);
    this.route = new Int16Array(n).fill(-1);
    this.attempts = new Uint8Array(n);
    this.reason = new Uint8Array(n);
    this.procStart = new Float64Array(n);
    this.expiresAt = new Float64Array(n);
    this.refresh = new DueQueue(n);
    this.deregPolicy = DEREG_FAILURE_POLICIES[p.policies.deregFailure];
    this.notifyPolicy = REG_EVENT_AFTER_CANCEL_POLICIES[p.policies.regEventAfterCancel];
    this.duringDeregPolicy = REG_EVENT_DURING_DEREG_POLICIES[p.policies.regEventDuringDereg];
    this.reattachPolicy = REATTACH_POLICIES[p.policies.reattach ?? DEFAULT_REATTACH_POLICY];
    this.refreshPolicy = REFRESH_FAILURE_POLICIES[p.policies.refreshFailure ?? DEFAULT_REFRESH_FAILURE_POLICY];
    this.askExpires = p.expires;
    this.byeWait = BYE_RELEASE_POLICIES[p.policies.byeRelease]({ capNs: p.byeWaitCap });
    this.ctx.requestedExpires[this.index] = p.expires;
    this.views = registrationViewsOf(this.ctx);
    this.views.addMsc(this);
  }

  /** Subscribers registered (or registering, refreshing, deregistering) here. */
  get registeredCount(): number {
    return this.registered;
  }

  /** The expiry this MSC asks for, seconds (a pre-registered S-CSCF derives its bindings' expiry from it). */
  get requestedExpires(): number {
    return this.p.expires;
  }

  protected override onStart(): void {
    this.icscf = this.env.indexOf(this.p.icscf);
    this.farEnd = this.env.indexOf(this.p.farEnd);
    const pre = this.env.cfg.preRegistered;
    // Only at the run's start: a restart (even one before any message was served) keeps or loses what it had.
    if (pre && pre.msc === this.id && !this.startedOnce) this.preRegister(this.env.indexOf(pre.scscf));
    this.startedOnce = true;
    this.armRefresh();
    // The consequence metrics exist from the start (a policy that never causes any shows 0, not nothing).
    for (const name of ZERO_SIGNALS) this.signal(name, 0);
  }

  /**
   * Sizing scenarios: every subscriber starts registered here, subscribed to its reg event, with
   * its sessions up; the registrations were made at random times in the past, so the refreshes
   * fall uniformly over the refresh interval.
   */
  protected preRegister(scscf: number): void {
    const cfg = this.env.cfg;
    const mask = (1 << Math.min(cfg.sessions.perSubscriber, MAX_DIALOGS_PER_SUBSCRIBER)) - 1;
    const interval = refreshAfter(this.p.expires) * 1e9;
    const now = this.now();
    for (let s = 0; s < this.population; s++) {
      this.st[s] = MscState.Registered;
      this.subSt[s] = this.p.subscribeRegEvent ? SubState.Active : SubState.None;
      this.regToken[s] = preRegisteredToken(s);
      this.regCseq[s] = 1;
      this.subCseq[s] = 1;
      this.route[s] = scscf;
      if (hasSessions(cfg, s)) this.calls[s] = mask;
    }
    this.registered = this.population;
    // Registered a refresh interval before the refresh falls due: expiring `expires` after that.
    const tail = (this.p.expires - refreshAfter(this.p.expires)) * 1e9;
    const expiresAt = this.expiresAt;
    this.refresh.load(
      (s) => {
        const due = now + Math.floor((mix32(s ^ 0x68e31da4) / 4294967296) * interval);
        expiresAt[s] = due + tail;
        return due;
      },
      0,
      this.population,
    );
    this.views.allAt(this.index);
  }

  protected override onCrash(): void {
    super.onCrash();
    // Transactions are gone; registrations are kept (persistent), procedures in flight are abandoned.
    this.sweepActive = false;
    this.refreshTimer = undefined;
    this.refreshTimerAt = Infinity;
    for (let s = 0; s < this.population; s++) {
      const st = this.st[s];
      if (st === MscState.Registering) {
        this.procedureEnded(PROC_REG, s, this.procStart[s], 'abandoned');
        this.st[s] = MscState.Idle;
        this.registered--;
      } else if (st === MscState.Refreshing) this.st[s] = MscState.Registered;
      else if (st >= MscState.Releasing && st <= MscState.RetryWait) {
        this.procedureEnded(PROC_DEREG, s, this.procStart[s], 'abandoned');
        this.st[s] = MscState.Registered;
      }
      this.inviting[s] = 0;
      this.byes[s] = 0;
      this.flags[s] &= ORPHAN;
      // An abandoned deregistration leaves live details for a subscriber who left: orphaned.
      if (st !== MscState.Idle) this.views.recheck(s);
    }
  }


  believes(sub: number): boolean {
    return this.st[sub] >= MscState.Registered;
  }

  holdsLive(sub: number): boolean {
    const st = this.st[sub];
    return (st === MscState.Registered || st === MscState.Refreshing || st === MscState.Kept) && (this.flags[sub] & DEREG_PENDING) === 0;
  }

  syncOrphan(sub: number, orphan: boolean): void {
    if (((this.flags[sub] & ORPHAN) !== 0) === orphan) return;
    this.flags[sub] ^= ORPHAN;
    this.signal('registration.orphaned', orphan ? 1 : -1, sub);
  }


  unreachableChanged(sub: number, delta: 1 | -1): void {
    this.signal('subscriber.unreachable', delta, sub);
  }

  protected override onTrigger(kind: string, sub: number): void {
    switch (kind) {
      case 'attach':
      case 'location-update':
        this.views.arrived(sub, this.index);
        return this.startRegistration(sub);
      case 'call':
        return this.startCall(sub);
      case 'detach':
      case 'implicit-detach':
      case 'cancel-location':
      case 'purge':
        return this.startDeregistration(sub, DEREG_TRIGGERS.indexOf(kind));
      case 'maintenance':
      case 'restart':
        return this.startSweep(DEREG_TRIGGERS.indexOf(kind));
      default:
        return super.onTrigger(kind, sub);
    }
  }

  protected override onTimer(t: ImsTimer): void {
    switch (t.kind) {
      case 'refresh':
        return this.refreshDue();
      case 'sweep':
        return this.sweepStep();
      case 'sessions':
        return this.setupSessions(t.sub);
      case 'reregister':
        // refreshFailure 'reregister': start over, if the subscriber is still here and nothing else started meanwhile.
        if (this.st[t.sub] === MscState.Idle && this.views.at[t.sub] === this.index) this.startRegistration(t.sub);
        return;
      case 'dereg-retry':
        if (this.st[t.sub] === MscState.RetryWait) this.sendDeregister(t.sub);
        return;
      case 'bye-cap':
        // byeRelease 'wait-capped': the BYEs had their time; the REGISTER leaves (once per deregistration).
        if (this.st[t.sub] === MscState.Releasing && this.procStart[t.sub] === t.arg) {
          this.signal('dereg.bye-wait-capped', 1, t.sub);
          this.sendDeregister(t.sub);
        }
        return;
    }
  }



  /** A REGISTER the policy caused for a subscriber who left (a retry, a kept registration's refresh). */
  protected overhead(sub: number, bytes: number): void {
    this.signal('overhead.registers', 1, sub);
    this.signal('overhead.bytes', bytes, sub);
  }






















  /** Forgets everything about the subscriber's registration (also its subscription and dialogs). */
  protected clearRegistration(sub: number): void {
    if (this.st[sub] !== MscState.Idle) this.registered--;
    this.st[sub] = MscState.Idle;
    this.subSt[sub] = SubState.None;
    // (A queued re-attach survives: the deregistration's end starts the registration it waits for.)
    this.flags[sub] &= ORPHAN | REATTACH;
    this.calls[sub] = 0;
    this.byes[sub] = 0;
    this.regToken[sub] = 0;
    this.regCseq[sub] = 0;
    this.subCseq[sub] = 0;
    this.route[sub] = -1;
    this.attempts[sub] = 0;
    this.refresh.clear(sub);
    this.views.recheck(sub);
  }




  onRequest(req: ImsSip, _from: number, tx: ServerTransaction | undefined): void {
    if (tx === undefined) return;
    if (req.sub < 0 || req.sub >= this.population) {
      this.answer(tx, req, 404, 'Not Found', 1);
      return;
    }
    if (req.method === 'NOTIFY') return this.onNotify(req, tx);
    this.answer(tx, req, 405, 'Method Not Allowed', subscriberTag(req.callToken));
  }

  onResponse(r: ImsSip, tx: ClientTransaction): void {
    switch (r.method) {
      case 'REGISTER':
        return this.onRegisterResponse(r);
      case 'SUBSCRIBE':
        return this.onSubscribeResponse(r);
      case 'INVITE':
        return this.onInviteResponse(r, tx);
      case 'BYE':
        return this.onByeResponse(r);
    }
  }

  /** Timer F (or B) fired: RFC 3261 §8.1.3.1 — handled as a 408 (Request Timeout). */
  onTimeout(tx: ClientTransaction): void {
    const req = requestOf(tx);
    const sub = req.sub;
    this.signal('sip.timeout', 1, sub);
    switch (req.method) {
      case 'REGISTER': {
        // Only the response to the REGISTER in flight matters (its CSeq is the current one).
        if (req.cseq !== this.regCseq[sub]) return;
        const fake = req.response(408, 'Request Timeout', Shape.Plain, 0);
        return this.onRegisterResponse(fake);
      }
      case 'SUBSCRIBE':
        if (this.subSt[sub] === SubState.Subscribing) this.subSt[sub] = SubState.None;
        return;
      case 'INVITE':
        this.inviting[sub] &= ~(1 << (req.callKind - CallKind.Call));
        this.procedureEnded(PROC_CALL, sub, tx.context as number, 'failed');
        this.maybeDeregisterAfterRelease(sub);
        return;
      case 'BYE':
        return this.byeDone(sub, req.callKind - CallKind.Call);
    }
  }

  // ---- the procedure parts' entry points (implemented in msc-*.ts) ----------------------------

  protected abstract startRegistration(sub: number): void;
  protected abstract sendRegister(sub: number, expiry: number, procedure: string, rules: readonly string[] | undefined, token: number, instance: number): number;
  protected abstract onRegisterResponse(r: ImsSip): void;
  protected abstract refreshFailed(sub: number, r: ImsSip): void;
  protected abstract scheduleRefresh(sub: number, granted: number): void;
  protected abstract armRefresh(): void;
  protected abstract refreshDue(): void;
  protected abstract sendSubscribe(sub: number, refresh: boolean): void;
  protected abstract onSubscribeResponse(r: ImsSip): void;
  protected abstract onNotify(req: ImsSip, tx: ServerTransaction): void;
  protected abstract setupSessions(sub: number): void;
  protected abstract startCall(sub: number): void;
  protected abstract onInviteResponse(r: ImsSip, tx: ClientTransaction): void;
  protected abstract sendBye(sub: number, slot: number): void;
  protected abstract onByeResponse(r: ImsSip): void;
  protected abstract byeDone(sub: number, slot: number): void;
  protected abstract maybeDeregisterAfterRelease(sub: number): void;
  protected abstract startDeregistration(sub: number, reason: number): void;
  protected abstract deregPending(sub: number): void;
  protected abstract sendDeregister(sub: number): void;
  protected abstract deregFailed(sub: number, status: number, retryAfterSeconds?: number): void;
  protected abstract reattachDuringDeregistration(sub: number): boolean;
  protected abstract deregistrationOver(sub: number): void;
  protected abstract startSweep(reason: number): void;
  protected abstract sweepStep(): void;
}

/**
 * The identity of the implicit set dialog slot j calls from: the SIP URIs of the set in turn
 * (k = 0, 2, 3, …), skipping the tel URI (k = 1), which real networks carry in P-Asserted-Identity
 * rather than in From. So with a set of 3, slot 0 calls from the temporary public identity and slot
 * 1 from sip:+<MSISDN>…;user=phone — a dialog of an implicitly registered identity.
 */
export function callingIdentity(slot: number, setSize: number): number {
  if (setSize <= 2) return 0;
  const sipIds = setSize - 1; // 0, 2, 3, …, setSize-1
  const i = slot % sipIds;
  return i === 0 ? 0 : i + 1;
}
