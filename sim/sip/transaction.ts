import type { Clock, Timer } from '../kernel/clock.ts';
import type { SipMessage, TxMessage } from './message.ts';
import { createResponse } from './response.ts';
import type { SipTimers } from './timers.ts';

/**
 * What every transaction shares with the others of its layer (one object per node, not per
 * transaction, so a million transactions in flight cost no closures): the node's Clock, the timer
 * values, how to put a message on the wire, and whom to tell when a transaction ends.
 * `TransactionLayer` implements it; tests may pass a plain object.
 *
 * The transactions are generic in the message class M they carry (any TxMessage; SipMessage by
 * default). What they build themselves — the ACK of a non-2xx, an automatic 100 Trying — is a
 * SipMessage, so `send` takes either.
 */
export interface TransactionEnv<M extends TxMessage = SipMessage> {
  readonly clock: Clock;
  readonly timers: SipTimers;
  /** Hands a message to the transport towards `dest` (a node index; -1 when the caller routes). */
  send(msg: M | SipMessage, dest: number): void;
  /** Called once when a transaction reaches Terminated (the layer forgets it). */
  terminated(tx: Transaction<M>): void;
  /** Called when an INVITE server transaction enters Accepted (the layer then routes the 2xx's ACK to it). */
  accepted?(tx: Transaction<M>): void;
}

/** Transaction states, named as RFC 3261 §17 (Figures 5–8) and RFC 6026 (Accepted) name them. */
export enum TxState {
  Calling = 0,
  Trying = 1,
  Proceeding = 2,
  Completed = 3,
  Confirmed = 4,
  Accepted = 5,
  Terminated = 6,
}

/**
 * The transaction user of a client transaction (RFC 3261 §17.1: the UAC core or proxy core).
 * One object usually serves all of a node's transactions: the transaction is passed along, and
 * `tx.context` carries whatever the TU attached (a subscriber index, a procedure record).
 */
export interface ClientTransactionUser<M extends TxMessage = SipMessage> {
  /** Every response the transaction passes up: provisional ones, the final one, and (INVITE, Accepted) 2xx retransmissions. */
  onResponse(response: M, tx: ClientTransaction<M>): void;
  /**
   * Timer F (non-INVITE) or Timer B (INVITE) fired without a final response: RFC 3261 §8.1.3.1 has
   * the TU treat it as a 408 (Request Timeout). Called once; the transaction is then terminated.
   */
  onTimeout(tx: ClientTransaction<M>): void;
  /** The transport reported a failure (§17.1.4); treated as a 503 by the TU. */
  onTransportError?(tx: ClientTransaction<M>): void;
  /** The transaction reached Terminated and was forgotten by its layer. */
  onTerminated?(tx: ClientTransaction<M>): void;
}

/**
 * The transaction user of server transactions. Its hooks have names of their own, so that one
 * object can serve as both a client and a server transaction user.
 */
export interface ServerTransactionUser<M extends TxMessage = SipMessage> {
  /**
   * Timer H fired (an INVITE's non-2xx final response was never acknowledged) or, in Accepted, no
   * ACK came for the 2xx within 64·T1 (RFC 3261 §13.3.1.4: the session should then be ended).
   */
  onAckTimeout?(tx: ServerTransaction<M>): void;
  onServerTerminated?(tx: ServerTransaction<M>): void;
}

/** Fields and helpers every transaction has. Subclasses implement one RFC 3261 §17 state machine. */
export abstract class Transaction<M extends TxMessage = SipMessage> {
  state: TxState;
  /** Whatever the transaction user attached (subscriber index, procedure state…); RegLab never reads it. */
  context: unknown = undefined;
  /** The layer's matching key (set by TransactionLayer). */
  key = '';
  /** Timer E / A / G (retransmission) — the one timer that repeats. */
  protected retransmitTimer: Timer | undefined = undefined;
  /** Timer F / B / H / J / K / D / I / L / M — the one that ends a state. */
  protected stateTimer: Timer | undefined = undefined;
  /** Current retransmission interval (ns). */
  protected interval = 0;

  constructor(
    readonly env: TransactionEnv<M>,
    /** The request that created the transaction; retransmissions resend this very object. */
    readonly request: M,
    /** Peer node index (where requests go for a client transaction; where responses go for a server one). */
    readonly dest: number,
    /** Reliable transport (stream: TCP/SCTP): no retransmissions, zero wait timers (§17.1.2.2, §17.2.2). */
    readonly reliable: boolean,
    initial: TxState,
  ) {
    this.state = initial;
  }

  /** The branch of the request's top Via: the transaction id (RFC 3261 §17.1.3). */
  get branch(): string {
    return this.request.branch;
  }

  get method(): string {
    return this.request.method;
  }

  get terminated(): boolean {
    return this.state === TxState.Terminated;
  }

  protected cancelTimers(): void {
    const clock = this.env.clock;
    if (this.retransmitTimer !== undefined) {
      clock.cancel(this.retransmitTimer);
      this.retransmitTimer = undefined;
    }
    if (this.stateTimer !== undefined) {
      clock.cancel(this.stateTimer);
      this.stateTimer = undefined;
    }
  }

