import type { Timer } from '../kernel/clock.ts';
import type { Ns } from '../kernel/time.ts';
import type { NodeContext } from '../node/node.ts';
import { receiveSip } from '../sip/receive.ts';
import { createResponse } from '../sip/response.ts';
import { BINDING_MATCH_POLICIES, type BindingMatchPolicy, type BindingMatchPolicyName } from '../policies/scscf-binding-match.ts';
import { EXTERNAL_CLIENT_POLICIES, type ExternalClientPolicy, type ExternalClientPolicyName } from '../policies/scscf-external-clients.ts';
import { REG_EVENT_WATCHERS_POLICIES, type OtherWatcher, type RegEventWatchersPolicy, type RegEventWatchersPolicyName } from '../policies/scscf-reg-event-watchers.ts';
import {
  REG_EVENT_AUTHORIZATION_POLICIES,
  type RegEventAuthorizationPolicy,
  type RegEventAuthorizationPolicyName,
  type RegEventSubscribeRequest,
} from '../policies/scscf-reg-event-authorization.ts';
import { NO_WATCHER, RegEventWatchers, type ExtraWatcher } from './scscf-reg-event.ts';
import { DEREG_MATCH_POLICIES, type DeregAgainstBinding, type DeregMatchPolicy, type DeregMatchPolicyName } from '../policies/ics-dereg-match.ts';
import { MAX_DIALOGS_PER_SUBSCRIBER, hasSessions, mix32, refreshAfter } from './config.ts';
import { DueQueue } from '../node/due-queue.ts';
import { ImsTimer } from './ims-timer.ts';
import { answerTooBrief, intervalTooBrief, type MinExpiresParams } from './scscf-min-expires.ts';
import { RestorationFetch, ScscfRestoration } from './scscf-restoration.ts';
import { DEFAULT_RESTORATION_POLICY, type RestorationPolicyName } from '../policies/scscf-restoration.ts';

import { registrationViewsOf, type RegistrarView, type RegistrationViews } from './views.ts';
import { CxCommand, CxMessage, DIAMETER_SUCCESS, DeregistrationReasonCode, ServerAssignmentType } from './cx.ts';
import { ImsNode, type ImsEnv } from './ims-node.ts';
import type { RawSip } from './raw-sip.ts';
import { RULE } from './rule-ids.ts';
import { Body, CallKind, ContactEvent, ImsSip, Party, Ruri, Shape, Via as ViaRef } from './sip-message.ts';
import { respond, requestOf, type ClientTransaction, type ServerTransaction } from './sip-stack.ts';
import { notifierTag, preRegisteredToken, regToTag, subscriberTag, subscriptionToken } from './tags.ts';

export interface ScscfParams extends Partial<MinExpiresParams> {
  hss: string;
  /** Where the subscribers' sessions go (the far end). */
  farEnd: string;
  /** SAR type on a user deregistration (TS 24.229 §5.4.1.4; REFERENCE §2). */
  deregistrationSar: 'USER_DEREGISTRATION' | 'USER_DEREGISTRATION_STORE_SERVER_NAME';
  /**
   * How a deregistration from the binding's own Contact is matched to it (sim/policies/scscf-binding-match.ts):
   * 'contact' (Kamailio `ims_usrloc_scscf` `matching_mode` 0, the default), 'contact-call-id'
   * (`matching_mode` 1) or 'instance' (RFC 5626 §6).
   */
  bindingMatch: BindingMatchPolicyName;
  /** Which binding a deregistration removes: its own Contact's, or any with its +sip.instance (sim/policies/ics-dereg-match.ts). */
  deregMatch: DeregMatchPolicyName;
  /** Who may register without IMS AKA (sim/policies/scscf-external-clients.ts), and the senders 'trusted' trusts. */
  externalClients: ExternalClientPolicyName;
  trusted: string[];
  /** Reg-event watchers per registration: all kept, or the newest only (sim/policies/scscf-reg-event-watchers.ts). */
  regEventWatchers: RegEventWatchersPolicyName;
  /** Who may subscribe to a user's reg event (sim/policies/scscf-reg-event-authorization.ts). */
  regEventAuthorization: RegEventAuthorizationPolicyName;
  /** Longest registration / subscription the S-CSCF grants, seconds. */
  maxExpires: number;
  cxTimeout: Ns;
  /** Whether the bindings survive a crash (persistent, the default) or are lost with it (scscf-restoration.ts). */
  registrationStore?: 'persistent' | 'volatile';
  /** A REGISTER for a registration this S-CSCF does not hold (sim/policies/scscf-restoration.ts). */
  restoration?: RestorationPolicyName;
}

const SAR_RULES = [RULE.sarType];
const NOTIFY_RULES = [RULE.notifyState];
const EXPIRY = new ImsTimer('binding-expiry', -1);
/** The context of a SAR TIMEOUT_DEREGISTRATION (no REGISTER behind it). */
const TIMEOUT_SAR = { timeoutSar: true };

