import type { Message } from '../net/message.ts';
import { DIGEST_SEED, digestBytes } from '../net/digest.ts';

/**
 * Raw bytes arriving on a node's SIP input, not (yet) a message: what a real element reads off a
 * socket. The S-CSCF parses them with the strict parser (sim/sip/parser.ts) and answers 400/505
 * (sim/sip/receive.ts) when they are not a valid request — the RFC 4475 acceptance test feeds the
 * torture messages this way. `bytes` is the exact datagram length.
 */
export class RawSip implements Message {
  readonly proto = 'sip';
  readonly kind = 'raw';
  readonly entries = 1;
  readonly bytes: number;
  constructor(
    readonly data: Uint8Array,
    readonly sub = -1,
    /** A label for traces and tests (e.g. the RFC 4475 file name). */
    readonly label = '',
  ) {
    this.bytes = data.length;
  }
  /** The bytes as they arrived (rare: emulation input, torture tests), so hashed whole. */
  digest(): number {
    return digestBytes(DIGEST_SEED, this.data);
  }
  wire(): string {
    return Buffer.from(this.data).toString('latin1');
  }
}
