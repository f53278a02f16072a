import type { Clock } from '../kernel/clock.ts';
import type { SipMessage } from './message.ts';
import { DEFAULT_SIP_TIMERS, type SipTimers } from './timers.ts';
import {
  Transaction,
  type ClientTransaction,
  type ClientTransactionUser,
  type ServerTransaction,
  type ServerTransactionUser,
  type TransactionEnv,
} from './transaction.ts';
import { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import { InviteClientTransaction } from './invite-client-transaction.ts';
import { InviteServerTransaction } from './invite-server-transaction.ts';
import { firstListElement } from './invite-client-transaction.ts';

/** The node above the layer: new requests and what matched no transaction. */
export interface TransactionLayerUser extends ServerTransactionUser {
  /**
   * A new request (never a retransmission: those are absorbed). `tx` is the server transaction to
   * answer through (`tx.respond(resp)`); undefined for an ACK, which has no transaction of its own
   * (the ACK of a 2xx: it belongs to the dialog — RFC 3261 §17.2.3 passes it to the core).
   */
  onRequest(request: SipMessage, from: number, tx: ServerTransaction | undefined): void;
  /**
   * A response that matched no client transaction (RFC 3261 §17.1.3: passed to the core): a 2xx
   * retransmission after Timer M, a response after Timer K, a response to someone else.
   */
  onStrayResponse?(response: SipMessage, from: number): void;
}

export interface TransactionLayerOptions {
  timers?: SipTimers;
  /**
   * Whether the transport to a peer node is reliable (stream: TCP/SCTP — no retransmissions, zero
   * wait timers). A boolean for all peers, or a function of the peer's node index. Default false (UDP).
   */
  reliable?: boolean | ((peer: number) => boolean);
  /** INVITE server transactions answer 100 Trying after 200 ms without a TU response (default true). */
  autoTrying?: boolean;
}

/** What `receive` did with a message (for counters and tests). */
export type ReceiveOutcome =
  | 'request' // a new request, passed to the user with its server transaction
  | 'ack' // an ACK with no server transaction of its own, passed to the user
  | 'absorbed' // a retransmitted request or ACK, handled by its server transaction
  | 'response' // a response handed to its client transaction
  | 'stray'; // a response that matched no client transaction, passed to onStrayResponse

/*
 * RFC 3261 §17.1.3 (client side): "A response matches a client transaction under two conditions:
 *  1. If the response has the same value of the branch parameter in the top Via header field as
 *     the branch parameter in the top Via header field of the request that created the transaction.
 *  2. If the method parameter in the CSeq header field matches the method of the request that
 *     created the transaction. The method is needed since a CANCEL request constitutes a different
 *     transaction, but shares the same value of the branch parameter."
 *
 * RFC 3261 §17.2.3 (server side): "the request matches a transaction if:
 *  1. the branch parameter in the request is equal to the one in the top Via header field of the
 *     request that created the transaction, and
 *  2. the sent-by value in the top Via of the request is equal to the one in the request that
 *     created the transaction, and
 *  3. the method of the request matches the one that created the transaction, except for ACK,
 *     where the method of the request that created the transaction is INVITE."
 * A branch without the magic cookie z9hG4bK comes from an RFC 2543 client: matched instead on
 * Call-ID, CSeq number, From tag and top Via (the §17.2.3 fallback, without the To tag, which an
 * ACK carries and its INVITE did not).
 */

/**
 * The transaction layer of one node: creates client transactions for outgoing requests, matches
 * incoming responses to them and incoming requests to server transactions (absorbing
 * retransmissions), and forgets each transaction when it terminates.
 *
 * Complexity: O(1) per message (one Map lookup by a string key); memory per transaction in flight
 * is one object of ~12 fields plus its Map entry and kernel timers (see docs/sip.md for measures).
 */
export class TransactionLayer implements TransactionEnv {
  readonly timers: SipTimers;
  /**
   * Client transactions by top-Via branch (the branch is unique per transaction: §8.1.1.7), and
   * the CANCELs, which share their INVITE's branch, apart. No key string is built per message:
   * the branch string is the message's own (cached, so its hash is too).
   */
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly cancels = new Map<string, ClientTransaction>();
  /**
   * Server transactions by branch; a hit is confirmed on method and sent-by (§17.2.3). A second
   * transaction with the same branch (a CANCEL, or another client's clashing branch) lives in
   * `serversByFullKey` under branch + sent-by + method.
   */
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly serversByFullKey = new Map<string, ServerTransaction>();
  /** INVITE server transactions in Accepted, by Call-ID + CSeq number, for the ACK of their 2xx. */
  private readonly acceptedInvites = new Map<string, InviteServerTransaction>();
  private readonly reliableFn: (peer: number) => boolean;
  private readonly autoTrying: boolean;

  constructor(
    readonly clock: Clock,
    private readonly transport: (msg: SipMessage, dest: number) => void,
    readonly user: TransactionLayerUser,
    opts: TransactionLayerOptions = {},
  ) {
    this.timers = opts.timers ?? DEFAULT_SIP_TIMERS;
    const r = opts.reliable ?? false;
    this.reliableFn = typeof r === 'function' ? r : r ? alwaysTrue : alwaysFalse;
    this.autoTrying = opts.autoTrying ?? true;
  }

  /** Client transactions in flight. */
  get clientCount(): number {
    return this.clients.size + this.cancels.size;
  }

  /** Server transactions in flight. */
  get serverCount(): number {
    return this.servers.size + this.serversByFullKey.size;
  }

  /** @internal TransactionEnv */
  send(msg: SipMessage, dest: number): void {
    this.transport(msg, dest);
  }

  /**
   * Starts a client transaction for `request` towards node `dest` and sends it. INVITE gets an
   * INVITE client transaction, anything else a non-INVITE one. ACK has no transaction: use sendAck.
   * The request's top Via must carry a branch unique to this transaction (see headers.ts `viaValue`).
   */
  sendRequest(request: SipMessage, dest: number, tu: ClientTransactionUser, context?: unknown): ClientTransaction {
    if (request.status !== 0) throw new TypeError(`sendRequest needs a request, got a ${request.status} response`);
    if (request.method === 'ACK') throw new TypeError('an ACK has no client transaction: use sendAck()');
    const branch = request.branch;
    if (branch === '') throw new TypeError(`the ${request.method} request has no Via branch: every request needs one (RFC 3261 §8.1.1.7)`);
    const map = request.method === 'CANCEL' ? this.cancels : this.clients;
    if (map.has(branch)) throw new Error(`a client transaction with branch ${branch} and method ${request.method} is already in flight`);
    const reliable = this.reliableFn(dest);
    const tx: ClientTransaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this, request, dest, reliable, tu)
        : new NonInviteClientTransaction(this, request, dest, reliable, tu);
    tx.key = branch;
    tx.context = context;
    map.set(branch, tx);
    tx.start();
    return tx;
  }

  /** Sends an ACK for a 2xx (a dialog's own request, outside any transaction — RFC 3261 §13.2.2.4). */
  sendAck(ack: SipMessage, dest: number): void {
    this.transport(ack, dest);
  }

  /** Sends a response statelessly (no server transaction: e.g. a 400 to a request that failed parsing). */
  sendStateless(response: SipMessage, dest: number): void {
    this.transport(response, dest);
  }

  /** Hands an incoming SIP message to its transaction, or to the user. */
  receive(msg: SipMessage, from: number): ReceiveOutcome {
    if (msg.status !== 0) {
      // §17.1.3: same branch, and the CSeq method of the request that created the transaction.
      const tx = (msg.method === 'CANCEL' ? this.cancels : this.clients).get(msg.branch);
      if (tx === undefined || tx.request.method !== msg.method) {
        this.user.onStrayResponse?.(msg, from);
        return 'stray';
      }
      tx.receiveResponse(msg);
      return 'response';
    }
    const isAck = msg.method === 'ACK';
    const existing = this.findServer(msg, isAck ? 'INVITE' : msg.method);
    if (existing !== undefined) {
      existing.receiveRequest(msg);
      return 'absorbed';
    }
    if (isAck) {
      const acc = this.acceptedInvites.get(dialogKey(msg));
      if (acc !== undefined) acc.ackReceived();
      this.user.onRequest(msg, from, undefined);
      return 'ack';
    }
    const reliable = this.reliableFn(from);
    const tx: ServerTransaction =
      msg.method === 'INVITE'
        ? new InviteServerTransaction(this, msg, from, reliable, this.user, this.autoTrying)
        : new NonInviteServerTransaction(this, msg, from, reliable, this.user);
    const branch = msg.branch;
    if (branch.startsWith(MAGIC_COOKIE) && !this.servers.has(branch)) {
      tx.key = branch;
      this.servers.set(branch, tx);
    } else {
      tx.key = fullServerKey(msg, msg.method);
      this.serversByFullKey.set(tx.key, tx);
    }
    this.user.onRequest(msg, from, tx);
    return 'request';
  }

  /** RFC 3261 §17.2.3 matching (see the comment above the class). */
  private findServer(req: SipMessage, method: string): ServerTransaction | undefined {
    const branch = req.branch;
    if (branch.startsWith(MAGIC_COOKIE)) {
      const tx = this.servers.get(branch);
      if (tx !== undefined && tx.request.method === method && sentBy(tx.request.header('via') ?? '') === sentBy(req.header('via') ?? '')) return tx;
      if (this.serversByFullKey.size === 0) return undefined;
    }
    return this.serversByFullKey.get(fullServerKey(req, method));
  }

  /** @internal TransactionEnv: an INVITE server transaction sent a 2xx; its ACK will come with a new branch. */
  accepted(tx: Transaction): void {
    if (tx instanceof InviteServerTransaction) this.acceptedInvites.set(dialogKey(tx.request), tx);
  }

  /** The INVITE server transaction a CANCEL refers to (RFC 3261 §9.2: same branch and sent-by, method INVITE). */
  inviteFor(cancel: SipMessage): ServerTransaction | undefined {
    return this.findServer(cancel, 'INVITE');
  }

  /** The client transaction of a request this layer sent, by branch and method. */
  clientTransaction(branch: string, method: string): ClientTransaction | undefined {
    const tx = (method === 'CANCEL' ? this.cancels : this.clients).get(branch);
    return tx !== undefined && tx.request.method === method ? tx : undefined;
  }

  /** @internal TransactionEnv: a transaction reached Terminated. */
  terminated(tx: Transaction): void {
    if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
    else if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
    else if (this.cancels.get(tx.key) === tx) this.cancels.delete(tx.key);
    else if (this.serversByFullKey.get(tx.key) === tx) this.serversByFullKey.delete(tx.key);
    if (tx instanceof InviteServerTransaction) {
      const k = dialogKey(tx.request);
      if (this.acceptedInvites.get(k) === tx) this.acceptedInvites.delete(k);
    }
  }

  /**
   * Forgets every transaction without telling anyone: for a node's onCrash(). The node's
   * crash-guarded Clock has already voided their timers.
   */
  clear(): void {
    this.clients.clear();
    this.cancels.clear();
    this.servers.clear();
    this.serversByFullKey.clear();
    this.acceptedInvites.clear();
  }
}