/**
 * The S-CSCF (TS 24.229 §5.4): registrar for the ICS subscribers, notifier of their reg event
 * (RFC 3680), and the proxy their sessions pass (with Record-Route).
 *
 * Registration: SAR REGISTRATION on a first REGISTER, then the binding is stored and 200 OK names
 * the implicit set (P-Associated-URI) and the Service-Route. Deregistration (expiry 0, §5.4.1.4):
 * the binding of the identity and its whole implicit set is removed, SAR USER_DEREGISTRATION (or
 * …_STORE_SERVER_NAME) is sent, and on the SAA the watchers get a NOTIFY with every identity
 * terminated/unregistered and Subscription-State terminated, and the REGISTER its 200 OK echoing
 * the removed contact with expires=0.
 *
 * Registration expiry: a binding not refreshed within its granted expiry is removed — NOTIFY with
 * the contact `expired` (RFC 3680 §5.2), SAR TIMEOUT_DEREGISTRATION (TS 29.229 §6.3.15) — which is
 * what ends a stale binding left by a deregistration that never arrived. The expiry times live in
 * a typed-array heap (due-queue.ts), one kernel timer for the earliest.
 *
 * Reg event: every watcher the regEventWatchers policy keeps gets each NOTIFY (§5.4.2.1.2); who may
 * subscribe is the regEventAuthorization policy's (§5.4.2.1.1) — scscf-reg-event.ts holds them.
 *
 * Per-subscriber state, typed arrays (≈ 31 bytes + the expiry queue's 20): the binding (MSC,
 * Call-ID token, CSeq, instance, granted expiry), the first reg-event watcher (node, subscription
 * token, NOTIFY CSeq; further ones in an overflow map) and the dialogs it proxies.
 */
export class Scscf extends ImsNode implements RegistrarView {
  readonly bindMsc: Int16Array;
  readonly bindToken: Uint32Array;
  readonly bindCseq: Uint32Array;
  readonly bindInstance: Int32Array;
  readonly bindExpires: Uint32Array;
  /** The reg-event watchers (the first one's node, token and NOTIFY CSeq below, as typed arrays). */
  readonly watchers: RegEventWatchers;
  readonly watcher: Int16Array;
  readonly subToken: Uint32Array;
  readonly notifyCseq: Uint32Array;
  readonly dialogs: Uint8Array;
  /** When each binding expires (ns). */
  readonly expiry: DueQueue;
  /** Who believes what (views.ts): this S-CSCF's bindings are one side. */
  readonly views: RegistrationViews;
  private expiryTimer: Timer | undefined = undefined;
  private expiryTimerAt = Infinity;
  private hss = -1;
  private farEnd = -1;
  private readonly p: ScscfParams;
  private readonly deregSar: number;
  /** An injected error answers 503 (with the rule's Retry-After), as an overloaded S-CSCF would. */
  protected override errorStatus = 503;
  private readonly matchPolicy: DeregMatchPolicy;
  /** The match policy's input, reused (no allocation per deregistration). */
  private readonly matchInput: DeregAgainstBinding = { sameContact: false, sameCallId: false, sameInstance: false, ownMatch: false };
  private readonly bindingMatch: BindingMatchPolicy;
  /**
   * deregMatch 'coexist' (ims_usrloc_scscf): the older contact kept beside the binding when another
   * MSC's REGISTER added its own — node, Call-ID token, instance (allocated only under that policy).
   * Its own expiry is not timed: it lives as long as the registration (docs/ims.md).
   */
  private readonly other: { msc: Int16Array; token: Uint32Array; instance: Int32Array } | undefined;
  private readonly admit: ExternalClientPolicy;
  private readonly keepWatcher: RegEventWatchersPolicy;
  private readonly mayWatch: RegEventAuthorizationPolicy;
  /** The policies' inputs, reused. */
  private readonly otherWatcher: OtherWatcher = { sameWatcher: false };
  private readonly watchInput: RegEventSubscribeRequest = { assertedOwn: false, externalClient: false };
  /** Node indices of p.trusted (resolved on start). */
  private readonly trusted = new Set<number>();
  /** Restart and restoration (scscf-restoration.ts): only with a volatile store or a restoration policy. */
  private readonly restoration: ScscfRestoration | undefined;
  private startedOnce = false;

  constructor(id: string, nctx: NodeContext, p: ScscfParams, env: ImsEnv) {
    super(id, nctx, env);
    this.p = p;
    this.cxTimeout = p.cxTimeout;
    this.deregSar =
      p.deregistrationSar === 'USER_DEREGISTRATION' ? ServerAssignmentType.UserDeregistration : ServerAssignmentType.UserDeregistrationStoreServerName;
    const n = env.population;
    this.bindMsc = new Int16Array(n).fill(-1);
    this.bindToken = new Uint32Array(n);
    this.bindCseq = new Uint32Array(n);
    this.bindInstance = new Int32Array(n).fill(-1);
    this.bindExpires = new Uint32Array(n);
    this.watchers = new RegEventWatchers(n, (sub, delta) => this.signal('reg-event.second-watchers', delta, sub));
    this.watcher = this.watchers.node;
    this.subToken = this.watchers.token;
    this.notifyCseq = this.watchers.cseq;
    this.dialogs = new Uint8Array(n);
    this.expiry = new DueQueue(n);
    this.matchPolicy = DEREG_MATCH_POLICIES[p.deregMatch];
    this.bindingMatch = BINDING_MATCH_POLICIES[p.bindingMatch];
    this.other = p.deregMatch === 'coexist' ? { msc: new Int16Array(n).fill(-1), token: new Uint32Array(n), instance: new Int32Array(n).fill(-1) } : undefined;
    this.admit = EXTERNAL_CLIENT_POLICIES[p.externalClients];
    this.keepWatcher = REG_EVENT_WATCHERS_POLICIES[p.regEventWatchers];
    this.mayWatch = REG_EVENT_AUTHORIZATION_POLICIES[p.regEventAuthorization];
    this.views = registrationViewsOf(this.ctx);
    this.views.addRegistrar(this);
    const restoration = p.restoration ?? DEFAULT_RESTORATION_POLICY;
    this.restoration =
      p.registrationStore === 'volatile' || restoration !== DEFAULT_RESTORATION_POLICY
        ? new ScscfRestoration(
            {
              index: this.index,
              ctx: this.ctx,
              population: n,
              bindMsc: this.bindMsc,
              bindToken: this.bindToken,
              bindCseq: this.bindCseq,
              bindInstance: this.bindInstance,
              bindExpires: this.bindExpires,
              watcher: this.watcher,
              expiry: this.expiry,
              views: this.views,
              now: () => this.now(),
              signal: (name, value, sub) => this.signal(name, value, sub),
              reenter: (req, from, tx) => this.register(req, from, tx),
              reject: (req, tx) => void this.answer(tx, req, 403, 'Forbidden', regToTag(req.callToken)),
              sar: (sub, type, procedure, context) => this.sendCx(this.newSar(sub, type).seal(procedure, undefined), this.hss, context),
              armExpiry: () => this.armExpiry(),
              unbind: (sub) => this.unbind(sub),
            },
            p.registrationStore === 'volatile',
            restoration,
          )
        : undefined;
  }

