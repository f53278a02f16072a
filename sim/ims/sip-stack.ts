import type { Clock } from '../kernel/clock.ts';
import type { SipMessage } from '../sip/message.ts';
import type { SipTimers } from '../sip/timers.ts';
import { NonInviteClientTransaction } from '../sip/non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from '../sip/non-invite-server-transaction.ts';
import { InviteClientTransaction } from '../sip/invite-client-transaction.ts';
import { InviteServerTransaction } from '../sip/invite-server-transaction.ts';
import type {
  ClientTransaction as SipClientTransaction,
  ClientTransactionUser,
  ServerTransaction as SipServerTransaction,
  ServerTransactionUser,
  Transaction,
  TransactionEnv,
} from '../sip/transaction.ts';
import { IdTable } from '../node/id-table.ts';
import { Via, type ImsSip } from './sip-message.ts';

/**
 * RFC 3261 §18.1.1: a request larger than 1300 bytes (the path MTU being unknown) MUST go over a
 * congestion-controlled transport (TCP). The emulation lab's sockets apply the same limit.
 */
export const UDP_SIZE_LIMIT = 1300;

/** The IMS nodes' transactions: sim/sip's RFC 3261 transactions, carrying ImsSip messages. */
export type ClientTransaction = SipClientTransaction<ImsSip>;
export type ServerTransaction = SipServerTransaction<ImsSip>;

/**
 * The thin adapter between the IMS nodes and the RFC 3261 §17 transactions of sim/sip/: it runs
 * the SIP layer's own transaction state machines (Timer E/F/K, A/B/D, G/H/I, J, RFC 6026 Accepted)
 * on the node's crash-guarded Clock (through a TimerService), and matches messages to them by what
 * the RFC matches on — the top Via's branch and sent-by, and the method — never by object identity,
 * so a message parsed from wire text (the emulation lab) matches as well as one passed by reference:
 *
 * - §17.1.3 a response matches the client transaction whose request had the same top Via branch
 *   (the Via is this node's: its sent-by) and the same CSeq method;
 * - §17.2.3 a request matches the server transaction created by the request with the same top Via
 *   branch and sent-by and the same method (an ACK for a non-2xx matches its INVITE's);
 * - the ACK of a 2xx has a branch of its own and goes to the dialog (the TU), which tells the
 *   INVITE server transaction in Accepted that it came (RFC 6026).
 *
 * Branches are numbers (rendered z9hG4bK<node hex2><id hex8>) handed out in sequence by each sender,
 * and sent-by is the sender's address: so the tables are IdTables — the client transactions by
 * branch, the server transactions by branch per sender — an array access each, no hashing, nothing
 * allocated per transaction (measured against the Via-object slots they replace: BENCHMARKS.md).
 *
 * The sim/sip transactions are generic in the message they carry (a TxMessage: method, status,
 * branch, and header()/headers/requestUri for the rare paths that build an ACK for a non-2xx or a
 * 100 Trying, which ImsSip renders on demand): here they carry ImsSip, typed end to end. What they
 * build themselves (that ACK, that 100) is a SipMessage, sent as it is.
 */
export interface StackNode {
  readonly clock: Clock;
  readonly index: number;
  /** Puts a message on the wire towards node `dest` (a SipMessage only when a transaction built it). */
  transmit(msg: ImsSip | SipMessage, dest: number): void;
  /** The link towards `dest` (the same object for the whole run; its params follow setLink). */
  linkTo(dest: number): { readonly params: { readonly transport: string } };
  /** A request sent over TCP on a datagram path because of its size (§18.1.1), for counting. */
  sentOverTcpForSize?(req: ImsSip): void;
}

/** What the stack hands the node: a new request (with its server transaction, none for an ACK). */
export interface StackUser extends ClientTransactionUser<ImsSip>, ServerTransactionUser<ImsSip> {
  onRequest(req: ImsSip, from: number, tx: ServerTransaction | undefined): void;
  /** A response that matched no client transaction (e.g. after Timer K). */
  onStrayResponse?(resp: ImsSip, from: number): void;
}

