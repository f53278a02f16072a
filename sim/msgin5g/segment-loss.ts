import type { RandomStream } from '../kernel/random.ts';
import type { TransportPort } from '../node/ports.ts';
import type { Message } from '../net/message.ts';
import type { Signals } from '../net/signals.ts';

/**
 * Loss that grows with message size, for the bulk-size-vs-loss question (REFERENCE.md §5 question 7).
 *
 * The network's datagram links lose a message with probability `loss` whatever its size. A large
 * bulk really travels as many segments (IP fragments, or TCP segments on a path where one loss
 * kills the exchange), and it is lost when any of them is: with segment loss q and k segments it
 * arrives with probability (1 − q)^k. With `msgin5g.segmentLoss.segmentSize` set, the MSGin5G
 * sender reads the link's `loss` as q per segment: the network draws one segment as usual, this
 * draws the other k − 1 (k = ⌈bytes / segmentSize⌉). Stream links, which never lose, are untouched.
 *
 * A message lost here is reported exactly as the network reports a loss (sent, then dropped with
 * reason 'loss' against the node it was heading for), so traces, counts and ladders read the same.
 * It does not occupy the link's transmitter (the network's own losses do); on the links this is
 * meant for (no bandwidth limit) that makes no difference.
 *
 * This belongs in sim/net as a link parameter (an MTU for datagram loss); it lives here until it does.
 */
export class SegmentLoss {
  constructor(
    readonly segmentSize: number,
    private readonly transport: TransportPort,
    private readonly signals: Signals,
    private readonly rng: RandomStream,
    private readonly now: () => number,
  ) {}

  /** Segments a message of `bytes` occupies. */
  segments(bytes: number): number {
    return Math.max(1, Math.ceil(bytes / this.segmentSize));
  }

  /** Whether the message is lost in one of its segments beyond the first; reports the loss if so. */
  lose(from: number, to: number, msg: Message): boolean {
    const p = this.transport.path(from, to).params;
    if (p.transport !== 'datagram' || !(p.loss > 0)) return false;
    const extra = this.segments(msg.bytes) - 1;
    if (extra === 0) return false;
    if (!this.rng.chance(1 - Math.pow(1 - p.loss, extra))) return false;
    const now = this.now();
    this.signals.sent(now, from, to, msg);
    this.signals.dropped(now, from, to, msg, 'loss');
    return true;
  }
}

/** Probability that a message of `bytes` survives segment loss q (all of its segments arrive). */
export function survival(bytes: number, segmentSize: number, q: number): number {
  return Math.pow(1 - q, segmentSize > 0 ? Math.max(1, Math.ceil(bytes / segmentSize)) : 1);
}
