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
import type { ImsSip } from './sip-message.ts';

/** The IMS nodes' transactions: sim/sip's RFC 3261 transactions, carrying ImsSip messages. */
export type ClientTransaction = SipClientTransaction<ImsSip>;
export type ServerTransaction = SipServerTransaction<ImsSip>;

/**
 * The thin adapter between the IMS nodes and the RFC 3261 §17 transactions of sim/sip/: it runs
 * the SIP layer's own transaction state machines (Timer E/F/K, A/B/D, G/H/I, J, RFC 6026 Accepted)
 * on the node's crash-guarded Clock (through a TimerService), and matches messages to them without
 * any lookup table: the identity the RFC matches on — the top Via's branch and sent-by — is, in the
 * simulator, the Via OBJECT, shared by reference between a request, its retransmissions and its
 * responses, so the transaction hangs on it. A million transactions cost no keys and no parsing.
 *
 * - §17.1.3 a response matches the client transaction whose request had the same top Via
 *   (branch ids are unique per node, and CSeq methods never share a branch here: no CANCEL);
 * - §17.2.3 a request matches the server transaction created by the request with the same top Via
 *   (retransmissions resend the same object; an ACK for a non-2xx reuses the INVITE's Via);
 * - the ACK of a 2xx has a branch of its own and goes to the dialog (the TU), which tells the
 *   INVITE server transaction in Accepted that it came (RFC 6026).
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
  private clients = 0;
  private servers = 0;
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
    return this.clients;
  }
  get serverCount(): number {
    return this.servers;
  }

  // ---- TransactionEnv --------------------------------------------------------------------------

  send(msg: ImsSip | SipMessage, dest: number): void {
    this.node.transmit(msg, dest);
  }

  terminated(tx: Transaction<ImsSip>): void {
    const req = tx.request;
    const v = req.via!;
    if (v.clientTx === tx) {
      v.clientTx = undefined;
      this.clients--;
    } else if (v.serverTx === tx) {
      v.serverTx = undefined;
      this.servers--;
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
    if (v.clientTx !== undefined) throw new Error(`${req.method}: a transaction with this branch is already in flight`);
    const reliable = this.reliable(dest);
    const tx: ClientTransaction =
      req.method === 'INVITE' ? new InviteClientTransaction(this, req, dest, reliable, tu) : new NonInviteClientTransaction(this, req, dest, reliable, tu);
    tx.context = context;
    v.clientTx = tx;
    this.clients++;
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
      // §17.1.3: the top Via is ours and names the transaction.
      const tx = v === null || v.node !== this.node.index ? undefined : (v.clientTx as ClientTransaction | undefined);
      if (tx === undefined) {
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
    // §17.2.3: a retransmission carries the same top Via (branch, sent-by) as the request that created the transaction.
    const existing = v.serverTx as ServerTransaction | undefined;
    if (existing !== undefined) {
      existing.receiveRequest(msg);
      return;
    }
    if (msg.method === 'ACK') {
      const acc = this.accepted2xx.size > 0 ? this.accepted2xx.get(dialogKey(msg)) : undefined;
      if (acc !== undefined) acc.ackReceived();
      this.user.onRequest(msg, from, undefined);
      return;
    }
    const reliable = this.reliable(from);
    // autoTrying off: the IMS nodes answer 100 Trying themselves, as compact messages.
    const tx: ServerTransaction =
      msg.method === 'INVITE' ? new InviteServerTransaction(this, msg, from, reliable, this.user, false) : new NonInviteServerTransaction(this, msg, from, reliable, this.user);
    v.serverTx = tx;
    this.servers++;
    this.onRequestFn(msg, from, tx);
  }

  /** Forgets everything (the node crashed; its guarded Clock already voided the timers). */
  clear(): void {
    this.accepted2xx.clear();
    this.clients = 0;
    this.servers = 0;
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

/** Call-ID (kind, token, subscriber, host) + CSeq number: an ACK's INVITE (INVITEs are few: a string key is fine). */
function dialogKey(m: ImsSip): string {
  return `${m.callKind}:${m.callToken}:${m.sub}:${m.callHost}:${m.cseq}`;
}