export class SipStack implements TransactionEnv<ImsSip> {
  /** INVITE server transactions in Accepted, by dialog (Call-ID token + CSeq), for their 2xx's ACK. */
  private readonly accepted2xx = new Map<string, InviteServerTransaction<ImsSip>>();
  private branchCounter = 0;
  /** Links by peer, fetched once: whether a hop is reliable is read off their current params. */
  private readonly links: ({ readonly params: { readonly transport: string } } | undefined)[] = [];
  /** The user's request hook, bound once (one call target per stack, no lookup on the node's class). */
  private readonly onRequestFn: (req: ImsSip, from: number, tx: ServerTransaction | undefined) => void;
  /** §17.1.3: this node's client transactions by the branch of their request's top Via. */
  private readonly clientTxs = new IdTable<ClientTransaction>();
  /** §17.2.3: server transactions by sent-by (the sender's address), then branch. */
  private readonly serverTxs: (IdTable<ServerTransaction> | undefined)[] = [];
  readonly clock: Clock;

  constructor(
    private readonly node: StackNode,
    readonly timers: SipTimers,
    private readonly user: StackUser,
  ) {
    this.clock = node.clock;
    this.onRequestFn = user.onRequest.bind(user);
  }

  /** Whether the link to `dest` is a reliable stream (TCP/SCTP): no retransmissions, zero wait timers. */
  reliable(dest: number): boolean {
    let l = this.links[dest];
    if (l === undefined) l = this.links[dest] = this.node.linkTo(dest);
    return l.params.transport === 'stream';
  }

  /** A branch id unique to this node (rendered z9hG4bK<node><id>). */
  nextBranch(): number {
    this.branchCounter = (this.branchCounter + 1) >>> 0;
    return this.branchCounter;
  }

  get clientCount(): number {
    return this.clientTxs.size;
  }
  get serverCount(): number {
    let n = 0;
    for (const t of this.serverTxs) if (t !== undefined) n += t.size;
    return n;
  }

  private serverTable(sentBy: number): IdTable<ServerTransaction> {
    let t = this.serverTxs[sentBy];
    if (t === undefined) t = this.serverTxs[sentBy] = new IdTable<ServerTransaction>(64);
    return t;
  }

  // ---- TransactionEnv --------------------------------------------------------------------------

  send(msg: ImsSip | SipMessage, dest: number): void {
    this.node.transmit(msg, dest);
  }

  terminated(tx: Transaction<ImsSip>): void {
    const req = tx.request;
    const v = req.via!;
    if (v.node === this.node.index && this.clientTxs.get(v.branch) === tx) this.clientTxs.delete(v.branch);
    else {
      const table = this.serverTxs[v.node];
      if (table !== undefined && table.get(v.branch) === tx) table.delete(v.branch);
    }
    if (req.method === 'INVITE' && tx instanceof InviteServerTransaction) {
      const d = dialogKey(req);
      if (this.accepted2xx.get(d) === tx) this.accepted2xx.delete(d);
    }
  }

  accepted(tx: Transaction<ImsSip>): void {
    if (tx instanceof InviteServerTransaction) this.accepted2xx.set(dialogKey(tx.request), tx);
  }

  // ---- sending -----------------------------------------------------------------------------------

  /** Starts a client transaction for `req` (its top Via must be this node's, and new) towards `dest`. */
  request(req: ImsSip, dest: number, context: unknown, tu: ClientTransactionUser<ImsSip> = this.user): ClientTransaction {
    const v = req.via;
    if (v === null || v.node !== this.node.index) throw new Error(`${req.method}: the top Via must be the sending node's`);
    if (this.clientTxs.has(v.branch)) throw new Error(`${req.method}: a transaction with this branch is already in flight`);
    let reliable = this.reliable(dest);
    if (!reliable && req.bytes > UDP_SIZE_LIMIT) {
      // §18.1.1: too large for UDP — TCP to the same peer (the Via names it; same length either way),
      // so a reliable transaction: no Timer E retransmissions, Timer K = 0.
      req.via = new Via(v.node, v.branch, true, v.next);
      reliable = true;
      this.node.sentOverTcpForSize?.(req);
    }
    const tx: ClientTransaction =
      req.method === 'INVITE' ? new InviteClientTransaction(this, req, dest, reliable, tu) : new NonInviteClientTransaction(this, req, dest, reliable, tu);
    tx.context = context;
    this.clientTxs.set(v.branch, tx);
    tx.start();
    return tx;
  }