  /** views.ts: a binding here turned stale or stopped being stale (a gauge: its integral is the stale binding-seconds). */
  staleChanged(sub: number, delta: 1 | -1): void {
    this.signal('binding.stale', delta, sub);
  }

  protected override onStart(): void {
    this.hss = this.env.indexOf(this.p.hss);
    this.farEnd = this.env.indexOf(this.p.farEnd);
    for (const t of this.p.trusted) this.trusted.add(this.env.indexOf(t));
    const pre = this.env.cfg.preRegistered;
    // Only at the run's start: a restart (even before any message was served) keeps or loses what it had.
    const first = !this.startedOnce;
    this.startedOnce = true;
    if (pre && pre.scscf === this.id && first) {
      const msc = this.env.indexOf(pre.msc);
      const cfg = this.env.cfg;
      const mask = (1 << Math.min(cfg.sessions.perSubscriber, MAX_DIALOGS_PER_SUBSCRIBER)) - 1;
      // The MSC's requested expiry (pre-registration made the same grant for everyone).
      const requested = this.ctx.requestedExpires[msc] ?? 600000;
      const expires = Math.min(requested, this.p.maxExpires);
      // Registered a refresh interval before the MSC's refresh falls due (msc-shell.ts preRegister):
      // the binding expires `expires` after that.
      const interval = refreshAfter(requested) * 1e9;
      const now = this.now();
      this.expiry.load((s) => now + Math.floor((mix32(s ^ 0x68e31da4) / 4294967296) * interval) - interval + expires * 1e9, 0, this.population);
      this.armExpiry();
      for (let s = 0; s < this.population; s++) {
        const tok = preRegisteredToken(s);
        this.bindMsc[s] = msc;
        this.bindToken[s] = tok;
        this.bindCseq[s] = 1;
        this.bindInstance[s] = s;
        this.bindExpires[s] = expires;
        this.watcher[s] = msc;
        this.subToken[s] = subscriptionToken(tok);
        this.notifyCseq[s] = 1;
        if (hasSessions(cfg, s)) this.dialogs[s] = mask;
      }
      this.restoration?.preloaded(msc, expires);
    }
    this.armExpiry();
    this.signal('binding.stale', 0); // the gauge exists from the start (0, not nothing, when never stale)
    this.restoration?.started();
  }

  protected override onCrash(): void {
    super.onCrash();
    // Registrations are kept (a real S-CSCF restores them from storage) unless the store is
    // volatile (scscf-restoration.ts); sessions in flight are lost.
    this.dialogs.fill(0);
    if (this.restoration?.volatile) {
      this.restoration.lose();
      this.watchers.clearExtras(); // the further reg-event subscriptions are lost with the first ones
    }
    this.expiryTimer = undefined;
    this.expiryTimerAt = Infinity;
  }

  // ---- SIP requests --------------------------------------------------------------------------------

  onRequest(req: ImsSip, from: number, tx: ServerTransaction | undefined): void {
    const sub = req.sub;
    if (sub < 0 || sub >= this.population) {
      if (tx) this.answer(tx, req, 404, 'Not Found', 1);
      return;
    }
    if (tx === undefined) {
      if (req.method === 'ACK') this.forwardAck(req);
      return;
    }
    switch (req.method) {
      case 'REGISTER':
        return this.register(req, from, tx);
      case 'SUBSCRIBE':
        return this.subscribe(req, from, tx);
      case 'INVITE':
      case 'BYE':
        return this.proxyDialogRequest(req, tx);
      default:
        this.answer(tx, req, 405, 'Method Not Allowed', notifierTag(req.callToken));
    }
  }

