import type { SipMessage, TxMessage } from './message.ts';
import { timeout64 } from './timers.ts';
import { ClientTransactionBase, TxState, type ClientTransactionUser, type TransactionEnv } from './transaction.ts';

/*
 * RFC 3261 §17.1.2.2 (Figure 6):
 *
 *   "The 'Trying' state is entered when the TU initiates a new client transaction with a request.
 *    When entering this state, the client transaction SHOULD set timer F to fire in 64*T1 seconds.
 *    The request MUST be passed to the transport layer for transmission. If an unreliable transport
 *    is in use, the client transaction MUST set timer E to fire in T1 seconds. If timer E fires while
 *    still in this state, the timer is reset, but this time with a value of MIN(2*T1, T2). When the
 *    timer fires again, it is reset to a MIN(4*T1, T2). This process continues so that
 *    retransmissions occur with an exponentially increasing interval that caps at T2. [...]
 *    If Timer F fires while the client transaction is still in the 'Trying' state, the client
 *    transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the 'Terminated'
 *    state. If a provisional response is received while in the 'Trying' state, the response MUST be
 *    passed to the TU, and then the client transaction SHOULD move to the 'Proceeding' state. If a
 *    final response (status codes 200-699) is received while in the 'Trying' state, the response MUST
 *    be passed to the TU, and the client transaction MUST transition to the 'Completed' state.
 *
 *    If Timer E fires while in the 'Proceeding' state, the request MUST be passed to the transport
 *    layer for retransmission, and Timer E MUST be reset with a value of T2 seconds. [...]
 *
 *    Once the client transaction enters the 'Completed' state, it MUST set Timer K to fire in T4
 *    seconds for unreliable transports, and zero seconds for reliable transports. The 'Completed'
 *    state exists to buffer any additional response retransmissions that may be received [...]
 *    If Timer K fires while in this state, the client transaction MUST transition to the
 *    'Terminated' state."
 */

/**
 * A non-INVITE client transaction (REGISTER, BYE, SUBSCRIBE, NOTIFY, OPTIONS, …).
 *
 * On an unreliable transport only one kernel timer is pending at a time: Timer E while the next
 * retransmission comes before Timer F's deadline, then Timer F itself. The behaviour is the RFC's
 * (E and F both running); what changes is that a storm of a million transactions keeps one timer
 * each in the event queue instead of two, and a response leaves no cancelled 32 s Timer F behind.
 */
export class NonInviteClientTransaction<M extends TxMessage = SipMessage> extends ClientTransactionBase<M> {
  /**
   * When Timer F fires (absolute ns), kept only on unreliable transports where Timer E must stop
   * short of it: a field that held a time in ns on every transaction would be a boxed double.
   */
  private timerFAt = 0;

  constructor(env: TransactionEnv<M>, request: M, dest: number, reliable: boolean, tu: ClientTransactionUser<M>) {
    super(env, request, dest, reliable, tu, TxState.Trying);
  }

  start(): void {
    const clock = this.env.clock;
    const t = this.env.timers;
    const f = timeout64(t);
    if (!this.reliable && t.T1 < f) {
      this.timerFAt = clock.now() + f;
      this.interval = t.T1;
      this.retransmitTimer = clock.schedule(t.T1, fireTimerE, this);
    } else {
      this.stateTimer = clock.schedule(f, fireTimerF, this);
    }
    this.env.send(this.request, this.dest);
  }

  /** @internal Timer E: retransmit the same request object (identical bytes). */
  timerE(): void {
    this.retransmitTimer = undefined;
    if (this.state !== TxState.Trying && this.state !== TxState.Proceeding) return;
    const t = this.env.timers;
    const clock = this.env.clock;
    this.interval = this.state === TxState.Trying ? Math.min(2 * this.interval, t.T2) : t.T2;
    const now = clock.now();
    if (now + this.interval < this.timerFAt) this.retransmitTimer = clock.schedule(this.interval, fireTimerE, this);
    else this.stateTimer = clock.schedule(this.timerFAt - now, fireTimerF, this);
    this.retransmissions++;
    this.env.send(this.request, this.dest);
  }

  /** @internal Timer K: stop absorbing response retransmissions. */
  timerK(): void {
    this.stateTimer = undefined;
    if (this.state === TxState.Completed) this.terminate();
  }

  receiveResponse(response: M): void {
    const s = this.state;
    if (s !== TxState.Trying && s !== TxState.Proceeding) return; // Completed: absorbed; Terminated: gone
    if (response.status < 200) {
      this.state = TxState.Proceeding;
      this.tu.onResponse(response, this);
      return;
    }
    this.state = TxState.Completed;
    this.cancelTimers();
    this.tu.onResponse(response, this);
    if (this.state !== TxState.Completed) return;
    if (this.reliable) this.terminate(); // Timer K = 0
    else this.stateTimer = this.env.clock.schedule(this.env.timers.T4, fireTimerK, this);
  }

}

function fireTimerE(tx: NonInviteClientTransaction<TxMessage>): void {
  tx.timerE();
}
function fireTimerF(tx: NonInviteClientTransaction<TxMessage>): void {
  tx.timedOut();
}
function fireTimerK(tx: NonInviteClientTransaction<TxMessage>): void {
  tx.timerK();
}
