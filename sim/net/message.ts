/**
 * What the network carries. Protocol modules (sip/, ims/, msgin5g/) define their own message
 * classes; the framework needs only this much of them.
 *
 * Wire text is rendered on demand (DESIGN principle 5): `bytes` is exact for every message, while
 * `wire()` runs only for watched subscribers, exports and the emulation lab.
 */
export interface Message {
  /** Protocol family as shown in traces: 'sip', 'cx', 'msgin5g', 'gen', 'trigger', 'timer'. */
  readonly proto: string;
  /** Kind as shown in traces: 'REGISTER', '200 REGISTER', 'UAR', 'request', … */
  readonly kind: string;
  /** Exact size on the wire in bytes (the application payload: SIP text, HTTP message, Diameter PDU). */
  readonly bytes: number;
  /** Entries carried, for the capacity model: 1 for ordinary messages, n for a bulk of n. */
  readonly entries: number;
  /** The subscriber this message concerns, or -1. */
  readonly sub: number;
  /** All subscribers a multi-subscriber (bulk) message concerns; includes `sub` when present. */
  readonly subs?: ArrayLike<number>;
  /** Name of the procedure this message belongs to (for traces and latency). */
  readonly procedure?: string;
  /** Spec step ids this message realises, e.g. '24.292:6.3.6.2/4'. */
  readonly rules?: readonly string[];
  /** The message as text on the wire. */
  wire?(): string;
  /**
   * A 32-bit digest of the content, for the trace hash (sim/net/digest.ts): messages with the same
   * wire text have the same digest, and any change on the wire changes it (up to 2^-32 collisions).
   * Computed from the compact fields, never by rendering. A message without one is hashed by its
   * byte count alone.
   */
  digest?(): number;
}

/** Sender index for messages that did not come over the network. */
export const FROM_WORKLOAD = -1;
export const FROM_SELF = -2;
