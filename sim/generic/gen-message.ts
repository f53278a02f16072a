import type { Message } from '../net/message.ts';
import { DIGEST_SEED, digestString, digestWord } from '../net/digest.ts';

/**
 * RegLab's generic request/response protocol: not a 3GPP protocol, an honest example for the
 * foundation (a request crosses relays to a server and the answer comes back the same way).
 *
 *   GEN/1.0 REQUEST            GEN/1.0 RESPONSE
 *   Subscriber: 17             Subscriber: 17
 *   Transaction: 5             Transaction: 5
 *   Via: relay, client         Via: client
 *   Length: 100                Length: 200
 *   <blank line, then Length bytes of payload>
 */
export type GenKind = 'request' | 'response';

export class GenMessage implements Message {
  readonly proto = 'gen';
  readonly entries = 1;
  readonly procedure = 'request-response';
  readonly bytes: number;
  readonly rules: readonly string[];

  constructor(
    readonly kind: GenKind,
    readonly sub: number,
    readonly tx: number,
    /** Node ids the request passed, most recent first (the answer retraces it). */
    readonly via: readonly string[],
    readonly payload: number,
  ) {
    this.bytes = Buffer.byteLength(this.head()) + payload;
    this.rules = kind === 'request' ? REQUEST_RULES : RESPONSE_RULES;
  }

  private head(): string {
    return (
      `GEN/1.0 ${this.kind.toUpperCase()}\r\n` +
      `Subscriber: ${this.sub}\r\n` +
      `Transaction: ${this.tx}\r\n` +
      `Via: ${this.via.join(', ')}\r\n` +
      `Length: ${this.payload}\r\n\r\n`
    );
  }

  /** The head's fields (the payload is filler of the stated length). */
  digest(): number {
    let h = digestWord(digestWord(digestWord(DIGEST_SEED, this.sub), this.tx), this.payload);
    h = digestWord(h, this.via.length);
    for (const v of this.via) h = digestString(h, v);
    return h;
  }

  wire(): string {
    // The payload is opaque filler of the stated length.
    return this.head() + '.'.repeat(this.payload);
  }
}

const REQUEST_RULES = ['gen:via'];
const RESPONSE_RULES = ['gen:answer'];

/** The client's own timer, a self-message. */
export class GenTimeout implements Message {
  readonly proto = 'timer';
  readonly kind = 'timeout';
  readonly bytes = 0;
  readonly entries = 1;
  constructor(
    readonly sub: number,
    readonly tx: number,
  ) {}
}
