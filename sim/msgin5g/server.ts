import type { Ns } from '../kernel/time.ts';
import type { Timer } from '../kernel/clock.ts';
import type { Message } from '../net/message.ts';
import { Node, FROM_SELF, type NodeContext, type ErrorAnswer } from '../node/node.ts';
import { perUeRoundTrip, type AuthenticationPolicy } from '../policies/msgin5g-authentication.ts';
import { CAUSES, causeCode, causeOf, isCause, type FailureCause } from './causes.ts';
import { parseRequest, isParseError } from './codec.ts';
import { gatewayToken, HTTP_PORT, type Channel } from './http.ts';
import { DEREG, REG, type ClientProfile, type DeregistrationEntry, type Op, type RegistrationEntry } from './ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  OBS_AFTER,
  OBS_AUTHENTICATED,
  OBS_AUTHORISED,
  OBS_BEFORE,
  OBS_PROCESSED,
  OBS_PROFILE_OK,
  ProblemResponse,
  RawHttpRequest,
  RegistrationRequest,
  RegistrationResponse,
  UeAuthRequest,
  UeAuthResponse,
  problem,
  type Msgin5gRequest,
} from './messages.ts';
import { checkBulk, checkEntry } from './validate.ts';
import { UeDirectory } from './ue-directory.ts';
import { SegmentLoss } from './segment-loss.ts';
import { ServiceMirror } from './service-mirror.ts';

export interface ServerConfig {
  /** Most entries accepted in one bulk; more → 413 BULK_TOO_LARGE. */
  maxBulkSize: number;
  /** How long a per-UE authentication round trip may take. */
  authTimeout: Ns;
  /** Retry-After advertised with 503 (rounded up to whole seconds on the wire). */
  retryAfter: Ns;
  /** Every UE starts registered (the state a gateway restart finds). */
  initiallyRegistered: boolean;
  /**
   * The registration store across a crash: 'persistent' (a database: it survives) or 'volatile'
   * (in memory: a crash loses every registration).
   */
  store: 'persistent' | 'volatile';
  /**
   * How a bulk's entries reach the store: 'per-entry' (each entry committed as it is processed, as
   * §8.2.X step 3 processes them individually: a crash mid-bulk leaves the entries already processed
   * stored) or 'atomic' (one transaction per request: a crash mid-bulk stores none of it).
   */
  bulkCommit: 'per-entry' | 'atomic';
  /** Segment size for size-dependent loss on datagram links (0: the network's loss per message). */
  segmentSize: number;
  authentication: AuthenticationPolicy;
  dir: UeDirectory;
}

/** `via` value of a UE registered before the run began: any gateway may de-register it. */
const VIA_ANY = 0xffff;
/** `profile` value of a stored profile that matches no catalogue entry (kept in `customProfiles`). */
const PROFILE_CUSTOM = 255;

/** A request waiting for per-UE authentication round trips (the 'per-ue' policy). */
class Pending {
  waiting = 0;
  timer: Timer | undefined = undefined;
  readonly authOk: Uint8Array;
  readonly challenge: Uint32Array;
  constructor(
    readonly id: number,
    readonly req: Msgin5gRequest,
    readonly from: number,
    readonly op: Op,
    readonly subs: Int32Array,
    /** Per entry: 0 to decide, else the cause code already decided (invalid, unknown, duplicate). */
    readonly early: Uint8Array,
    readonly entries: (RegistrationEntry | DeregistrationEntry | undefined)[] | undefined,
  ) {
    this.authOk = new Uint8Array(subs.length);
    this.challenge = new Uint32Array(subs.length);
  }
}

/** The screened entries of a request: what the per-entry steps start from. */
interface Screened {
  op: Op;
  subs: Int32Array;
  /** Per entry: 0 to decide, else the cause code already decided (invalid, unknown, duplicate). */
  early: Uint8Array;
  entries: (RegistrationEntry | DeregistrationEntry | undefined)[] | undefined;
}

/** A request refused as a whole before any entry is looked at. */
interface Refusal {
  cause: FailureCause;
  status: number;
  detail: string;
}

class AuthTimeout implements Message {
  readonly proto = 'timer';
  readonly kind = 'auth-timeout';
  readonly bytes = 0;
  readonly entries = 1;
  readonly sub = -1;
  constructor(readonly id: number) {}
}