  private register(req: ImsSip, from: number, tx: ServerTransaction): void {
    const sub = req.sub;
    const tag = regToTag(req.callToken);
    // The model runs no AKA challenge: who is admitted without it is a policy (auth-done, trusted senders, anyone).
    if (!this.admit({ authDone: req.authDone, trusted: this.trusted.has(from) })) {
      this.answer(tx, req, 403, 'Forbidden', tag);
      return;
    }
    const expiry = req.expires >= 0 ? req.expires : req.contactExpires >= 0 ? req.contactExpires : 3600;
    // RFC 3261 §10.3 step 7: shorter than the minimum → 423 with Min-Expires (scscf-min-expires.ts).
    if (this.p.minExpires && intervalTooBrief(expiry, this.now(), { minExpires: this.p.minExpires, minExpiresFrom: this.p.minExpiresFrom ?? 0 })) {
      this.signal('scscf.interval-too-brief', 1, sub);
      return answerTooBrief(req, tx, this.p.minExpires);
    }
    const bound = this.bindMsc[sub] >= 0;
    const bi = this.bindInstance[sub];
    const sameContact = bound && this.bindMsc[sub] === req.contactNode && (bi < 0 || req.contactInstance < 0 || bi === req.contactInstance);
    const sameCall = bound && this.bindToken[sub] === req.callToken;
    if (sameContact && sameCall && req.cseq <= this.bindCseq[sub]) {
      // RFC 3261 §10.3 step 7: a CSeq not higher than the binding's aborts the update.
      this.answer(tx, req, 500, 'Server Internal Error', tag);
      return;
    }
    if (!bound && this.restoration !== undefined && this.restoration.unbound(req, from, tx, expiry === 0)) return;
    if (expiry === 0 && this.other !== undefined && this.other.msc[sub] >= 0 && this.deregCoexisting(req, tx)) return;
    if (expiry === 0) {
      const q = this.matchInput;
      q.sameContact = sameContact;
      q.sameCallId = sameCall;
      q.sameInstance = bound && bi >= 0 && bi === req.contactInstance;
      q.ownMatch = bound && this.bindingMatch(q);
      if (!bound || !this.matchPolicy(q)) {
        // Nothing of ours matches: 200 OK listing what stays bound (RFC 3261 §10.3 step 8).
        this.signal(bound ? 'scscf.dereg-binding-not-matched' : 'scscf.dereg-not-registered', 1, sub);
        this.registerOk(req, tx, false);
        return;
      }
      // 24.229 §5.4.1.4: remove the binding of the identity and of its whole implicit set …
      if (this.dialogs[sub] !== 0) this.signal('scscf.dialogs-at-deregistration', 1, sub);
      const instance = this.bindInstance[sub];
      this.unbind(sub);
      this.signal('binding.removed', 1, sub);
      // … and, no contact being left, tell the HSS (SAR USER_DEREGISTRATION / …_STORE_SERVER_NAME).
      if (instance !== req.contactInstance) this.signal('scscf.dereg-instance-differs', 1, sub);
      this.sar(req, tx, this.deregSar);
      return;
    }
    const granted = Math.min(expiry, this.p.maxExpires);
    if (!bound) {
      this.sar(req, tx, ServerAssignmentType.Registration);
      return;
    }
    // Re-registration (same contact, same Call-ID) or a new contact replacing the old one (same
    // device: +sip.instance, RFC 5626 §6): no SAR, the HSS already names this S-CSCF.
    const replaced = !(sameContact && sameCall);
    if (this.other !== undefined && !sameContact) {
      // 'coexist': the new Contact is a contact of its own; the older one stays beside it.
      this.other.msc[sub] = this.bindMsc[sub];
      this.other.token[sub] = this.bindToken[sub];
      this.other.instance[sub] = this.bindInstance[sub];
      this.signal('binding.coexisting', 1, sub);
    }
    this.bind(req, granted);
    this.signal(replaced ? 'binding.replaced' : 'binding.refreshed', 1, sub);
    this.registerOk(req, tx, true);
    this.notifyWatcher(sub, false, replaced ? ContactEvent.Created : ContactEvent.Refreshed, this.bindMsc[sub], this.bindInstance[sub], granted);
  }

  /**
   * deregMatch 'coexist': a deregistration from one of two coexisting contacts removes that contact
   * only (matched as bindingMatch says), and a contact remains — so no SAR (TS 24.229 §5.4.1.4) and
   * a 200 OK listing the remaining one. True when it handled the request.
   */
  private deregCoexisting(req: ImsSip, tx: ServerTransaction): boolean {
    const o = this.other!;
    const sub = req.sub;
    const q = this.matchInput;
    const oi = o.instance[sub];
    q.sameContact = o.msc[sub] === req.contactNode && (oi < 0 || req.contactInstance < 0 || oi === req.contactInstance);
    q.sameCallId = o.token[sub] === req.callToken;
    q.sameInstance = oi >= 0 && oi === req.contactInstance;
    q.ownMatch = this.bindingMatch(q);
    if (q.ownMatch) {
      // The older contact goes (the old MSC's late deregistration).
      o.msc[sub] = -1;
      this.signal('binding.removed-coexisting', 1, sub);
      this.registerOk(req, tx, false);
      return true;
    }
    const bi = this.bindInstance[sub];
    const mine = this.bindMsc[sub] === req.contactNode && (bi < 0 || req.contactInstance < 0 || bi === req.contactInstance);
    if (!mine || !this.bindingMatch({ sameContact: true, sameCallId: this.bindToken[sub] === req.callToken, sameInstance: bi >= 0 && bi === req.contactInstance })) return false;
    // The newer contact goes and the older one remains: it becomes the binding (same expiry).
    this.bindMsc[sub] = o.msc[sub];
    this.bindToken[sub] = o.token[sub];
    this.bindInstance[sub] = o.instance[sub];
    o.msc[sub] = -1;
    this.views.recheck(sub);
    this.signal('binding.removed-coexisting', 1, sub);
    this.registerOk(req, tx, false);
    return true;
  }

