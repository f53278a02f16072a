import { perMessageRule, type Rule } from '../observe/rules.ts';
import type { TraceEntry } from '../observe/recorder.ts';
import { GenMessage } from './gen-message.ts';

/** The generic protocol's two rules, to show what spec rules look like on a trace. */
export const GEN_RULES: readonly Rule[] = [
  perMessageRule({
    id: 'gen:via',
    title: 'A request that crossed relays lists them in Via, most recent first, ending with the client',
    applies: (e) => e.rec.event === 'delivered' && e.msg instanceof GenMessage && e.msg.kind === 'request',
    violation: (e) => {
      const m = e.msg as GenMessage;
      return m.via[0] === e.rec.from ? undefined : `Via starts with ${m.via[0]}, but the request came from ${e.rec.from}`;
    },
  }),
  perMessageRule({
    id: 'gen:answer',
    title: 'A response answers an earlier request of the same subscriber and transaction, retracing its Via',
    applies: (e) => e.rec.event === 'delivered' && e.msg instanceof GenMessage && e.msg.kind === 'response',
    violation: (e, trace) => {
      const m = e.msg as GenMessage;
      const req = findRequest(trace, m, e.rec.seq);
      if (!req) return `no earlier request with subscriber ${m.sub} and transaction ${m.tx}`;
      return req.via.includes(e.rec.to) ? undefined : `delivered to ${e.rec.to}, which the request never passed`;
    },
  }),
];

function findRequest(trace: readonly TraceEntry[], m: GenMessage, before: number): GenMessage | undefined {
  for (let i = before - 1; i >= 0; i--) {
    const x = trace[i].msg;
    if (x instanceof GenMessage && x.kind === 'request' && x.sub === m.sub && x.tx === m.tx) return x;
  }
  return undefined;
}
