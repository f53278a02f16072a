import type { Ns } from '../kernel/time.ts';
import type { Message } from '../net/message.ts';
import { Node, FROM_SELF, FROM_WORKLOAD, type ErrorAnswer, type NodeContext } from '../node/node.ts';
import { reasonPhrase } from '../sip/response.ts';
import type { SipMessage } from '../sip/message.ts';
import { sipTimers } from '../sip/timers.ts';
import type { ImsConfig } from './config.ts';
import { imsContextFor, type ImsContext } from './context.ts';
import { CxMessage, DIAMETER_TOO_BUSY, DIAMETER_UNABLE_TO_COMPLY } from './cx.ts';
import { DeadlineFifo } from '../node/deadline-fifo.ts';
import { IdTable } from '../node/id-table.ts';
import { ImsTimer } from './ims-timer.ts';
import { RawSip } from './raw-sip.ts';
import { ImsSip, Shape } from './sip-message.ts';
import { SipStack, requestOf, respond, type ClientTransaction, type ServerTransaction, type StackUser } from './sip-stack.ts';
import { TimerService } from '../node/timer-service.ts';
import { regToTag } from './tags.ts';

/** What every IMS node is built with besides its own parameters. */
export interface ImsEnv {
  cfg: ImsConfig;
  population: number;
  indexOf(id: string): number;
}

/** Granularity of the Cx answer timeout check: timeouts fire up to this much late, in one batch. */
const CX_TICK: Ns = 100_000_000;

/**
 * The base of the IMS nodes: the shared context (identities, addresses), a SIP stack with RFC 3261
 * transactions on the node's crash-guarded Clock, Diameter request/answer matching with a timeout,
 * and the dispatch of the node's one entry point (handleMessage) to SIP, Cx, workload triggers and
 * the node's own timers.
 */
export abstract class ImsNode extends Node implements StackUser {
  readonly ctx: ImsContext;
  readonly stack: SipStack;
  readonly population: number;
  protected readonly env: ImsEnv;
  /** The SIP transactions' timers (eager cancellation; see timer-service.ts). */
  protected readonly timers: TimerService;

  // Diameter requests in flight: answer matching by Hop-by-Hop id, timeouts in send order.
  private hopByHop = 0;
  private readonly cxPending = new IdTable<unknown>();
  private readonly cxFifo = new DeadlineFifo();
  private cxTickArmed = false;
  protected cxTimeout: Ns = 5_000_000_000;

  constructor(id: string, nctx: NodeContext, env: ImsEnv) {
    super(id, nctx);
    this.env = env;
    this.population = env.population;
    this.ctx = imsContextFor(nctx.addresses, env.cfg, env.population);
    const t = env.cfg.timers;
    const self = this;
    const st = sipTimers({ T1: t.T1, T2: t.T2, T4: t.T4, D: Math.max(32_000_000_000, 64 * t.T1) });
    // The SIP timers' fixed delays get O(1) FIFO lanes (64·T1 first: Timer F of every transaction).
    this.timers = new TimerService(this.clock, [64 * st.T1, st.T4, st.D, st.T1, Math.min(2 * st.T1, st.T2), Math.min(4 * st.T1, st.T2), st.T2]);
    this.stack = new SipStack(
      {
        clock: this.timers,
        index: this.index,
        transmit: (m, d) => self.transmit(m, d),
        linkTo: (d) => self.transport.path(self.index, d),
        sentOverTcpForSize: (req) => self.signal('sip.tcp-for-size', 1, req.sub),
      },
      st,
      this,
    );
  }

  /**
   * Every SIP message leaves through here (the first send time is kept for the rule checker). A
   * SipMessage comes only from a transaction that built it (the ACK of a non-2xx INVITE answer).
   */
  transmit(m: ImsSip | SipMessage, dest: number): void {
    if (m instanceof ImsSip) {
      if (m.sentAt < 0) m.sentAt = this.now();
      // The same message object again: a transaction's retransmission (Timer A/E, G; a response
      // re-sent for a retransmitted request, RFC 3261 §17.2.2) — counted, as sngrep marks them.
      else this.signal('sip.retransmissions', 1, m.sub);
    }
    this.send(dest, m);
  }

  isReliable(dest: number): boolean {
    return this.stack.reliable(dest);
  }

  /** Whether the hop to `dest` runs over TCP (the Via transport). */
  protected tcpTo(dest: number): boolean {
    return this.isReliable(dest);
  }

  protected override onCrash(): void {
    this.stack.clear();
    this.timers.clear();
    this.cxPending.clear();
    this.cxFifo.clear();
    this.cxTickArmed = false;
  }