  private bind(req: ImsSip, granted: number): void {
    const sub = req.sub;
    this.bindMsc[sub] = req.contactNode;
    this.bindToken[sub] = req.callToken;
    this.bindCseq[sub] = req.cseq;
    this.bindInstance[sub] = req.contactInstance;
    this.bindExpires[sub] = granted;
    this.expiry.set(sub, this.now() + granted * 1e9);
    this.armExpiry();
    this.views.recheck(sub);
  }

  private unbind(sub: number): void {
    if (this.other !== undefined) this.other.msc[sub] = -1;
    this.bindMsc[sub] = -1;
    this.bindToken[sub] = 0;
    this.bindCseq[sub] = 0;
    this.bindInstance[sub] = -1;
    this.bindExpires[sub] = 0;
    this.expiry.clear(sub);
    this.views.recheck(sub);
  }

  // ---- registration expiry ---------------------------------------------------------------------

  private armExpiry(): void {
    const t = this.expiry.peekTime();
    if (t === Infinity || t >= this.expiryTimerAt) return;
    if (this.expiryTimer) this.cancel(this.expiryTimer);
    this.expiryTimerAt = t;
    this.expiryTimer = this.scheduleSelf(Math.max(0, t - this.now()), EXPIRY);
  }

  protected override onTimer(t: ImsTimer): void {
    if (t.kind !== 'binding-expiry') return;
    this.expiryTimer = undefined;
    this.expiryTimerAt = Infinity;
    const now = this.now();
    for (let s = this.expiry.popDue(now); s >= 0; s = this.expiry.popDue(now)) this.expired(s);
    this.armExpiry();
  }

  /**
   * A binding not refreshed in time: removed, the watcher told (every identity terminated, the
   * contact `expired`, RFC 3680 §5.2), the HSS told (SAR TIMEOUT_DEREGISTRATION, TS 29.229 §6.3.15).
   */
  private expired(sub: number): void {
    if (this.bindMsc[sub] < 0) return;
    const msc = this.bindMsc[sub];
    const inst = this.bindInstance[sub];
    const tok = this.bindToken[sub];
    this.unbind(sub);
    this.signal('binding.expired', 1, sub);
    this.notifyWatcher(sub, true, ContactEvent.Expired, msc, inst, -1, tok, true);
    const type = this.p.deregistrationSar === 'USER_DEREGISTRATION' ? ServerAssignmentType.TimeoutDeregistration : ServerAssignmentType.TimeoutDeregistrationStoreServerName;
    this.sendCx(this.newSar(sub, type).seal('binding-expiry', undefined), this.hss, TIMEOUT_SAR);
  }

  /** SAR for the REGISTER of server transaction `tx` (the context its answer comes back with). */
  private sar(req: ImsSip, tx: ServerTransaction, type: number): void {
    // 24.229:5.4.1.4/sar-type
    this.sendCx(this.newSar(req.sub, type).seal(req.procedure, SAR_RULES), this.hss, tx);
  }

  /** A SAR of this S-CSCF to its HSS for `sub` (TS 29.228 §6.1.2), with fresh session and hop-by-hop ids. */
  private newSar(sub: number, assignmentType: number): CxMessage {
    const sar = new CxMessage(this.ctx, sub, CxCommand.ServerAssignment, true);
    sar.sessionNode = this.index;
    sar.sessionHi = 2;
    sar.hopByHop = this.nextHopByHop();
    sar.sessionLo = sar.hopByHop;
    sar.endToEnd = sar.hopByHop;
    sar.origin = this.index;
    sar.destination = this.hss;
    sar.serverName = this.index;
    sar.assignmentType = assignmentType;
    return sar;
  }

  /** Whether a REGISTER asks to deregister (expiry 0). */
  private static isDeregistration(req: ImsSip): boolean {
    return (req.expires >= 0 ? req.expires : req.contactExpires) === 0;
  }

  protected override onCxAnswer(ans: CxMessage, context: unknown): void {
    if (context === TIMEOUT_SAR) {
      if (!ans.success) this.signal('scscf.sar-failed', 1, ans.sub);
      return;
    }
    if (context instanceof RestorationFetch) return this.restoration!.fetched(context, ans);
    const tx = context as ServerTransaction;
    const req = requestOf(tx);
    const sub = req.sub;
    if (!Scscf.isDeregistration(req)) {
      if (!ans.success) {
        this.answer(tx, req, 403, 'Forbidden', regToTag(req.callToken));
        return;
      }
      const expiry = req.expires >= 0 ? req.expires : req.contactExpires >= 0 ? req.contactExpires : 3600;
      const granted = Math.min(expiry, this.p.maxExpires);
      this.bind(req, granted);
      this.signal('binding.created', 1, sub);
      this.restoration?.stored(sub);
      this.registerOk(req, tx, true);
      this.notifyWatcher(sub, false, ContactEvent.Registered, req.contactNode, req.contactInstance, granted);
      return;
    }
    // Deregistration: the watchers learn it, then the REGISTER gets its 200 OK (whatever the SAA
    // said: the binding is gone either way; a failed SAA is the HSS's to reconcile).
    if (!ans.success) this.signal('scscf.sar-failed', 1, sub);
    this.deregistered(req, tx);
  }