/**
 * The MSGin5G Server's side of Non-MSGin5G UE (de-)registration (TS 23.554 §8.2.3, §8.2.4, §8.2.X).
 *
 * For every request it authenticates the gateway (bearer token), then — for an individual request
 * or for each entry of a bulk, split and processed individually as §8.2.X step 3 says —
 * authenticates the UE (credential, or a round trip with the gateway under the 'per-ue' policy),
 * authorises it, and stores (or deletes) its UE Service ID and MSGin5G Client Profile. It answers
 * one entry per request entry, in the request's order, each with its result and cause.
 *
 * Store per UE: registered (1 byte), profile (1 byte: catalogue index; a non-catalogue profile is
 * kept aside), via (2 bytes: the gateway that registered it) — 4 bytes per UE. The UE Service ID is
 * the index's rendering, so storing the index stores the ID. The store is the server's database:
 * it survives a crash; pending round trips do not.
 */
export class Msgin5gServer extends Node {
  readonly registered: Uint8Array;
  readonly profile: Uint8Array;
  readonly via: Uint16Array;
  readonly customProfiles = new Map<number, ClientProfile>();
  private readonly pending = new Map<number, Pending>();
  private nextPending = 1;
  private readonly tokens: (string | undefined)[] = [];
  private readonly channels: (Channel | undefined)[] = [];
  private readonly retryAfterS: number;
  private readonly perUe: boolean;
  private readonly segLoss: SegmentLoss | undefined;
  /**
   * What is in service and what waits, mirrored from the node's service queue, so that a crash knows
   * how far each bulk in service had got; kept only where a crash can leave a bulk half done
   * (per-entry commit into a persistent store).
   */
  private readonly mirror: ServiceMirror | undefined;

  constructor(
    id: string,
    ctx: NodeContext,
    readonly cfg: ServerConfig,
  ) {
    super(id, ctx);
    const n = cfg.dir.population;
    this.registered = new Uint8Array(n);
    this.profile = new Uint8Array(n);
    this.via = new Uint16Array(n);
    if (cfg.initiallyRegistered) {
      this.registered.fill(1);
      this.via.fill(VIA_ANY);
      for (let ue = 0; ue < n; ue++) this.profile[ue] = cfg.dir.profileIndex(ue);
    }
    this.retryAfterS = Math.max(1, Math.ceil(cfg.retryAfter / 1e9));
    this.perUe = perUeRoundTrip(cfg.authentication);
    this.mirror = cfg.bulkCommit === 'per-entry' && cfg.store === 'persistent' ? new ServiceMirror(this.workers) : undefined;
    this.segLoss = cfg.segmentSize > 0 ? new SegmentLoss(cfg.segmentSize, this.transport, this.signals, this.stream('segment-loss'), () => this.now()) : undefined;
  }

  private startedOnce = false;

  protected override onStart(): void {
    if (this.startedOnce) return;
    this.startedOnce = true;
    // Consequence counters exist from the start: a run without a crash shows 0, not a gap.
    this.signal('crash.entries-committed', 0);
    this.signal('store.lost', 0);
  }

  /**
   * A crash loses the queue, the requests in service and pending round trips (the node base drops the
   * messages). Under 'per-entry' commit, the entries of a bulk in service that were already processed
   * stay stored: the service time is the envelope (per-message + per-byte) first, then one per-entry
   * cost per entry in list order, so entry j was committed if the crash came after
   * envelope + (j+1) × per-entry (at the cost factor in force at the crash). A 'volatile' store then
   * loses every registration; a 'persistent' one keeps them.
   */
  protected override onCrash(): void {
    for (const p of this.pending.values()) if (p.timer) this.cancel(p.timer);
    this.pending.clear();
    if (this.mirror !== undefined) {
      const now = this.now();
      let committed = 0;
      this.mirror.forEachInService((m, from, startedAt) => (committed += this.commitPartly(m, from, now - startedAt)));
      if (committed > 0) this.signal('crash.entries-committed', committed);
      this.mirror.clear();
    }
    if (this.cfg.store === 'volatile') {
      const lost = this.registeredCount();
      if (lost > 0) this.signal('store.lost', lost);
      this.registered.fill(0);
      this.profile.fill(0);
      this.via.fill(0);
      this.customProfiles.clear();
    }
  }

