import { SipMessage, isHeader, type SipHeader, type TxMessage } from './message.ts';
import { timeout64 } from './timers.ts';
import { ClientTransactionBase, TxState, type ClientTransactionUser, type TransactionEnv } from './transaction.ts';

/*
 * RFC 3261 §17.1.1.2 (Figure 5), with RFC 6026's 'Accepted' state:
 *
 *   "The initial state, 'calling', MUST be entered when the TU initiates a new client transaction
 *    with an INVITE request. The client transaction MUST pass the request to the transport layer for
 *    transmission. If an unreliable transport is being used, the client transaction MUST start timer
 *    A with a value of T1. [...] For any transport, the client transaction MUST start timer B with a
 *    value of 64*T1 seconds. When timer A fires, the client transaction MUST retransmit the request
 *    by passing it to the transport layer, and MUST reset the timer with a value of 2*T1. [...]
 *    If the client transaction is still in the 'Calling' state when timer B fires, the client
 *    transaction SHOULD inform the TU that a timeout has occurred.
 *
 *    If the client transaction receives a provisional response while in the 'Calling' state, it
 *    transitions to the 'Proceeding' state. [...] When in either the 'Calling' or 'Proceeding'
 *    states, reception of a response with status code from 300-699 MUST cause the client
 *    transaction to transition to 'Completed'. The client transaction MUST pass the received
 *    response up to the TU, and the client transaction MUST generate an ACK request, even if the
 *    transport is reliable [...]. The client transaction SHOULD start timer D when it enters the
 *    'Completed' state, with a value of at least 32 seconds for unreliable transports, and a value
 *    of zero seconds for reliable transports. [...] Any retransmissions of the final response that
 *    are received while in the 'Completed' state MUST cause the ACK to be re-passed to the transport
 *    layer for retransmission, but the newly received response MUST NOT be passed up to the TU."
 *
 * RFC 6026 §8.4: a 2xx in 'Calling' or 'Proceeding' is passed to the TU and the transaction enters
 * 'Accepted', starting Timer M (64*T1); further 2xx responses in 'Accepted' are passed to the TU
 * (which acknowledges them: the ACK for a 2xx belongs to the dialog, not to this transaction).
 */

/** An INVITE client transaction. */
export class InviteClientTransaction<M extends TxMessage = SipMessage> extends ClientTransactionBase<M> {
  /** The ACK this transaction generated for a non-2xx final response (resent on its retransmissions). */
  ack: SipMessage | undefined = undefined;

  constructor(env: TransactionEnv<M>, request: M, dest: number, reliable: boolean, tu: ClientTransactionUser<M>) {
    super(env, request, dest, reliable, tu, TxState.Calling);
  }

  start(): void {
    const clock = this.env.clock;
    const t = this.env.timers;
    this.stateTimer = clock.schedule(timeout64(t), fireTimerB, this);
    if (!this.reliable) {
      this.interval = t.T1;
      this.retransmitTimer = clock.schedule(t.T1, fireTimerA, this);
    }
    this.env.send(this.request, this.dest);
  }

  /** @internal Timer A: retransmit, doubling each time (no T2 cap for INVITE requests). */
  timerA(): void {
    this.retransmitTimer = undefined;
    if (this.state !== TxState.Calling) return;
    this.interval *= 2;
    this.retransmitTimer = this.env.clock.schedule(this.interval, fireTimerA, this);
    this.retransmissions++;
    this.env.send(this.request, this.dest);
  }

  /** @internal Timer D (Completed) or Timer M (Accepted). */
  timerEnd(): void {
    this.stateTimer = undefined;
    if (this.state === TxState.Completed || this.state === TxState.Accepted) this.terminate();
  }

  receiveResponse(response: M): void {
    const s = this.state;
    const code = response.status;
    if (s === TxState.Calling || s === TxState.Proceeding) {
      if (code < 200) {
        if (s === TxState.Calling) {
          this.state = TxState.Proceeding;
          this.cancelTimers(); // no more A; B guards 'Calling' only (Timer C is a proxy's, above us)
        }
        this.tu.onResponse(response, this);
        return;
      }
      this.cancelTimers();
      if (code < 300) {
        this.state = TxState.Accepted;
        this.stateTimer = this.env.clock.schedule(timeout64(this.env.timers), fireTimerEnd, this);
        this.tu.onResponse(response, this);
        return;
      }
      this.state = TxState.Completed;
      this.ack = ackForNon2xx(this.request, response);
      this.env.send(this.ack, this.dest);
      this.tu.onResponse(response, this);
      if (this.state !== TxState.Completed) return;
      if (this.reliable) this.terminate(); // Timer D = 0
      else this.stateTimer = this.env.clock.schedule(this.env.timers.D, fireTimerEnd, this);
      return;
    }
    if (s === TxState.Completed && code >= 300 && this.ack !== undefined) this.env.send(this.ack, this.dest);
    else if (s === TxState.Accepted && code >= 200 && code < 300) this.tu.onResponse(response, this);
  }

}

/*
 * RFC 3261 §17.1.1.3: "The ACK request constructed by the client transaction MUST contain values
 * for the Call-ID, From, and Request-URI that are equal to the values of those header fields in the
 * request passed to the transport by the client transaction [...]. The To header field in the ACK
 * MUST equal the To header field in the response being acknowledged [...]. The ACK MUST contain a
 * single Via header field, and this MUST be equal to the top Via header field of the original
 * request. The CSeq header field in the ACK MUST contain the same value for the sequence number as
 * was present in the original request, but the method parameter MUST be equal to 'ACK'. If the
 * INVITE request whose response is being acknowledged had Route header fields, those header fields
 * MUST appear in the ACK."
 */
export function ackForNon2xx(invite: TxMessage, response: TxMessage): SipMessage {
  const headers: SipHeader[] = [];
  const via = invite.header('via');
  if (via !== undefined) headers.push(['Via', firstListElement(via)]);
  for (const [n, v] of invite.headers) {
    if (isHeader(n, 'route')) headers.push([n, v]);
  }
  const maxForwards = invite.header('max-forwards');
  if (maxForwards !== undefined) headers.push(['Max-Forwards', maxForwards]);
  const from = invite.header('from');
  if (from !== undefined) headers.push(['From', from]);
  const to = response.header('to') ?? invite.header('to');
  if (to !== undefined) headers.push(['To', to]);
  const callId = invite.header('call-id');
  if (callId !== undefined) headers.push(['Call-ID', callId]);
  const cseq = invite.header('cseq') ?? '';
  headers.push(['CSeq', `${cseq.trim().split(/\s+/)[0]} ACK`]);
  return SipMessage.request('ACK', invite.requestUri, headers, { sub: invite.sub, procedure: invite.procedure });
}

/** The first element of a comma-separated header value (commas inside quotes or <> do not count). */
export function firstListElement(value: string): string {
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === 44 && !angle) return value.slice(0, i).trim();
  }
  return value.trim();
}

function fireTimerA(tx: InviteClientTransaction<TxMessage>): void {
  tx.timerA();
}
/** Timer B: no response in 64·T1 (it guards Calling only: entering Proceeding cancels it). */
function fireTimerB(tx: InviteClientTransaction<TxMessage>): void {
  tx.timedOut();
}
function fireTimerEnd(tx: InviteClientTransaction<TxMessage>): void {
  tx.timerEnd();
}