  protected override onCxTimeout(context: unknown): void {
    if (context === TIMEOUT_SAR) {
      this.signal('scscf.sar-timeout');
      return;
    }
    if (context instanceof RestorationFetch) return this.restoration!.fetched(context, undefined);
    const tx = context as ServerTransaction;
    const req = requestOf(tx);
    if (!Scscf.isDeregistration(req)) {
      this.answer(tx, req, 480, 'Temporarily Unavailable', regToTag(req.callToken));
      return;
    }
    this.signal('scscf.sar-timeout', 1, req.sub);
    this.deregistered(req, tx);
  }

  /** 24.229 §5.4.1.4 / §5.4.2.1.2: NOTIFY every watcher (all identities terminated), then 200 OK. */
  private deregistered(req: ImsSip, tx: ServerTransaction): void {
    this.notifyWatcher(req.sub, true, ContactEvent.Unregistered, req.contactNode, req.contactInstance, -1, req.callToken, true);
    this.deregisterOk(req, tx, req.contactInstance);
  }

  /** 200 OK to a REGISTER: the current binding (if any) with its expiry; on registration, the implicit set and Service-Route. */
  private registerOk(req: ImsSip, tx: ServerTransaction, registered: boolean): void {
    const sub = req.sub;
    const r = req.response(200, 'OK', Shape.RegisterResponse, regToTag(req.callToken));
    if (this.bindMsc[sub] >= 0) {
      r.contactNode = this.bindMsc[sub];
      r.contactInstance = this.bindInstance[sub];
      r.contactExpires = this.bindExpires[sub];
      r.contactIcs = req.contactIcs;
    }
    if (registered) {
      r.associatedUris = true;
      r.serviceRoute = this.index;
    }
    respond(tx, r.seal(req.procedure, undefined));
  }

  /** 200 OK to a deregistration: the removed contact with expires=0 (TS 24.229 §5.4.1.4). */
  private deregisterOk(req: ImsSip, tx: ServerTransaction, instance: number): void {
    const r = req.response(200, 'OK', Shape.RegisterResponse, regToTag(req.callToken));
    r.contactNode = req.contactNode;
    r.contactInstance = instance;
    r.contactExpires = 0;
    r.contactIcs = req.contactIcs;
    respond(tx, r.seal(req.procedure, [RULE.on200]));
  }

  // ---- reg event (RFC 3680, TS 24.229 §5.4.2.1) ------------------------------------------------

  private subscribe(req: ImsSip, from: number, tx: ServerTransaction): void {
    const sub = req.sub;
    const tag = notifierTag(req.callToken);
    if (!req.event) {
      this.answer(tx, req, 489, 'Bad Event', tag);
      return;
    }
    // TS 24.229 §5.4.2.1.1: the S-CSCF authorises a reg-event subscriber by its asserted identity;
    // without one it refuses (Kamailio ims_registrar_scscf can_subscribe_to_reg: "P-Asserted-Identity empty", 403).
    // A lab client watching another user (its own From, no P-Asserted-Identity) only as regEventAuthorization says.
    const q = this.watchInput;
    q.assertedOwn = req.assertedIdentity && !req.fromForeign;
    q.externalClient = this.admit({ authDone: false, trusted: this.trusted.has(from) });
    if (!this.mayWatch(q)) {
      this.signal(req.assertedIdentity ? 'scscf.subscribe-not-authorized' : 'scscf.subscribe-no-asserted-identity', 1, sub);
      this.answer(tx, req, 403, 'Forbidden', tag);
      return;
    }
    const w = this.watchers;
    const current = w.has(sub, from, req.callToken);
    if (req.expires === 0) {
      // An unsubscribe (RFC 6665 §4.1.2.3): 200, then the final NOTIFY to that subscription only.
      this.subscribeOk(req, tx, 0);
      if (current) {
        this.setNotify(this.bindMsc[sub] < 0, ContactEvent.Registered, this.bindMsc[sub], this.bindInstance[sub], this.bindExpires[sub], 0, true, this.p.maxExpires);
        this.notifyOne(sub, from, req.callToken);
        w.removeToken(sub, req.callToken);
      }
      return;
    }
    if (this.bindMsc[sub] < 0) {
      this.answer(tx, req, 403, 'Forbidden', tag);
      return;
    }
    if (!current) {
      // The other subscriptions stay or end as regEventWatchers says (an ended one gets its final NOTIFY).
      if (w.count(sub) > 0) this.endOtherWatchers(sub, from);
      w.add(sub, from, req.callToken, req.toK);
    }
    const granted = Math.min(req.expires >= 0 ? req.expires : 3600, this.p.maxExpires);
    this.subscribeOk(req, tx, granted);
    // RFC 6665 §4.2.1.2: a NOTIFY follows every accepted SUBSCRIBE, with the full state — to that subscription.
    this.setNotify(false, ContactEvent.Registered, this.bindMsc[sub], this.bindInstance[sub], this.bindExpires[sub], 0, false, granted);
    this.notifyOne(sub, from, req.callToken);
  }

