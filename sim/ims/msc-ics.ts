import type { Timer } from '../kernel/clock.ts';
import type { Ns } from '../kernel/time.ts';
import type { NodeContext } from '../node/node.ts';
import { DEREG_FAILURE_POLICIES, type DeregFailurePolicy, type DeregFailurePolicyName, type DeregRetry } from '../policies/msc-dereg-failure.ts';
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
import { MAX_DIALOGS_PER_SUBSCRIBER, hasSessions, mix32 } from './config.ts';
import { DueQueue } from './due-queue.ts';
import { ImsNode, type ImsEnv } from './ims-node.ts';
import { ImsTimer } from './ims-timer.ts';
import { DEREGISTER_RULES, RULE } from './rule-ids.ts';
import { Body, CallKind, ContactEvent, ImsSip, Party, Ruri, Shape, Via } from './sip-message.ts';
import { requestOf, type ClientTransaction, type ServerTransaction } from './sip-stack.ts';
import { registrationViewsOf, type MscView, type RegistrationViews } from './views.ts';
import {
  callToken,
  calleeTag,
  callerTag,
  notifierTag,
  preRegisteredToken,
  regFromTag,
  subscriberTag,
  subscriptionToken,
} from './tags.ts';

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
  };
  /** How the retrying deregFailure policies space their attempts (retries, base, factor, cap). */
  deregRetry: DeregRetry;
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

const enum SubState {
  None = 0,
  Subscribing = 1,
  Active = 2,
  /** Considered cancelled by §6.3.6.2 (no unsubscribe sent). */
  Cancelled = 3,
}

const DEREG_PENDING = 1;
/** The subscriber's registration details here are orphaned (views.ts): counted in `registration.orphaned`. */
const ORPHAN = 2;

/** What makes a subscriber "no longer active at this MSC" (REFERENCE §1), by workload event name. */
export const DEREG_TRIGGERS = ['detach', 'implicit-detach', 'cancel-location', 'purge', 'maintenance', 'restart'] as const;
const TRIGGER_SIGNALS = DEREG_TRIGGERS.map((t) => `dereg.trigger.${t}`);

/** Workload events that start a registration. */
export const REGISTER_TRIGGERS = ['attach', 'location-update'] as const;

const PROC_REG = 'ics-registration';
const PROC_REREG = 'ics-reregistration';
const PROC_DEREG = 'ics-deregistration';
const PROC_SUB = 'reg-event-subscription';
const PROC_CALL = 'session-setup';

const BYE_RULES = [RULE.pre];
const NOTIFY_ANSWER_RULES = [RULE.regEvent];

const NOTIFY_EVENTS: NotifyDuringDereg['event'][] = [];
NOTIFY_EVENTS[ContactEvent.Unregistered] = 'unregistered';
NOTIFY_EVENTS[ContactEvent.Deactivated] = 'deactivated';
NOTIFY_EVENTS[ContactEvent.Rejected] = 'rejected';
NOTIFY_EVENTS[ContactEvent.Expired] = 'expired';

const ZERO_SIGNALS = ['registration.orphaned', 'overhead.registers', 'overhead.bytes'];

const SWEEP = new ImsTimer('sweep', -1);
const REFRESH = new ImsTimer('refresh', -1);

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
 */
export class MscIcs extends ImsNode implements MscView {
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