  /** A message outside any transaction: the ACK of a 2xx (RFC 3261 §13.2.2.4) or a stateless answer. */
  sendDirect(msg: ImsSip, dest: number): void {
    this.node.transmit(msg, dest);
  }

  // ---- receiving ---------------------------------------------------------------------------------

  /** Hands an incoming message to its transaction, or to the node. */
  receive(msg: ImsSip, from: number): void {
    const v = msg.via;
    if (msg.status !== 0) {
      // §17.1.3: the top Via is ours (sent-by) and its branch and the CSeq method name the transaction.
      const tx = v === null || v.node !== this.node.index ? undefined : this.clientTxs.get(v.branch);
      if (tx === undefined || tx.request.method !== msg.method) {
        this.user.onStrayResponse?.(msg, from);
        return;
      }
      tx.receiveResponse(msg);
      return;
    }
    if (v === null) {
      this.user.onRequest(msg, from, undefined); // no Via: the node answers 400 itself
      return;
    }
    // §17.2.3: a retransmission carries the same top Via (branch, sent-by) and method as the
    // request that created the transaction (an ACK for a non-2xx: its INVITE's).
    const existing = this.serverTxs[v.node]?.get(v.branch);
    if (existing !== undefined && sameServerTransaction(existing.request, msg)) {
      existing.receiveRequest(msg);
      return;
    }
    if (msg.method === 'ACK') {
      const acc = this.accepted2xx.size > 0 ? this.accepted2xx.get(dialogKey(msg)) : undefined;
      if (acc !== undefined) acc.ackReceived();
      this.user.onRequest(msg, from, undefined);
      return;
    }
    // The transport the request came over (its top Via): a datagram path carries TCP too (§18.1.1).
    const reliable = v.tcp || this.reliable(from);
    // autoTrying off: the IMS nodes answer 100 Trying themselves, as compact messages.
    const tx: ServerTransaction =
      msg.method === 'INVITE' ? new InviteServerTransaction(this, msg, from, reliable, this.user, false) : new NonInviteServerTransaction(this, msg, from, reliable, this.user);
    this.serverTable(v.node).set(v.branch, tx);
    this.onRequestFn(msg, from, tx);
  }

  /**
   * The reliable stream to `peer` broke: every client transaction whose request went over it
   * reports a transport error now (RFC 3261 §17.1.4, §8.1.3.1: handled as a 503) instead of
   * waiting for Timer F — what would answer it can no longer arrive on that connection.
   */
  connectionFailed(peer: number): number {
    let n = 0;
    for (const tx of this.clientTxs.liveValues()) {
      if (tx.dest !== peer || !tx.reliable) continue;
      n++;
      tx.transportError();
    }
    return n;
  }

  /** Forgets everything (the node crashed; its guarded Clock already voided the timers). */
  clear(): void {
    this.accepted2xx.clear();
    this.clientTxs.clear();
    this.serverTxs.length = 0;
  }
}

/** Sends a response through its server transaction. */
export function respond(tx: ServerTransaction, resp: ImsSip): void {
  tx.respond(resp);
}

/** The request that created a transaction. */
export function requestOf(tx: Transaction<ImsSip>): ImsSip {
  return tx.request;
}

/** §17.2.3: the method matches, except that an ACK matches the INVITE it acknowledges. */
function sameServerTransaction(req: ImsSip, msg: ImsSip): boolean {
  return req.method === msg.method || (msg.method === 'ACK' && req.method === 'INVITE');
}

/** Call-ID (kind, token, subscriber, host) + CSeq number: an ACK's INVITE (INVITEs are few: a string key is fine). */
function dialogKey(m: ImsSip): string {
  return `${m.callKind}:${m.callToken}:${m.sub}:${m.callHost}:${m.cseq}`;
}