  /** A new watcher of `sub` arrived from `from`: each other subscription is kept or ended (regEventWatchers). */
  private endOtherWatchers(sub: number, from: number): void {
    const w = this.watchers;
    const o = this.otherWatcher;
    this.setNotify(false, ContactEvent.Registered, this.bindMsc[sub], this.bindInstance[sub], this.bindExpires[sub], 0, true, this.p.maxExpires);
    const node = w.node[sub];
    if (node !== NO_WATCHER) {
      o.sameWatcher = node === from;
      if (this.keepWatcher(o) === 'end') {
        this.signal('scscf.watcher-replaced', 1, sub);
        this.sendNotify(sub, node, w.token[sub], ++w.cseq[sub], 0);
        w.node[sub] = NO_WATCHER;
      }
    }
    const xs = w.extras(sub);
    if (xs === undefined) return;
    for (const x of xs.slice()) {
      o.sameWatcher = x.node === from;
      if (this.keepWatcher(o) !== 'end') continue;
      this.signal('scscf.watcher-replaced', 1, sub);
      this.sendNotify(sub, x.node, x.token, ++x.cseq, x.k);
      w.removeToken(sub, x.token);
    }
  }

  private subscribeOk(req: ImsSip, tx: ServerTransaction, granted: number): void {
    const r = req.response(200, 'OK', Shape.SubscribeResponse, notifierTag(req.callToken));
    r.contactNode = this.index;
    r.expires = granted;
    respond(tx, r.seal(req.procedure, undefined));
  }

  /** What the next NOTIFYs say (set, then sent to one watcher or all): reused, no allocation per NOTIFY. */
  private readonly nc = { terminated: false, event: ContactEvent.Registered, contactNode: -1, instance: -1, contactExpires: -1, bindToken: 0, ended: false, subExpires: 0 };

  private setNotify(terminated: boolean, event: ContactEvent, contactNode: number, instance: number, contactExpires: number, bindToken: number, ended: boolean, subExpires: number): void {
    const c = this.nc;
    c.terminated = terminated;
    c.event = event;
    c.contactNode = contactNode;
    c.instance = instance;
    c.contactExpires = contactExpires;
    c.bindToken = bindToken;
    c.ended = ended;
    c.subExpires = subExpires;
  }

  /**
   * A NOTIFY to every watcher of the subscriber (TS 24.229 §5.4.2.1.2; TS 24.228's flows notify the UE and its P-CSCF alike): full
   * state, one <registration> per identity of the implicit set. `ended` ends the subscriptions
   * (Subscription-State: terminated).
   */
  private notifyWatcher(
    sub: number,
    terminated: boolean,
    event: ContactEvent,
    contactNode: number,
    instance: number,
    contactExpires: number,
    bindToken = 0,
    ended = terminated,
    subExpires = this.p.maxExpires,
  ): void {
    const w = this.watchers;
    const node = w.node[sub];
    const xs = w.extras(sub);
    if (node === NO_WATCHER && xs === undefined) return;
    this.setNotify(terminated, event, contactNode, instance, contactExpires, bindToken, ended, subExpires);
    if (node !== NO_WATCHER) {
      if (ended) w.node[sub] = NO_WATCHER;
      this.sendNotify(sub, node, w.token[sub], ++w.cseq[sub], 0);
    }
    if (xs === undefined) return;
    if (ended) w.takeExtras(sub);
    for (const x of ended ? xs : xs.slice()) this.sendNotify(sub, x.node, x.token, ++x.cseq, x.k);
  }

  /** The NOTIFY (as setNotify said) to the subscription (node, token) of `sub`. */
  private notifyOne(sub: number, node: number, token: number): void {
    const w = this.watchers;
    if (w.node[sub] === node && w.token[sub] === token) {
      this.sendNotify(sub, node, token, ++w.cseq[sub], 0);
      return;
    }
    const x = w.extras(sub)?.find((e: ExtraWatcher) => e.node === node && e.token === token);
    if (x !== undefined) this.sendNotify(sub, node, token, ++x.cseq, x.k);
  }

  /** One NOTIFY in the subscription dialog `tok` to watcher node `w` (identity k of the implicit set watched). */
  private sendNotify(sub: number, w: number, tok: number, cseq: number, k: number): void {
    const c = this.nc;
    const n = new ImsSip(this.ctx, sub, 'NOTIFY', Shape.Notify);
    n.ruri = Ruri.Node;
    n.ruriNode = w;
    n.via = this.newVia(w);
    n.maxForwards = 70;
    // From: the identity watched (the SUBSCRIBE's To); To: the watcher as it subscribed — a lab
    // client's own URI is rendered by its tag (ctx.foreign), never rewritten.
    n.fromParty = Party.Public;
    n.fromK = k;
    n.fromTag = notifierTag(tok);
    n.toParty = Party.Public;
    n.toK = k;
    n.toTag = subscriberTag(tok);
    n.callKind = CallKind.Subscription;
    n.callToken = tok;
    n.callHost = w;
    n.cseq = cseq;
    n.contactNode = this.index;
    n.regContact = c.contactNode >= 0 ? c.contactNode : w;
    n.contactInstance = c.instance;
    n.contactExpires = c.terminated ? -1 : c.contactExpires;
    n.event = true;
    n.subTerminated = c.ended;
    n.subExpires = c.subExpires;
    n.body = Body.RegInfo;
    n.regVersion = cseq - 1;
    n.regTerminated = c.terminated;
    n.contactEvent = c.event;
    n.bindToken = c.bindToken !== 0 ? c.bindToken : this.bindToken[sub];
    // 24.229:5.4.2.1.2/notify-state — on deregistration every identity terminated/unregistered.
    // (A registration the network ends itself — RTR, expiry — is reported as 'network-deregistration'.)
    const own = c.terminated && c.event === ContactEvent.Unregistered;
    this.stack.request(n.seal(own ? 'ics-deregistration' : c.terminated ? 'network-deregistration' : 'reg-event', own ? NOTIFY_RULES : undefined), w, undefined);
  }