  /** Entries of a bulk in service for `elapsed` ns that were processed before the crash; returns how many were stored or deleted. */
  private commitPartly(msg: Message, from: number, elapsed: number): number {
    if (!(msg instanceof BulkRequest) || this.perUe) return 0; // per-ue: entries are decided only after the round trips
    if (msg.ch.token !== this.tokenOf(from)) return 0;
    const c = this.costs.costOf(msg.kind);
    const f = this.costs.factor;
    const envelope = (c.perMessage + c.perByte * msg.bytes) * f;
    const per = c.perEntry * f;
    if (!(per > 0) || elapsed < envelope) return 0;
    const s = this.screen(msg);
    if ('cause' in s) return 0;
    const k = Math.min(s.subs.length, Math.floor((elapsed - envelope) / per));
    let done = 0;
    for (let j = 0; j < k; j++) {
      if (s.early[j] !== 0) continue;
      const ue = s.subs[j];
      const authOk = s.op === DEREG ? true : s.entries !== undefined ? (s.entries[j] as RegistrationEntry).ueCredential === this.cfg.dir.expectedCredential(ue) : !this.cfg.dir.hasBadCredential(ue);
      if ((this.decide(s.op, ue, authOk, from, s.entries?.[j]) & 0xff) === 0) done++;
    }
    return done;
  }

  // ---- the service-queue mirror -----------------------------------------------------------------

  override receive(msg: Message, from: number): boolean {
    const m = this.mirror;
    if (m !== undefined && this.state === 'up') {
      if (this.busyWorkers < this.workers) m.start(msg, from, this.now());
      else if (this.queueLength < this.queueLimit) m.enqueue(msg, from);
    }
    return super.receive(msg, from);
  }

  override dispatch(msg: Message, from: number): void {
    const m = this.mirror;
    if (m !== undefined && from !== FROM_SELF) {
      // A service ends; the node base then starts the next waiting message, now.
      m.end(msg);
      if (this.queueLength > 0) m.startNext(this.now());
    }
    super.dispatch(msg, from);
  }

  override start(): void {
    super.start();
    // Messages that waited through a graceful stop start now.
    const m = this.mirror;
    if (m !== undefined) while (m.inService < this.busyWorkers && m.waiting > 0) m.startNext(this.now());
  }

  /** In service and waiting, as the mirror sees them (tests check it against the node base). */
  serviceMirror(): { inService: number; waiting: number } {
    return { inService: this.mirror?.inService ?? 0, waiting: this.mirror?.waiting ?? 0 };
  }

  /** Sends a message; on a datagram link with segment loss on, a message of k segments may be lost in any of them. */
  private out(to: number, msg: Message): void {
    if (this.segLoss !== undefined && this.segLoss.lose(this.index, to, msg)) return;
    this.send(to, msg);
  }

  /** The simulated time now (for probes that compute once per sample). */
  clockNow(): number {
    return this.now();
  }

  /** Number of UEs registered now. */
  registeredCount(): number {
    let c = 0;
    for (let i = 0; i < this.registered.length; i++) c += this.registered[i];
    return c;
  }

  protected handleMessage(msg: Message, from: number): void {
    if (from === FROM_SELF) {
      if (msg instanceof AuthTimeout) this.onAuthTimeout(msg.id);
      return;
    }
    if (msg instanceof RegistrationRequest || msg instanceof DeregistrationRequest || msg instanceof BulkRequest) return this.onRequest(msg, from);
    if (msg instanceof UeAuthResponse) return this.onAuthResponse(msg);
    if (msg instanceof RawHttpRequest) {
      // DESIGN principle 7: text from outside goes through the strict parser first.
      const r = parseRequest(msg.text, this.cfg.dir, this.nodeId(from), msg.tx, msg.conn);
      if (isParseError(r)) {
        this.signal('request.unreadable', 1);
        this.out(from, new ProblemResponse(r.status, problem(r.cause, r.status, r.detail), msg.tx, msg.conn, msg.sub));
        return;
      }
      return this.onRequest(r, from);
    }
    this.signal('message.unexpected', 1, msg.sub);
  }

