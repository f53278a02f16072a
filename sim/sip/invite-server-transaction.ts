import type { SipMessage, TxMessage } from './message.ts';
import { createResponse } from './response.ts';
import { timeout64 } from './timers.ts';
import { ServerTransactionBase, TxState, type ServerTransactionUser, type TransactionEnv } from './transaction.ts';
import { MS } from '../kernel/time.ts';

/*
 * RFC 3261 §17.2.1 (Figure 7), with RFC 6026's 'Accepted' state:
 *
 *   "When a server transaction is constructed for a request, it enters the 'Proceeding' state. The
 *    server transaction MUST generate a 100 (Trying) response unless it knows that the TU will
 *    generate a provisional or final response within 200 ms [...]. If a request retransmission is
 *    received while in the 'Proceeding' state, the most recent provisional response that was
 *    received from the TU MUST be passed to the transport layer for retransmission. [...]
 *    While in the 'Proceeding' state, if the TU passes a response with status code from 300 to 699
 *    to the server transaction, the response MUST be passed to the transport layer for
 *    transmission, and the state machine MUST enter the 'Completed' state. For unreliable
 *    transports, timer G is set to fire in T1 seconds [...]. When the 'Completed' state is entered,
 *    timer H MUST be set to fire in 64*T1 seconds for all transports. [...] If timer G fires, the
 *    response is passed to the transport layer once more for retransmission, and timer G is set to
 *    fire in MIN(2*T1, T2) seconds. [...] If an ACK is received while the server transaction is in
 *    the 'Completed' state, the server transaction MUST transition to the 'Confirmed' state. [...]
 *    If timer H fires while in the 'Completed' state, it implies that the ACK was never received.
 *    In this case, the server transaction MUST transition to the 'Terminated' state, and MUST
 *    indicate to the TU that a transaction failure has occurred.
 *
 *    The purpose of the 'Confirmed' state is to absorb any additional ACK messages that arrive [...].
 *    When this state is entered, timer I is set to fire in T4 seconds for unreliable transports, and
 *    zero seconds for reliable transports. Once timer I fires, the server MUST transition to the
 *    'Terminated' state."
 *
 * RFC 6026 §8.7: a 2xx from the TU in 'Proceeding' moves the transaction to 'Accepted' with Timer L
 * (64*T1); retransmitted INVITEs are absorbed there, 2xx responses from the TU still sent.
 * RFC 3261 §13.3.1.4 makes the UAS core retransmit the 2xx (T1 doubling up to T2) until the ACK
 * arrives, and end the session if none comes within 64*T1. RegLab's transaction carries that duty
 * for its TU: in 'Accepted' it retransmits the 2xx until `ackReceived()` (the layer routes the ACK
 * by Call-ID and CSeq number), and reports `onAckTimeout` when Timer L fires unacknowledged.
 */

/** RFC 3261 §17.2.1's "200 ms" before a server transaction answers 100 Trying on its own. */
export const TRYING_DELAY = 200 * MS;

/** An INVITE server transaction. */
export class InviteServerTransaction<M extends TxMessage = SipMessage> extends ServerTransactionBase<M> {
  /** The last response sent: the TU's, or the automatic 100 Trying (a SipMessage). */
  lastResponse: M | SipMessage | undefined = undefined;
  /** Responses retransmitted by Timer G (non-2xx) or the §13.3.1.4 2xx retransmission. */
  retransmissions = 0;
  /** Whether the 2xx was acknowledged (Accepted state). */
  acknowledged = false;

  constructor(
    env: TransactionEnv<M>,
    request: M,
    dest: number,
    reliable: boolean,
    tu: ServerTransactionUser<M>,
    /** Send 100 Trying when the TU has not answered within 200 ms (the RFC's MUST unless the TU is known to be quick). */
    autoTrying = true,
  ) {
    super(env, request, dest, reliable, tu, TxState.Proceeding);
    if (autoTrying) this.retransmitTimer = env.clock.schedule(TRYING_DELAY, fireTrying, this);
  }