  private newVia(dest: number) {
    return new ViaRef(this.index, this.stack.nextBranch(), this.tcpTo(dest), null);
  }

  // ---- sessions: the S-CSCF as a record-routing proxy (RFC 3261 §16) -----------------------------

  private proxyDialogRequest(req: ImsSip, tx: ServerTransaction): void {
    if (req.method === 'INVITE') {
      // A proxy answers 100 Trying at once (RFC 3261 §16.2), sparing the caller Timer A retransmissions.
      respond(tx, req.response(100, 'Trying', Shape.Plain, 0).seal(req.procedure, undefined));
    }
    const fwd = req.forwardedBy(this.index, this.stack.nextBranch(), this.tcpTo(this.farEnd), req.method === 'INVITE');
    this.stack.request(fwd, this.farEnd, tx);
  }

  /** The ACK of a 2xx, passed on statelessly along the route (RFC 3261 §16.11). */
  private forwardAck(req: ImsSip): void {
    this.stack.sendDirect(req.forwardedBy(this.index, this.stack.nextBranch(), this.tcpTo(this.farEnd)), this.farEnd);
  }

  onResponse(r: ImsSip, ctx: ClientTransaction): void {
    const c = ctx.context;
    if (r.method === 'NOTIFY') {
      const sub = r.sub;
      const tok = r.callToken;
      // RFC 6665 §4.2.2: a 481 (or any failure) to a NOTIFY removes that subscription.
      if (r.status >= 300) this.watchers.removeToken(sub, tok);
      if (r.status >= 300) this.signal(`notify.answered-${r.status}`, 1, sub);
      return;
    }
    // A response to a proxied INVITE/BYE: track the dialog, pass the response back.
    if (r.status < 100 || r.status === 100) return;
    const slot = r.callKind - CallKind.Call;
    if (slot >= 0 && slot < 8 && r.status >= 200 && r.status < 300) {
      if (r.method === 'INVITE') this.dialogs[r.sub] |= 1 << slot;
      else if (r.method === 'BYE') this.dialogs[r.sub] &= ~(1 << slot);
    }
    respond(c as ServerTransaction, r.relayedBack());
  }

  onTimeout(ctx: ClientTransaction): void {
    const req = requestOf(ctx);
    if (req.method === 'NOTIFY') {
      const sub = req.sub;
      this.watchers.removeToken(sub, req.callToken);
      this.signal('notify.timeout', 1, sub);
      return;
    }
    const tx = ctx.context as ServerTransaction;
    const orig = requestOf(tx);
    this.answer(tx, orig, 408, 'Request Timeout', 0);
  }

  // ---- HSS-initiated deregistration (RTR, TS 29.228 §6.1.3) --------------------------------------

  protected override onCxRequest(req: CxMessage, from: number): void {
    if (req.command !== CxCommand.RegistrationTermination) return super.onCxRequest(req, from);
    const sub = req.sub;
    const ans = req.answer(this.index);
    ans.resultCode = DIAMETER_SUCCESS;
    if (sub >= 0 && sub < this.population && this.bindMsc[sub] >= 0) {
      const event = req.reasonCode === DeregistrationReasonCode.PermanentTermination ? ContactEvent.Rejected : ContactEvent.Deactivated;
      const msc = this.bindMsc[sub];
      const inst = this.bindInstance[sub];
      const tok = this.bindToken[sub];
      this.unbind(sub);
      this.signal('binding.removed-by-hss', 1, sub);
      this.notifyWatcher(sub, true, event, msc, inst, -1, tok, true);
    }
    this.send(from, ans.seal(req.procedure, undefined));
  }

  // ---- raw bytes on the SIP input (RFC 4475) ---------------------------------------------------

  /**
   * Bytes that are not (yet) a message: parsed by the strict parser. A request that cannot be served
   * gets its 400/505/4xx (sim/sip/receive.ts); a malformed response or ACK is dropped; a valid
   * foreign request is answered as this registrar would (it serves only ICS registrations built
   * by an MSC: others get 403 / 404 / 200 for OPTIONS). Nothing here touches subscriber state.
   */
  protected override onRawSip(raw: RawSip, from: number): void {
    const r = receiveSip(raw.data, { role: 'registrar' });
    if (r.kind === 'drop') {
      this.signal('sip.raw-dropped');
      return;
    }
    if (r.kind === 'reject') {
      this.signal(`sip.raw-rejected-${r.answer.status}`);
      this.send(from, r.answer);
      return;
    }
    const m = r.parsed.msg;
    if (!m.isRequest || m.method === 'ACK') {
      this.signal('sip.raw-accepted');
      return;
    }
    this.signal('sip.raw-accepted');
    let status: number;
    if (m.method === 'OPTIONS') status = 200;
    else if (m.method === 'REGISTER') {
      const sub = this.ctx.ids.subscriberOf(r.parsed.fields.to.uriText);
      status = sub >= 0 && sub < this.population ? 403 : 404;
    } else status = 404;
    this.send(from, createResponse(m, status, { toTag: 'scscf-raw' }));
  }
}