  /** Enters Terminated once: cancels timers, tells the layer (which forgets the transaction) and the TU. */
  protected terminate(): void {
    if (this.state === TxState.Terminated) return;
    this.state = TxState.Terminated;
    this.cancelTimers();
    this.env.terminated(this);
    this.notifyTerminated();
  }

  protected abstract notifyTerminated(): void;
}

/** A client transaction of either kind (what a ClientTransactionUser is handed). */
export interface ClientTransaction<M extends TxMessage = SipMessage> extends Transaction<M> {
  readonly tu: ClientTransactionUser<M>;
  /** Starts the transaction: sends the request and starts its timers. */
  start(): void;
  /** A response matched to this transaction by the layer (RFC 3261 §17.1.3). */
  receiveResponse(response: M): void;
  /** The transport failed to deliver (§17.1.4). */
  transportError(): void;
}

/** A server transaction of either kind (what the layer hands the TU with a new request). */
export interface ServerTransaction<M extends TxMessage = SipMessage> extends Transaction<M> {
  readonly tu: ServerTransactionUser<M>;
  /** Sends a response through the transaction (RFC 3261 §17.2: the TU passes every response here). */
  respond(response: M): void;
  /** A retransmission of the request (or, INVITE, the ACK) matched to this transaction. */
  receiveRequest(request: M): void;
  /** The last response sent, if any (resent on request retransmissions; an automatic 100 Trying is a SipMessage). */
  readonly lastResponse: M | SipMessage | undefined;
}

/**
 * What the INVITE and non-INVITE client transactions share (RFC 3261 §17.1): the TU, the count of
 * request retransmissions, and how waiting for a final response ends without one — Timer B / F
 * (the TU treats it as a 408, §8.1.3.1) or a transport error (a 503, §17.1.4).
 */
export abstract class ClientTransactionBase<M extends TxMessage = SipMessage> extends Transaction<M> implements ClientTransaction<M> {
  /** Retransmissions sent so far (not counting the first transmission). */
  retransmissions = 0;

  constructor(env: TransactionEnv<M>, request: M, dest: number, reliable: boolean, readonly tu: ClientTransactionUser<M>, initial: TxState) {
    super(env, request, dest, reliable, initial);
  }

  abstract start(): void;
  abstract receiveResponse(response: M): void;

  /** Calling / Trying or Proceeding: no final response yet. */
  protected get awaitingFinal(): boolean {
    return this.state <= TxState.Proceeding;
  }

  /** @internal Timer B (INVITE) or F (non-INVITE): no final response in 64·T1. */
  timedOut(): void {
    this.stateTimer = undefined;
    if (!this.awaitingFinal) return;
    this.cancelTimers();
    this.tu.onTimeout(this);
    this.terminate();
  }

  transportError(): void {
    if (!this.awaitingFinal) return;
    this.cancelTimers();
    this.tu.onTransportError?.(this);
    this.terminate();
  }

  protected notifyTerminated(): void {
    this.tu.onTerminated?.(this);
  }
}

/**
 * What the INVITE and non-INVITE server transactions share (RFC 3261 §17.2): the TU, absorbing a
 * request retransmission by resending the last response (Proceeding, Completed), and ending on a
 * transport error (§17.2.4).
 */
export abstract class ServerTransactionBase<M extends TxMessage = SipMessage> extends Transaction<M> implements ServerTransaction<M> {
  /** Request retransmissions received (absorbed) so far. */
  retransmissionsAbsorbed = 0;
  abstract readonly lastResponse: M | SipMessage | undefined;

  constructor(env: TransactionEnv<M>, request: M, dest: number, reliable: boolean, readonly tu: ServerTransactionUser<M>, initial: TxState) {
    super(env, request, dest, reliable, initial);
  }

  abstract respond(response: M): void;
  abstract receiveRequest(request: M): void;

  /** A retransmission of the request: counted; in Proceeding or Completed the last response is resent (the same object). */
  protected absorbRetransmission(): void {
    this.retransmissionsAbsorbed++;
    const s = this.state;
    if ((s === TxState.Proceeding || s === TxState.Completed) && this.lastResponse !== undefined) this.env.send(this.lastResponse, this.dest);
  }

  /** The transport failed to send a response (§17.2.4): the transaction ends. */
  transportError(): void {
    this.terminate();
  }

  protected notifyTerminated(): void {
    this.tu.onServerTerminated?.(this);
  }
}

/**
 * RFC 3261 §8.1.3.1: "If the transaction layer indicates a timeout [...] the UAC core MUST treat
 * this as a 408 (Request Timeout)". For a TU that wants the 408 as a message (to log it, to run the
 * same code path as a received 408), built on demand: nothing is allocated unless asked.
 */
export function requestTimeoutResponse<M extends TxMessage>(tx: ClientTransaction<M>): SipMessage {
  return createResponse(tx.request, 408, { reason: 'Request Timeout' });
}
