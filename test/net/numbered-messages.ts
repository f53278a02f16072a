import type { Simulator } from '../../sim/kernel/simulator.ts';
import type { Ns } from '../../sim/kernel/time.ts';
import type { Endpoint } from '../../sim/net/network.ts';
import type { Message } from '../../sim/net/message.ts';

/** A generic test message carrying a number, so a test can tell which one arrived. */
export interface Numbered extends Message {
  readonly n: number;
}

export function numbered(n: number, bytes = 100, kind = 'request', entries = 1): Numbered {
  return { proto: 'gen', kind, bytes, entries, sub: -1, n };
}

/** An endpoint that only records what arrives (when, from where, which number): to see what a network or a node sends. */
export class ArrivalRecorder implements Endpoint {
  index = -1;
  readonly arrivals: { t: Ns; from: number; n: number }[] = [];
  constructor(
    readonly id: string,
    private readonly sim: Simulator,
  ) {}
  receive(m: Message, from: number): void {
    this.arrivals.push({ t: this.sim.now(), from, n: (m as Numbered).n });
  }
}
