import type { Message } from '../net/message.ts';

/** A node's own timer (OMNeT-style self-message): no bytes, never on the network. */
export class ImsTimer implements Message {
  readonly proto = 'timer';
  readonly bytes = 0;
  readonly entries = 1;
  constructor(
    readonly kind: string,
    readonly sub: number,
    /** Extra small integer (a dialog slot, an attempt number…). */
    readonly arg = 0,
  ) {}
}