  /** Queue full: a request is refused at once with 503 and Retry-After (HTTP's overload answer). */
  protected override onOverload(msg: Message, from: number): void {
    if (msg instanceof RegistrationRequest || msg instanceof DeregistrationRequest || msg instanceof BulkRequest) {
      this.signal('request.overloaded', 1, msg.sub);
      this.respondWhole(msg, from, 'SERVER_OVERLOADED', 503, 'queue full');
    } else if (msg instanceof RawHttpRequest) {
      this.signal('request.overloaded', 1, msg.sub);
      this.out(from, new ProblemResponse(503, problem('SERVER_OVERLOADED', 503, 'queue full'), msg.tx, msg.conn, msg.sub));
    } else super.onOverload(msg, from);
  }

  /** An injected error answer (sim/faults): the request is answered with that status/cause, unprocessed. */
  protected override answerError(msg: Message, from: number, e: ErrorAnswer): void {
    if (!(msg instanceof RegistrationRequest || msg instanceof DeregistrationRequest || msg instanceof BulkRequest)) return super.answerError(msg, from, e);
    const cause = faultCause(e);
    this.signal('request.fault-answered', 1, msg.sub);
    if (CAUSES[cause].scope === 'entry') {
      const n = msg instanceof BulkRequest ? msg.subs.length : 1;
      const early = new Uint8Array(n).fill(causeCode(cause));
      const subs = msg instanceof BulkRequest ? msg.subs : Int32Array.of(msg.sub);
      this.respond(msg, from, subs, early, new Uint8Array(n));
    } else {
      this.respondWhole(msg, from, cause, e.status ?? CAUSES[cause].status, `injected by fault rule ${e.rule}`, e.retryAfter);
    }
  }

  private nodeId(i: number): string {
    return i >= 0 && i < this.addresses.size ? this.addresses.nameOf(i) : `node${i}`;
  }

  private tokenOf(from: number): string {
    return (this.tokens[from] ??= gatewayToken(this.nodeId(from)));
  }

  // ---- requests ----------------------------------------------------------------------------------