  private icscf = -1;
  private farEnd = -1;
  private tokenCounter = 0;
  private registered = 0;
  private refreshTimer: Timer | undefined = undefined;
  private refreshTimerAt = Infinity;
  private sweepActive = false;
  private sweepCursor = 0;
  private sweepStart = 0;
  private sweepK = 0;
  private sweepGap = 0;
  private sweepReason = 0;
  private readonly deregPolicy: DeregFailurePolicy;
  private readonly notifyPolicy: RegEventAfterCancelPolicy;
  private readonly duringDeregPolicy: RegEventDuringDeregPolicy;
  /** The policy's input, reused (every deregistration's own NOTIFY asks it: no allocation per NOTIFY). */
  private readonly notifyInput: NotifyDuringDereg = { event: 'other', phase: 'deregistering' };
  /** Longest wait for the BYEs' answers before the deregistration REGISTER (byeRelease policy), ns. */
  private readonly byeWait: number;
  private readonly p: MscParams;

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
    this.byeWait = BYE_RELEASE_POLICIES[p.policies.byeRelease]({ capNs: p.byeWaitCap });
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
    if (pre && pre.msc === this.id && this.served === 0 && this.registered === 0) this.preRegister(this.env.indexOf(pre.scscf));
    this.armRefresh();
    // The consequence metrics exist from the start (a policy that never causes any shows 0, not nothing).
    for (const name of ZERO_SIGNALS) this.signal(name, 0);
  }

  /**
   * Sizing scenarios: every subscriber starts registered here, subscribed to its reg event, with
   * its sessions up; the registrations were made at random times in the past, so the refreshes
   * fall uniformly over the refresh interval.
   */
  private preRegister(scscf: number): void {
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

  // ---- views (views.ts): what this MSC believes, for the consequence metrics -------------------

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

  // ---- triggers --------------------------------------------------------------------------------

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

  // ---- registration (§6.3.3) ---------------------------------------------------------------------

  private startRegistration(sub: number): void {
    // Details kept after a failed deregistration (keep-until-expiry) give way to a fresh registration.
    if (this.st[sub] === MscState.Kept) this.clearRegistration(sub);
    if (this.st[sub] !== MscState.Idle) {
      this.signal('register.already', 1, sub);
      return;
    }
    this.tokenCounter++;
    this.regToken[sub] = (mix32(this.tokenCounter * 0x9e3779b1 + this.index * 0x85ebca77) | 1) >>> 0;
    this.regCseq[sub] = 1;
    this.subCseq[sub] = 0;
    this.st[sub] = MscState.Registering;
    this.registered++;
    this.procStart[sub] = this.now();
    this.procedureStarted(PROC_REG, sub);
    this.sendRegister(sub, this.p.expires, PROC_REG, undefined, this.regToken[sub], sub);
  }

  /**
   * A REGISTER on the subscriber's behalf (TS 24.292 §6.3.3; for expiry 0 every step of §6.3.6.2):
   */
  private sendRegister(sub: number, expiry: number, procedure: string, rules: readonly string[] | undefined, token: number, instance: number): number {
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

  /** A REGISTER the policy caused for a subscriber who left (a retry, a kept registration's refresh). */
  private overhead(sub: number, bytes: number): void {
    this.signal('overhead.registers', 1, sub);
    this.signal('overhead.bytes', bytes, sub);
  }

  private onRegisterResponse(r: ImsSip): void {
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
          // The refresh failed: the registration is taken as lost (no retry in this model) — unless
          // the subscriber left meanwhile: the binding may well still be there, so deregister it.
          this.signal('refresh.failed', 1, sub);
          if (this.flags[sub] & DEREG_PENDING) {
            this.st[sub] = MscState.Registered;
            return this.deregPending(sub);
          }
          this.clearRegistration(sub);
          return;
        }
        this.st[sub] = MscState.Registered;
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
        } else this.deregFailed(sub, r.status, r.shape === Shape.Overload ? r.expires : undefined);
        return;
    }
  }

  private scheduleRefresh(sub: number, granted: number): void {
    const now = this.now();
    this.expiresAt[sub] = now + granted * 1e9;
    this.refresh.set(sub, now + refreshAfter(granted) * 1e9);
    this.armRefresh();
  }

  private armRefresh(): void {
    const t = this.refresh.peekTime();
    if (t === Infinity || t >= this.refreshTimerAt) return;
    if (this.refreshTimer) this.cancel(this.refreshTimer);
    this.refreshTimerAt = t;
    this.refreshTimer = this.scheduleSelf(Math.max(0, t - this.now()), REFRESH);
  }

  private refreshDue(): void {
    this.refreshTimer = undefined;
    this.refreshTimerAt = Infinity;
    const now = this.now();
    for (let s = this.refresh.popDue(now); s >= 0; s = this.refresh.popDue(now)) {
      const st = this.st[s];
      if (st === MscState.Kept) {
        // keep-until-expiry: the registration has now expired in the network too.
        this.signal('dereg.kept-expired', 1, s);
        this.clearRegistration(s);
        continue;
      }
      if (st !== MscState.Registered) continue;
      this.st[s] = MscState.Refreshing;
      this.regCseq[s]++;
      const bytes = this.sendRegister(s, this.p.expires, PROC_REREG, undefined, this.regToken[s], s);
      // Refreshing a registration kept for a subscriber who left (keep-and-report) is the policy's cost.
      if (this.views.at[s] !== this.index) this.overhead(s, bytes);
    }
    this.armRefresh();
  }

  // ---- reg event subscription (RFC 3680) --------------------------------------------------------

  private sendSubscribe(sub: number, refresh: boolean): void {
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

  private onSubscribeResponse(r: ImsSip): void {
    const sub = r.sub;
    if (r.status < 200 || r.callToken !== subscriptionToken(this.regToken[sub])) return;
    if (this.subSt[sub] === SubState.Cancelled) return;
    this.subSt[sub] = r.status < 300 ? SubState.Active : SubState.None;
  }

  private onNotify(req: ImsSip, tx: ServerTransaction): void {
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
  }

  // ---- sessions ----------------------------------------------------------------------------------

  private setupSessions(sub: number): void {
    if (this.st[sub] !== MscState.Registered) return;
    const n = Math.min(this.env.cfg.sessions.perSubscriber, MAX_DIALOGS_PER_SUBSCRIBER);
    for (let slot = 0; slot < n; slot++) this.sendInvite(sub, slot);
  }

  private startCall(sub: number): void {
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
    this.inviting[sub] |= bit;
    this.procedureStarted(PROC_CALL, sub);
    this.stack.request(m.seal(PROC_CALL, undefined), scscf, this.now());
  }

  private onInviteResponse(r: ImsSip, tx: ClientTransaction): void {
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
  private sendBye(sub: number, slot: number): void {
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
    this.byes[sub]++;
    this.stack.request(m.seal(PROC_DEREG, BYE_RULES), scscf, sub);
  }

  private onByeResponse(r: ImsSip): void {
    if (r.status < 200) return;
    this.byeDone(r.sub, r.callKind - CallKind.Call);
  }

  private byeDone(sub: number, slot: number): void {
    // Answered (2xx or error) or timed out: the dialog is over either way (RFC 3261 §15.1.1).
    this.calls[sub] &= ~(1 << slot);
    if (this.byes[sub] > 0) this.byes[sub]--;
    this.signal('dialog.released', 1, sub);
    this.maybeDeregisterAfterRelease(sub);
  }

  private maybeDeregisterAfterRelease(sub: number): void {
    if (this.st[sub] === MscState.Releasing && this.byes[sub] === 0 && this.inviting[sub] === 0 && this.calls[sub] === 0) this.sendDeregister(sub);
  }

  // ---- deregistration (§6.3.6.2) ---------------------------------------------------------------

  /** "upon receipt of any indication that the subscriber is no longer active at this MSC Server". */
  private startDeregistration(sub: number, reason: number): void {
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

  private deregPending(sub: number): void {
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

  private sendDeregister(sub: number): void {
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
  private deregFailed(sub: number, status: number, retryAfterSeconds?: number): void {
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
        return;
      case 'hold':
        // Kept, not acted on, until the registration would have expired (refreshDue clears it then).
        this.st[sub] = MscState.Kept;
        this.signal('dereg.kept-until-expiry', 1, sub);
        this.refresh.set(sub, Math.max(this.now(), this.expiresAt[sub]));
        this.armRefresh();
        this.procedureEnded(PROC_DEREG, sub, this.procStart[sub], 'failed');
        this.views.recheck(sub);
        return;
    }
  }

  /** Forgets everything about the subscriber's registration (also its subscription and dialogs). */
  private clearRegistration(sub: number): void {
    if (this.st[sub] !== MscState.Idle) this.registered--;
    this.st[sub] = MscState.Idle;
    this.subSt[sub] = SubState.None;
    this.flags[sub] &= ORPHAN;
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

  // ---- MSC maintenance / restart: every subscriber, spread over an interval ----------------------

  private startSweep(reason: number): void {
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
  private sweepStep(): void {
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

  // ---- SIP dispatch ------------------------------------------------------------------------------

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

/**
 * When to refresh a registration granted for `expires` seconds (REFERENCE §1 [V, book figure]):
 * 600 s before expiry when it exceeds 1200 s, otherwise at half of it.
 */
export function refreshAfter(expires: number): number {
  return expires > 1200 ? expires - 600 : expires / 2;
}