  protected handleMessage(msg: Message, from: number): void {
    if (msg instanceof ImsSip) {
      this.stack.receive(msg, from);
    } else if (msg instanceof CxMessage) {
      if (msg.request) this.onCxRequest(msg, from);
      else this.cxAnswered(msg);
    } else if (from === FROM_SELF && msg instanceof ImsTimer) {
      if (msg.kind === 'cx-tick') this.cxTick();
      else this.onTimer(msg);
    } else if (from === FROM_WORKLOAD) {
      this.onTrigger(msg.kind, msg.sub);
    } else if (msg instanceof RawSip) {
      this.onRawSip(msg, from);
    } else {
      // A message of another model (e.g. a SipMessage answer to raw bytes): counted, not acted on.
      this.signal('message.ignored', 1, msg.sub);
    }
  }

  /**
   * The queue limit sheds new requests only (RFC 6357 §4, RFC 7339 §5.1: an overloaded server keeps
   * processing responses): a SIP response or a Cx answer completes a transaction this node already
   * admitted, and dropping it makes the peer retransmit, or the transaction time out, for work
   * already done — under a flood the I-CSCF then spent its queue on retransmissions of its own
   * forwarded REGISTERs whose 200s it kept dropping, and stopped completing any (issue 12, Security).
   * Admitted requests bound the answers, so the queue stays bounded.
   */
  protected override admitsBeyondLimit(msg: Message): boolean {
    return msg instanceof ImsSip ? msg.status !== 0 : msg instanceof CxMessage && !msg.request;
  }

  /** Retry-After of this node's 503s, seconds. */
  protected retryAfter = 5;

  /**
   * The queue is full (DESIGN, capacity model): a SIP request gets 503 Service Unavailable with
   * Retry-After, sent statelessly (RFC 3261 §21.5.4); a Diameter request DIAMETER_TOO_BUSY (3004,
   * RFC 6733 §7.1.3); answers and ACKs are dropped (nothing to answer them with).
   */
  protected override onOverload(msg: Message, from: number): void {
    if (msg instanceof ImsSip && msg.status === 0 && msg.method !== 'ACK' && msg.via !== null) {
      const r = msg.response(503, 'Service Unavailable', Shape.Overload, 0);
      r.expires = this.retryAfter;
      this.signal('overload.503', 1, msg.sub);
      this.transmit(r.seal(msg.procedure, undefined), from);
      return;
    }
    if (msg instanceof CxMessage && msg.request) {
      const a = msg.answer(this.index);
      a.resultCode = DIAMETER_TOO_BUSY;
      this.signal('overload.3004', 1, msg.sub);
      this.send(from, a.seal(msg.procedure, undefined));
      return;
    }
    super.onOverload(msg, from);
  }

  /** SIP status of an injected error answer when the fault rule names none (sim/faults, docs/faults.md). */
  protected errorStatus = 500;

  /**
   * An injected error (a fault rule of kind `error`): the node served the message and answers, in
   * place of processing it, with the rule's error — a SIP request gets that status statelessly,
   * with Retry-After when the rule gives one (rounded up to whole seconds, RFC 3261 §20.33); a
   * Diameter request gets the rule's `result`: 5001…5011 as a 3GPP Experimental-Result
   * (TS 29.229 §6.2.2, e.g. 5003 IDENTITY_NOT_REGISTERED), any other as the Result-Code (default
   * 5012 UNABLE_TO_COMPLY). Answers, ACKs and workload triggers are dropped (reported as the fault).
   */
  protected override answerError(msg: Message, from: number, e: ErrorAnswer): void {
    if (msg instanceof ImsSip && msg.status === 0 && msg.method !== 'ACK' && msg.via !== null) {
      const status = e.status ?? this.errorStatus;
      const withRetry = e.retryAfter !== undefined;
      const r = msg.response(status, reasonPhrase(status) || 'Error', withRetry ? Shape.Overload : Shape.Plain, regToTag(msg.callToken));
      if (withRetry) r.expires = Math.ceil(e.retryAfter! / 1e9);
      this.signal(`fault.answered-${status}`, 1, msg.sub);
      this.transmit(r.seal(msg.procedure, undefined), from);
      return;
    }
    if (msg instanceof CxMessage && msg.request) {
      const a = msg.answer(this.index);
      const code = e.result ?? DIAMETER_UNABLE_TO_COMPLY;
      if (code >= 5001 && code <= 5011) a.experimentalCode = code;
      else a.resultCode = code;
      this.signal(`fault.answered-${code}`, 1, msg.sub);
      this.send(from, a.seal(msg.procedure, undefined));
      return;
    }
    super.answerError(msg, from, e);
  }