  private onRequest(req: Msgin5gRequest, from: number): void {
    // The gateway authenticates itself on every request (TS 33.501 Annex Y: NF-to-NF security).
    if (req.ch.token !== this.tokenOf(from)) {
      return this.respondWhole(req, from, 'GATEWAY_AUTHENTICATION_FAILED', 401, 'no valid bearer token for this gateway');
    }
    if (!this.perUe && !(req instanceof BulkRequest) && req.explicit === undefined) return this.individualFast(req, from);
    const s = this.screen(req);
    if ('cause' in s) return this.respondWhole(req, from, s.cause, s.status, s.detail);
    const { op, subs, early, entries } = s;
    const n = subs.length;
    if (this.perUe) return this.challenge(req, from, op, subs, early, entries);
    // Trusted gateway: each entry's credential is checked here, no round trip.
    const results = new Uint8Array(n);
    const observed = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      if (early[k] !== 0) {
        results[k] = early[k];
        continue;
      }
      const ue = subs[k];
      let authOk: boolean;
      if (op === DEREG) authOk = true; // Table 8.2.4-1 carries no credential: the gateway's authentication vouches
      else if (entries !== undefined) authOk = (entries[k] as RegistrationEntry).ueCredential === this.cfg.dir.expectedCredential(ue);
      else authOk = !this.cfg.dir.hasBadCredential(ue);
      const v = this.decide(op, ue, authOk, from, entries?.[k]);
      results[k] = v & 0xff;
      observed[k] = v >> 8;
    }
    this.respond(req, from, subs, results, observed);
  }

  /** A bulk as a whole (indicator, count, size), then each entry's own checks before the per-entry steps. */
  private screen(req: Msgin5gRequest): Screened | Refusal {
    let op: Op;
    let subs: Int32Array;
    let entries: (RegistrationEntry | DeregistrationEntry | undefined)[] | undefined;
    if (req instanceof BulkRequest) {
      op = req.op;
      if (req.explicit) {
        const c = checkBulk(op, req.explicit, this.cfg.maxBulkSize);
        if (c) return { cause: c.cause, status: CAUSES[c.cause].status, detail: c.detail };
        entries = req.list()!;
      } else if (req.subs.length === 0) {
        return { cause: 'MALFORMED_REQUEST', status: 400, detail: 'the list of individual requests is empty' };
      } else if (req.subs.length > this.cfg.maxBulkSize) {
        return { cause: 'BULK_TOO_LARGE', status: 413, detail: `${req.subs.length} entries; this server accepts at most ${this.cfg.maxBulkSize} per bulk` };
      }
      subs = req.subs;
    } else {
      op = req instanceof RegistrationRequest ? REG : DEREG;
      subs = Int32Array.of(req.sub);
      if (req.explicit) entries = [req.explicit];
    }
    const n = subs.length;
    // 23.554:8.2.X/3 — §8.2.X step 3: "splits the Non-MSGin5G UE bulk registration request" — each entry on its own.
    const early = new Uint8Array(n);
    let seen: Set<number> | undefined;
    for (let k = 0; k < n; k++) {
      if (entries !== undefined && checkEntry(op, entries[k]) !== undefined) early[k] = causeCode('INVALID_ENTRY');
      else if (subs[k] < 0) early[k] = causeCode('UNKNOWN_UE_SERVICE_ID');
      else if (n > 1) {
        seen ??= new Set();
        if (seen.has(subs[k])) early[k] = causeCode('DUPLICATE_ENTRY');
        else seen.add(subs[k]);
      }
    }
    return { op, subs, early, entries };
  }

  /** The common case of an individual request the model built, under a trusted gateway: no arrays allocated. */
  private individualFast(req: RegistrationRequest | DeregistrationRequest, from: number): void {
    const ue = req.sub;
    const op: Op = req instanceof RegistrationRequest ? REG : DEREG;
    // Table 8.2.4-1 carries no credential: for a de-registration the gateway's own authentication vouches.
    const v = ue < 0 ? causeCode('UNKNOWN_UE_SERVICE_ID') : this.decide(op, ue, op === DEREG || !this.cfg.dir.hasBadCredential(ue), from, undefined);
    const code = v & 0xff;
    const obs = v >> 8;
    this.signal(code !== 0 ? 'entry.failed' : op === REG ? 'ue.registered' : 'ue.deleted', 1, ue);
    if (op === REG) {
      const status = code === 0 ? (obs & OBS_BEFORE ? 200 : 201) : CAUSES[causeOf(code)].status;
      this.out(from, new RegistrationResponse(req.ch, ue, req.tx, req.conn, status, code, obs));
    } else {
      const status = code === 0 ? 200 : CAUSES[causeOf(code)].status;
      this.out(from, new DeregistrationResponse(req.ch, ue, req.tx, req.conn, status, code, obs));
    }
  }

  /**
   * One entry, individually (§8.2.3 / §8.2.4 step 3 / §8.2.X step 3): authenticate, authorise, then
   * store or delete. Returns cause code | observation flags << 8; the flags are read back from the
   * store after the change, so the trace shows what the server really holds.
   */
  private decide(op: Op, ue: number, authOk: boolean, from: number, explicit: RegistrationEntry | DeregistrationEntry | undefined): number {
    const before = this.registered[ue] === 1;
    let obs = OBS_PROCESSED | (before ? OBS_BEFORE : 0);
    let cause: FailureCause | undefined;
    if (!authOk) cause = 'AUTHENTICATION_FAILED';
    else if (op === REG) {
      obs |= OBS_AUTHENTICATED;
      if (!this.cfg.dir.authorised(ue)) cause = 'NOT_AUTHORISED';
      else {
        obs |= OBS_AUTHORISED;
        // Store the UE Service ID (the index) and the MSGin5G Client Profile.
        let k: number;
        if (explicit === undefined) k = this.cfg.dir.profileIndex(ue);
        else {
          const p = (explicit as RegistrationEntry).clientProfile;
          k = this.cfg.dir.matchProfile(ue, p);
          if (k < 0) {
            k = PROFILE_CUSTOM;
            this.customProfiles.set(ue, p!);
          } else this.customProfiles.delete(ue);
        }
        this.registered[ue] = 1;
        this.profile[ue] = k;
        this.via[ue] = from + 1;
        const want = explicit === undefined ? this.cfg.dir.profileIndex(ue) : k;
        if (this.profile[ue] === want) obs |= OBS_PROFILE_OK;
      }
    } else {
      obs |= OBS_AUTHENTICATED;
      if (!before) cause = 'UNKNOWN_UE_SERVICE_ID';
      else if (this.via[ue] !== VIA_ANY && this.via[ue] !== from + 1) cause = 'NOT_AUTHORISED';
      else {
        obs |= OBS_AUTHORISED;
        // 23.554:8.2.4/3 — §8.2.4 step 3: "deletes any applicable UE Service ID and associated MSGin5G Client Profile".
        this.registered[ue] = 0;
        this.profile[ue] = 0;
        this.via[ue] = 0;
        this.customProfiles.delete(ue);
        if (this.profile[ue] === 0 && !this.customProfiles.has(ue)) obs |= OBS_PROFILE_OK;
      }
    }
    if (this.registered[ue] === 1) obs |= OBS_AFTER;
    return (cause === undefined ? 0 : causeCode(cause)) | (obs << 8);
  }

  /**
   * 23.554:8.2.X/4, 23.554:8.2.4/4 — §8.2.X step 4 / §8.2.4 step 4: one response entry per request
   * entry, in the request's order, each with UE Service ID, result and (on failure) a cause.
   */
  private respond(req: Msgin5gRequest, from: number, subs: Int32Array, results: Uint8Array, observed: Uint8Array): void {
    const ch = this.channelFor(req);
    if (req instanceof BulkRequest) {
      let echo: (string | null | undefined)[] | undefined;
      if (req.explicit) {
        const list = req.list()!;
        for (let k = 0; k < subs.length; k++) {
          if (subs[k] >= 0) continue;
          echo ??= new Array(subs.length).fill(undefined);
          const id = (list[k] as { ueServiceId?: unknown } | undefined)?.ueServiceId;
          echo[k] = typeof id === 'string' ? id : null;
        }
      }
      let ok = 0;
      for (let k = 0; k < results.length; k++) if (results[k] === 0) ok++;
      this.signal(req.op === REG ? 'ue.registered' : 'ue.deleted', ok);
      if (ok < results.length) this.signal('entry.failed', results.length - ok);
      this.out(from, new BulkResponse(req.op, ch, 200, subs, results, req.tx, req.conn, observed, undefined, echo));
      return;
    }
    const code = results[0];
    const echo = req.sub >= 0 ? undefined : echoOf(req.explicit);
    if (req instanceof RegistrationRequest) {
      const created = (observed[0] & OBS_BEFORE) === 0;
      const status = code === 0 ? (created ? 201 : 200) : CAUSES[causeOf(code)].status;
      if (code === 0) this.signal('ue.registered', 1, req.sub);
      else this.signal('entry.failed', 1, req.sub);
      this.out(from, new RegistrationResponse(ch, req.sub, req.tx, req.conn, status, code, observed[0], echo));
    } else {
      const status = code === 0 ? 200 : CAUSES[causeOf(code)].status;
      if (code === 0) this.signal('ue.deleted', 1, req.sub);
      else this.signal('entry.failed', 1, req.sub);
      this.out(from, new DeregistrationResponse(ch, req.sub, req.tx, req.conn, status, code, observed[0], echo));
    }
  }

  /** A whole-request error: a bulk gets problem details; an individual request its table's IEs with the cause. */
  private respondWhole(req: Msgin5gRequest, from: number, cause: FailureCause, status: number, detail: string, retryAfterNs?: Ns): void {
    const ch = this.channelFor(req);
    const retry = status === 503 ? (retryAfterNs !== undefined ? Math.max(1, Math.ceil(retryAfterNs / 1e9)) : this.retryAfterS) : undefined;
    this.signal('request.refused', 1, req.sub);
    if (req instanceof BulkRequest) {
      this.out(from, new BulkResponse(req.op, ch, status, req.subs, new Uint8Array(0), req.tx, req.conn, undefined, problem(cause, status, detail), undefined, retry));
      return;
    }
    const echo = req.sub >= 0 ? undefined : echoOf(req.explicit);
    const Ctor = req instanceof RegistrationRequest ? RegistrationResponse : DeregistrationResponse;
    this.out(from, new Ctor(ch, req.sub, req.tx, req.conn, status, causeCode(cause), 0, echo, retry));
  }

  /** Responses travel back on the request's connection: same channel (the gateway's UE directory). */
  private channelFor(req: Msgin5gRequest): Channel {
    return req.ch;
  }

  // ---- per-UE authentication round trips ------------------------------------------------------------

  private challenge(
    req: Msgin5gRequest,
    from: number,
    op: Op,
    subs: Int32Array,
    early: Uint8Array,
    entries: (RegistrationEntry | DeregistrationEntry | undefined)[] | undefined,
  ): void {
    const p = new Pending(this.nextPending++, req, from, op, subs, early, entries);
    const rng = this.stream('challenges');
    const ch = this.gatewayChannel(from, req.ch);
    for (let k = 0; k < subs.length; k++) {
      if (early[k] !== 0) continue;
      p.challenge[k] = rng.nextUint32();
      p.waiting++;
      this.out(from, new UeAuthRequest(ch, subs[k], p.id, 0, k, op, p.challenge[k]));
    }
    if (p.waiting === 0) return this.finishPending(p);
    this.pending.set(p.id, p);
    p.timer = this.scheduleSelf(this.cfg.authTimeout, new AuthTimeout(p.id));
  }

  /** The server → gateway channel (the server calls the gateway's API as a client; no bearer token). */
  private gatewayChannel(from: number, reqCh: Channel): Channel {
    return (this.channels[from] ??= {
      host: `${this.nodeId(from)}:${HTTP_PORT}`,
      userAgent: `RegLab-MSGin5G-Server/${this.id}`,
      gateway: reqCh.gateway,
      dir: this.cfg.dir,
    });
  }

  private onAuthResponse(msg: UeAuthResponse): void {
    const p = this.pending.get(msg.tx);
    if (p === undefined || msg.entry < 0 || msg.entry >= p.subs.length || p.subs[msg.entry] !== msg.sub) {
      this.signal('auth.unmatched', 1, msg.sub);
      return;
    }
    const k = msg.entry;
    if (p.authOk[k] !== 0) return; // answered twice
    const expected = UeDirectory.challengeResponse(this.cfg.dir.expectedCredential(msg.sub), p.challenge[k]);
    p.authOk[k] = msg.response === expected ? 1 : 2;
    if (--p.waiting === 0) {
      if (p.timer) this.cancel(p.timer);
      this.pending.delete(p.id);
      this.finishPending(p);
    }
  }

  private onAuthTimeout(id: number): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    for (let k = 0; k < p.subs.length; k++) if (p.early[k] === 0 && p.authOk[k] === 0) p.early[k] = causeCode('AUTHENTICATION_TIMEOUT');
    this.finishPending(p);
  }

  private finishPending(p: Pending): void {
    const n = p.subs.length;
    const results = new Uint8Array(n);
    const observed = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      if (p.early[k] !== 0) {
        results[k] = p.early[k];
        continue;
      }
      const v = this.decide(p.op, p.subs[k], p.authOk[k] === 1, p.from, p.entries?.[k]);
      results[k] = v & 0xff;
      observed[k] = v >> 8;
    }
    this.respond(p.req, p.from, p.subs, results, observed);
  }
}

function echoOf(e: RegistrationEntry | DeregistrationEntry | undefined): string | null {
  const id = (e as { ueServiceId?: unknown } | undefined)?.ueServiceId;
  return typeof id === 'string' ? id : null;
}

/** A fault rule's cause in RegLab's terms: our cause names, or lower-case-dashed ('authentication-failed'). */
function faultCause(e: ErrorAnswer): FailureCause {
  const c = e.cause?.toUpperCase().replace(/-/g, '_');
  if (c !== undefined && isCause(c)) return c;
  if (e.status === 413) return 'BULK_TOO_LARGE';
  if (e.status === 401) return 'GATEWAY_AUTHENTICATION_FAILED';
  if (e.status !== undefined && e.status < 500) return 'MALFORMED_REQUEST';
  return 'SERVER_OVERLOADED';
}
