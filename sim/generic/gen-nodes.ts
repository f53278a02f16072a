import type { Timer } from '../kernel/clock.ts';
import type { Ns } from '../kernel/time.ts';
import type { Message } from '../net/message.ts';
import { Node, FROM_SELF, FROM_WORKLOAD, type NodeContext } from '../node/node.ts';
import { GenMessage, GenTimeout } from './gen-message.ts';

interface Pending {
  sub: number;
  started: Ns;
  timer: Timer;
}

/** What every generic node is built from: its parameters and the address book it resolves next hops with. */
abstract class GenNode<P> extends Node {
  constructor(
    id: string,
    ctx: NodeContext,
    protected readonly p: P,
    protected readonly indexOf: (id: string) => number,
  ) {
    super(id, ctx);
  }
}

/** Sends a request for each trigger and waits for the answer, or gives up after `timeout`. */
export class GenClient extends GenNode<{ via: string; timeout: Ns; payload: number }> {
  private nextTx = 1;
  private readonly pending = new Map<number, Pending>();
  private firstHop = -1;

  protected override onStart(): void {
    this.firstHop = this.indexOf(this.p.via);
  }

  protected override onCrash(): void {
    for (const [, pend] of this.pending) this.procedureEnded('request-response', pend.sub, pend.started, 'abandoned');
    this.pending.clear();
  }

  protected handleMessage(msg: Message, from: number): void {
    if (from === FROM_WORKLOAD) {
      const tx = this.nextTx++;
      this.procedureStarted('request-response', msg.sub);
      const timer = this.scheduleSelf(this.p.timeout, new GenTimeout(msg.sub, tx));
      this.pending.set(tx, { sub: msg.sub, started: this.now(), timer });
      this.send(this.firstHop, new GenMessage('request', msg.sub, tx, [this.id], this.p.payload));
    } else if (from === FROM_SELF && msg instanceof GenTimeout) {
      const pend = this.pending.get(msg.tx);
      if (!pend) return;
      this.pending.delete(msg.tx);
      this.procedureEnded('request-response', pend.sub, pend.started, 'failed');
    } else if (msg instanceof GenMessage && msg.kind === 'response') {
      const pend = this.pending.get(msg.tx);
      if (!pend) {
        this.signal('response.unmatched', 1, msg.sub);
        return;
      }
      this.pending.delete(msg.tx);
      this.cancel(pend.timer);
      this.procedureEnded('request-response', pend.sub, pend.started, 'completed');
    }
  }
}

/** Passes requests on to `next`, adding itself to Via, and answers back along Via. */
export class GenRelay extends GenNode<{ next: string }> {
  private nextHop = -1;

  protected override onStart(): void {
    this.nextHop = this.indexOf(this.p.next);
  }

  protected handleMessage(msg: Message): void {
    if (!(msg instanceof GenMessage)) return;
    if (msg.kind === 'request') {
      this.send(this.nextHop, new GenMessage('request', msg.sub, msg.tx, [this.id, ...msg.via], msg.payload));
    } else {
      const [self, back, ...rest] = msg.via;
      if (self !== this.id || back === undefined) {
        this.signal('response.misrouted', 1, msg.sub);
        return;
      }
      this.send(this.indexOf(back), new GenMessage('response', msg.sub, msg.tx, [back, ...rest], msg.payload));
    }
  }
}

/** Answers each request to the node it came from. */
export class GenServer extends GenNode<{ payload: number }> {
  protected handleMessage(msg: Message): void {
    if (!(msg instanceof GenMessage) || msg.kind !== 'request') return;
    const back = msg.via[0];
    this.send(this.indexOf(back), new GenMessage('response', msg.sub, msg.tx, msg.via, this.p.payload));
  }
}