  /** @internal the 200 ms timer. */
  trying(): void {
    this.retransmitTimer = undefined;
    if (this.state === TxState.Proceeding && this.lastResponse === undefined) {
      this.lastResponse = createResponse(this.request, 100);
      this.env.send(this.lastResponse, this.dest);
    }
  }

  respond(response: M): void {
    const s = this.state;
    const code = response.status;
    if (s === TxState.Accepted && code >= 200 && code < 300) {
      this.env.send(response, this.dest); // RFC 6026: 2xx from the TU still go out
      return;
    }
    if (s !== TxState.Proceeding) return;
    if (this.retransmitTimer !== undefined) {
      this.env.clock.cancel(this.retransmitTimer); // the 100 Trying timer
      this.retransmitTimer = undefined;
    }
    this.lastResponse = response;
    this.env.send(response, this.dest);
    if (code < 200) return;
    const clock = this.env.clock;
    const t = this.env.timers;
    this.state = code < 300 ? TxState.Accepted : TxState.Completed;
    if (code < 300) this.env.accepted?.(this);
    this.stateTimer = clock.schedule(timeout64(t), fireTimerHL, this);
    if (!this.reliable) {
      this.interval = t.T1;
      this.retransmitTimer = clock.schedule(t.T1, fireTimerG, this);
    }
  }

  /** @internal Timer G (non-2xx) or the §13.3.1.4 2xx retransmission timer. */
  timerG(): void {
    this.retransmitTimer = undefined;
    const s = this.state;
    if (!(s === TxState.Completed || (s === TxState.Accepted && !this.acknowledged)) || this.lastResponse === undefined) return;
    this.interval = Math.min(2 * this.interval, this.env.timers.T2);
    this.retransmitTimer = this.env.clock.schedule(this.interval, fireTimerG, this);
    this.retransmissions++;
    this.env.send(this.lastResponse, this.dest);
  }

  /** @internal Timer H (Completed: no ACK) or Timer L (Accepted). */
  timerHL(): void {
    this.stateTimer = undefined;
    if (this.state === TxState.Completed || (this.state === TxState.Accepted && !this.acknowledged)) {
      this.cancelTimers();
      this.tu.onAckTimeout?.(this);
    }
    this.terminate();
  }

  /** @internal Timer I. */
  timerI(): void {
    this.stateTimer = undefined;
    if (this.state === TxState.Confirmed) this.terminate();
  }

  /** A retransmitted INVITE, or the ACK for a non-2xx response, matched by branch. */
  receiveRequest(request: M): void {
    const s = this.state;
    if (request.method === 'ACK') {
      if (s === TxState.Completed) {
        this.state = TxState.Confirmed;
        this.cancelTimers();
        if (this.reliable) this.terminate(); // Timer I = 0
        else this.stateTimer = this.env.clock.schedule(this.env.timers.T4, fireTimerI, this);
      } else if (s === TxState.Accepted) this.ackReceived();
      return;
    }
    this.absorbRetransmission();
  }

  /** The ACK for the 2xx arrived (the layer matched it by Call-ID + CSeq): stop retransmitting the 2xx. */
  ackReceived(): void {
    if (this.state !== TxState.Accepted || this.acknowledged) return;
    this.acknowledged = true;
    if (this.retransmitTimer !== undefined) {
      this.env.clock.cancel(this.retransmitTimer);
      this.retransmitTimer = undefined;
    }
  }
}

function fireTrying(tx: InviteServerTransaction<TxMessage>): void {
  tx.trying();
}
function fireTimerG(tx: InviteServerTransaction<TxMessage>): void {
  tx.timerG();
}
function fireTimerHL(tx: InviteServerTransaction<TxMessage>): void {
  tx.timerHL();
}
function fireTimerI(tx: InviteServerTransaction<TxMessage>): void {
  tx.timerI();
}
