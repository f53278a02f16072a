import { causeCode, isCause } from '../msgin5g/causes.ts';
import { BulkRequest, BulkResponse, DeregistrationRequest, DeregistrationResponse, RegistrationRequest, RegistrationResponse, type BulkPolicySnapshot, type IndividualReason } from '../msgin5g/messages.ts';
import type { Message } from '../net/message.ts';

/**
 * A response parsed from the wire carries its JSON body as explicit IEs (sim/msgin5g/codec.ts). When
 * the same response in the model's own form — per-entry result codes instead of the body — renders
 * back to the very bytes received, that form is what the gateway gets: then the rules that read
 * the server's observations (8.2.4/3, 8.2.X/3) judge it as in simulation. Otherwise the parsed
 * form stays (a real server's answer the model would not have written).
 */
export function modelForm(m: Message, text: string, obs: Record<string, unknown> | undefined): Message {
  if (obs === undefined) return m;
  const observed = obs.observed;
  let alt: Message | undefined;
  // Requests: the gateway's observations (why not bulked, the bulking policy) go with the model form.
  if (m instanceof RegistrationRequest && m.sub >= 0) alt = new RegistrationRequest(m.ch, m.sub, m.tx, m.conn, obs.why as IndividualReason);
  else if (m instanceof DeregistrationRequest && m.sub >= 0) alt = new DeregistrationRequest(m.ch, m.sub, m.tx, m.conn, obs.why as IndividualReason);
  else if (m instanceof BulkRequest && obs.policy !== undefined && !m.subs.includes(-1)) alt = new BulkRequest(m.op, m.ch, m.subs, m.tx, m.conn, obs.policy as BulkPolicySnapshot);
  else if (m instanceof BulkResponse && m.explicit !== undefined && m.problem === undefined && observed instanceof Uint8Array) {
    const list = (m.explicit as { responses?: { registrationResult?: string; deregistrationResult?: string; failureCause?: unknown }[] }).responses ?? [];
    const results = new Uint8Array(list.length);
    list.forEach((e, k) => (results[k] = code(e.registrationResult ?? e.deregistrationResult, e.failureCause)));
    alt = new BulkResponse(m.op, m.ch, m.status, m.subs, results, m.tx, m.conn, observed, undefined, undefined, m.retryAfterS);
  } else if ((m instanceof RegistrationResponse || m instanceof DeregistrationResponse) && m.explicit !== undefined && typeof observed === 'number') {
    const e = m.explicit as { registrationResult?: string; deregistrationResult?: string; failureCause?: unknown };
    const c = code(e.registrationResult ?? e.deregistrationResult, e.failureCause);
    alt =
      m instanceof RegistrationResponse
        ? new RegistrationResponse(m.ch, m.sub, m.tx, m.conn, m.status, c, observed, undefined, m.retryAfterS)
        : new DeregistrationResponse(m.ch, m.sub, m.tx, m.conn, m.status, c, observed, undefined, m.retryAfterS);
  }
  return alt !== undefined && alt.wire?.() === text ? alt : m;
}

function code(result: string | undefined, cause: unknown): number {
  return result === 'SUCCESS' ? 0 : isCause(cause) ? causeCode(cause) : 255;
}
