import type { Message } from '../net/message.ts';

/**
 * A workload event reaching a node: "subscriber s detached", "gateway restarted for UE s", …
 * It is served by the node like any message (the capacity model charges for it) but never
 * crosses the network, so it has no bytes.
 */
export class Trigger implements Message {
  readonly proto = 'trigger';
  readonly bytes = 0;
  readonly entries = 1;
  constructor(
    readonly kind: string,
    readonly sub: number,
  ) {}
  wire(): string {
    return `(workload) ${this.kind} for subscriber ${this.sub}`;
  }
}
