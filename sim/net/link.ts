import type { Ns } from '../kernel/time.ts';

/**
 * A datagram link may lose and reorder (jitter is drawn per message); a reliable stream never
 * loses and delivers in order (a message never overtakes the one sent before it), at the cost of
 * waiting behind it — what TCP/SCTP look like to the application, without modelling segments.
 */
export type TransportKind = 'datagram' | 'stream';

export interface LinkParams {
  /** One-way propagation delay. */
  delay: Ns;
  /** Extra delay drawn uniformly from [0, jitter] per message. */
  jitter: Ns;
  /** Bits per second; Infinity means no serialization delay. */
  bandwidth: number;
  /** Probability a message is lost (datagram links only; a stream ignores it). */
  loss: number;
  transport: TransportKind;
}

export const DEFAULT_LINK: LinkParams = {
  delay: 0,
  jitter: 0,
  bandwidth: Infinity,
  loss: 0,
  transport: 'datagram',
};

/** One direction of a link, with the state that serialization and in-order delivery need. */
export class LinkDirection {
  /** [txFreeAt, lastArrival]: times written per message, kept where storing them never boxes a double. */
  private readonly t = new Float64Array(2);
  /** When the transmitter finishes the last message it accepted. */
  get txFreeAt(): Ns {
    return this.t[0];
  }
  set txFreeAt(v: Ns) {
    this.t[0] = v;
  }
  /** Arrival time of the last message (stream ordering). */
  get lastArrival(): Ns {
    return this.t[1];
  }
  set lastArrival(v: Ns) {
    this.t[1] = v;
  }
  /**
   * True when a message only waits the propagation delay: no serialization, jitter or loss (a
   * stream ignores loss), so the network skips the rest. Kept in step with params.
   */
  plain = false;
  private p: LinkParams;
  constructor(params: LinkParams) {
    this.p = params;
    this.plain = isPlain(params);
  }

  get params(): LinkParams {
    return this.p;
  }
  set params(params: LinkParams) {
    this.p = params;
    this.plain = isPlain(params);
  }

  /** Serialization time of `bytes` on this link, in integer ns. */
  serialization(bytes: number): Ns {
    const bw = this.params.bandwidth;
    return bw === Infinity ? 0 : Math.round((bytes * 8 * 1e9) / bw);
  }
}

function isPlain(p: LinkParams): boolean {
  return p.bandwidth === Infinity && p.jitter === 0 && (p.loss === 0 || p.transport === 'stream');
}
