import { causeCode } from '../../sim/msgin5g/causes.ts';
import type { Channel } from '../../sim/msgin5g/http.ts';
import { DEREG, REG } from '../../sim/msgin5g/ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  RegistrationRequest,
  RegistrationResponse,
  problem,
  type Msgin5gRequest,
  type Msgin5gResponse,
} from '../../sim/msgin5g/messages.ts';

/**
 * What the codec tests and the codec fuzzer start from: one of every request RegLab writes
 * (a known and an unknown UE, both operations, bulks of both), and answers to them — success, an
 * entry failure, a bulk with a failed entry, and a whole-bulk 503 with Retry-After.
 */
export function sampleExchanges(ch: Channel): { requests: Msgin5gRequest[]; answers: [Msgin5gRequest, Msgin5gResponse][] } {
  const reg = new RegistrationRequest(ch, 17, 1, 2, 'urgent');
  const dereg = new DeregistrationRequest(ch, 17, 1, 2, 'urgent');
  const bulk = new BulkRequest(REG, ch, Int32Array.of(1, 2, 3, 500), 1, 2, undefined);
  const requests = [reg, new RegistrationRequest(ch, 999, 1, 2, 'urgent'), dereg, bulk, new BulkRequest(DEREG, ch, Int32Array.of(9, 8, 7), 1, 2, undefined)];
  const answers: [Msgin5gRequest, Msgin5gResponse][] = [
    [reg, new RegistrationResponse(ch, 17, 1, 2, 201, 0, 0)],
    [reg, new RegistrationResponse(ch, 17, 1, 2, 403, causeCode('AUTHENTICATION_FAILED'), 0)],
    [dereg, new DeregistrationResponse(ch, 17, 1, 2, 404, causeCode('UNKNOWN_UE_SERVICE_ID'), 0)],
    [bulk, new BulkResponse(REG, ch, 200, bulk.subs, Uint8Array.of(0, causeCode('NOT_AUTHORISED'), 0, 0), 1, 2, undefined)],
    [bulk, new BulkResponse(REG, ch, 503, bulk.subs, new Uint8Array(0), 1, 2, undefined, problem('SERVER_OVERLOADED', 503), undefined, 4)],
  ];
  return { requests, answers };
}
