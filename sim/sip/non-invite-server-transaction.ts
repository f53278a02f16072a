import type { SipMessage, TxMessage } from './message.ts';
import { timeout64 } from './timers.ts';
import { ServerTransactionBase, TxState, type ServerTransactionUser, type TransactionEnv } from './transaction.ts';

/*
 * RFC 3261 §17.2.2 (Figure 8):
 *
 *   "The state machine is initialized in the 'Trying' state and is passed a request other than
 *    INVITE or ACK when initialized. This request is passed up to the TU. Once in the 'Trying'
 *    state, any further request retransmissions are discarded. [...]
 *    While in the 'Trying' state, if the TU passes a provisional response to the server transaction,
 *    the server transaction MUST enter the 'Proceeding' state. The response MUST be passed to the
 *    transport layer for transmission. Any further provisional responses that are received from the
 *    TU while in the 'Proceeding' state MUST be passed to the transport layer for transmission. If a
 *    retransmission of the request is received while in the 'Proceeding' state, the most recently
 *    sent provisional response MUST be passed to the transport layer for retransmission. If the TU
 *    passes a final response (status codes 200-699) to the server while in the 'Proceeding' state,
 *    the transaction MUST enter the 'Completed' state, and the response MUST be passed to the
 *    transport layer for transmission.
 *
 *    When the server transaction enters the 'Completed' state, it MUST set Timer J to fire in 64*T1
 *    seconds for unreliable transports, and zero seconds for reliable transports. While in the
 *    'Completed' state, the server transaction MUST pass the final response to the transport layer
 *    for retransmission whenever a retransmission of the request is received. Any other final
 *    responses passed by the TU to the server transaction MUST be discarded while in the 'Completed'
 *    state. The server transaction remains in this state until Timer J fires, at which point it MUST
 *    transition to the 'Terminated' state."
 */

/** A non-INVITE server transaction. */
export class NonInviteServerTransaction<M extends TxMessage = SipMessage> extends ServerTransactionBase<M> {
  lastResponse: M | undefined = undefined;

  constructor(
    env: TransactionEnv<M>,
    request: M,
    /** Where responses go: the node the request came from (RFC 3261 §18.2.2 simplified to the previous hop). */
    dest: number,
    reliable: boolean,
    tu: ServerTransactionUser<M>,
  ) {
    super(env, request, dest, reliable, tu, TxState.Trying);
  }

  respond(response: M): void {
    const s = this.state;
    if (s !== TxState.Trying && s !== TxState.Proceeding) return; // Completed: other finals are discarded
    this.lastResponse = response;
    if (response.status < 200) {
      this.state = TxState.Proceeding;
      this.env.send(response, this.dest);
      return;
    }
    this.state = TxState.Completed;
    this.env.send(response, this.dest);
    if (this.reliable) this.terminate(); // Timer J = 0
    else this.stateTimer = this.env.clock.schedule(timeout64(this.env.timers), fireTimerJ, this);
  }

  /** Trying: discarded. Proceeding / Completed: the most recent response is resent. */
  receiveRequest(_request: M): void {
    this.absorbRetransmission();
  }

  /** @internal Timer J: stop absorbing request retransmissions. */
  timerJ(): void {
    this.stateTimer = undefined;
    if (this.state === TxState.Completed) this.terminate();
  }
}

function fireTimerJ(tx: NonInviteServerTransaction<TxMessage>): void {
  tx.timerJ();
}