function alwaysTrue(): boolean {
  return true;
}
function alwaysFalse(): boolean {
  return false;
}

const MAGIC_COOKIE = 'z9hG4bK';

function fullServerKey(req: SipMessage, method: string): string {
  const branch = req.branch;
  const via = req.header('via') ?? '';
  if (branch.startsWith(MAGIC_COOKIE)) return branch + ' ' + sentBy(via) + ' ' + method;
  // RFC 2543 fallback (§17.2.3).
  return `2543 ${req.header('call-id') ?? ''} ${cseqNumber(req)} ${fromTag(req)} ${firstListElement(via)} ${method}`;
}

function dialogKey(req: SipMessage): string {
  return (req.header('call-id') ?? '') + ' ' + cseqNumber(req);
}

/** The sent-by of the first via-parm (host[:port], whitespace removed): "SIP / 2.0 / UDP h : 5060" → "h:5060". */
function sentBy(via: string): string {
  let end = via.length;
  for (let i = 0; i < via.length; i++) {
    const c = via.charCodeAt(i);
    if (c === 59 || c === 44) {
      end = i;
      break;
    }
  }
  const slash = via.lastIndexOf('/', end);
  const last = via.slice(slash + 1, end).trim(); // "UDP host:port"
  const sp = last.search(/\s/);
  return sp < 0 ? '' : last.slice(sp).replace(/\s+/g, '');
}

function cseqNumber(req: SipMessage): string {
  const c = req.header('cseq') ?? '';
  const m = /^\s*(\d+)/.exec(c);
  return m ? m[1] : '';
}

function fromTag(req: SipMessage): string {
  const f = req.header('from') ?? '';
  const m = /;\s*tag\s*=\s*([^;,\s]+)/i.exec(f.slice(f.lastIndexOf('>') + 1));
  return m ? m[1] : '';
}