  // ---- hooks for the concrete nodes --------------------------------------------------------------

  abstract onRequest(req: ImsSip, from: number, tx: ServerTransaction | undefined): void;
  abstract onResponse(resp: ImsSip, tx: ClientTransaction): void;
  abstract onTimeout(tx: ClientTransaction): void;

  /**
   * The stream to `peer` was reset (sim/net breakConnection): the SIP transactions on it fail at
   * once. A node that is down has no connections to lose.
   */
  connectionFailed(peer: number): void {
    if (this.state !== 'up') return;
    this.signal('sip.connection-reset', 1, -1);
    const n = this.stack.connectionFailed(peer);
    if (n > 0) this.signal('sip.transport-error', n, -1);
  }

  /**
   * A client transaction's transport error (RFC 3261 §17.1.4): the TU treats it as a 503 Service
   * Unavailable received (§8.1.3.1), which is also what a proxy does for a request it could not
   * forward (§16.9). The 503 is the node's own, never on the wire.
   */
  onTransportError(tx: ClientTransaction): void {
    const req = requestOf(tx);
    this.onResponse(req.response(503, 'Service Unavailable', Shape.Plain, 0), tx);
  }

  onStrayResponse(resp: ImsSip, _from: number): void {
    this.signal('sip.stray-response', 1, resp.sub);
  }
  protected onCxRequest(req: CxMessage, _from: number): void {
    this.signal('cx.unexpected-request', 1, req.sub);
  }
  protected onCxAnswer(_ans: CxMessage, _context: unknown): void {}
  protected onCxTimeout(_context: unknown): void {}
  protected onTimer(_t: ImsTimer): void {}
  protected onTrigger(kind: string, sub: number): void {
    this.signal(`trigger.unknown.${kind}`, 1, sub);
  }
  /** Raw bytes on the SIP input (tests feed RFC 4475 messages this way); default: not served. */
  protected onRawSip(raw: RawSip, _from: number): void {
    this.signal('sip.raw-ignored', 1, raw.sub);
  }

  // ---- SIP helpers -------------------------------------------------------------------------------

  /** Answers a request through its server transaction with a header-only response. */
  protected answer(tx: ServerTransaction, req: ImsSip, status: number, reason: string, toTag: number, rules?: readonly string[]): ImsSip {
    const r = req.response(status, reason, Shape.Plain, toTag).seal(req.procedure, rules);
    respond(tx, r);
    return r;
  }

  // ---- Diameter (Cx) requests with answer timeout ----------------------------------------------

  nextHopByHop(): number {
    this.hopByHop = (this.hopByHop + 1) >>> 0;
    return this.hopByHop;
  }

  /** Sends a Cx request (its hopByHop set by nextHopByHop) and waits for its answer or the timeout. */
  protected sendCx(req: CxMessage, to: number, context: unknown): void {
    this.cxPending.set(req.hopByHop, context);
    this.cxFifo.push(req.hopByHop, this.now() + this.cxTimeout);
    if (!this.cxTickArmed) this.armCxTick();
    req.sentAt = this.now();
    this.send(to, req);
  }

  private cxAnswered(ans: CxMessage): void {
    const ctx = this.cxPending.get(ans.hopByHop);
    if (ctx === undefined) {
      this.signal('cx.late-answer', 1, ans.sub);
      return;
    }
    this.cxPending.delete(ans.hopByHop);
    this.onCxAnswer(ans, ctx);
  }

  private armCxTick(): void {
    if (this.cxFifo.size === 0) return;
    const due = this.cxFifo.peekDeadline();
    // One check per CX_TICK at most: requests are timed out in batches, not one kernel timer each.
    const at = Math.ceil(due / CX_TICK) * CX_TICK;
    this.cxTickArmed = true;
    this.scheduleSelf(Math.max(0, at - this.now()), CX_TICK_MSG);
  }

  private cxTick(): void {
    this.cxTickArmed = false;
    const now = this.now();
    while (this.cxFifo.size > 0 && this.cxFifo.peekDeadline() <= now) {
      const id = this.cxFifo.shift();
      const ctx = this.cxPending.get(id);
      if (ctx !== undefined) {
        this.cxPending.delete(id);
        this.signal('cx.timeout');
        this.onCxTimeout(ctx);
      }
    }
    // Skip entries already answered, then wait for the next one still pending.
    while (this.cxFifo.size > 0 && !this.cxPending.has(this.cxFifo.peekId())) this.cxFifo.shift();
    this.armCxTick();
  }
}

const CX_TICK_MSG = new ImsTimer('cx-tick', -1);
