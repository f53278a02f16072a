import type { FailureCause } from './causes.ts';
import { isCause } from './causes.ts';
import { DEREG, REG, type Op } from './ies.ts';

/**
 * What "well formed" means for each IE list, in one place: the server applies it to every request
 * it receives (and answers per entry or for the whole request), and the rule checker applies the
 * same definitions to the watched trace (rules 8.2.X/2, 8.2.X/4, 8.2.4/2, 8.2.4/4).
 *
 * Each check returns undefined when fine, or what is wrong in words naming the IE.
 */

/** A UE Service ID as RegLab accepts it: RFC 3986 path-segment characters (pchar, no %-escapes), so it names a resource as is. */
export const SERVICE_ID_RE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]{1,256}$/;

/** A received value quoted in a detail, cut short: a hostile IE must not make the answer kilobytes long. */
function shown(x: unknown): string {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function unknownKeys(o: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) return `unknown IE '${k.length > 40 ? k.slice(0, 37) + '...' : k}' (allowed: ${allowed.join(', ')})`;
  return undefined;
}

function isInt(x: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

export function checkServiceId(id: unknown): string | undefined {
  if (id === undefined) return 'UE Service ID (M) is missing';
  if (typeof id !== 'string' || !SERVICE_ID_RE.test(id)) return `UE Service ID ${shown(id)} is malformed (1–256 URI path-segment characters: letters, digits and -._~!$&'()*+,;=:@)`;
  return undefined;
}

/** MSGin5G Client Profile (O) and its sub-IEs (Tables 8.2.1-2, 8.2.1-3 as RegLab encodes them). */
export function checkProfile(p: unknown): string | undefined {
  if (!isObject(p)) return 'MSGin5G Client Profile is not an object';
  const u = unknownKeys(p, ['triggeringInfo', 'communicationAvailability', 'maxSegmentSize']);
  if (u) return `MSGin5G Client Profile: ${u}`;
  if (p.triggeringInfo !== undefined) {
    const t = p.triggeringInfo;
    if (!isObject(t)) return 'Triggering Information is not an object';
    const u2 = unknownKeys(t, ['ueIdentifier', 'ports', 'protocol']);
    if (u2) return `Triggering Information: ${u2}`;
    if (t.ueIdentifier !== undefined && (typeof t.ueIdentifier !== 'string' || t.ueIdentifier === '')) return 'Triggering Information: UE Identifier is not a non-empty string';
    if (t.ports !== undefined && (!Array.isArray(t.ports) || !t.ports.every((x) => isInt(x, 1, 65535)))) return 'Triggering Information: ports are not a list of port numbers';
    if (t.protocol !== undefined && (typeof t.protocol !== 'string' || t.protocol === '')) return 'Triggering Information: protocol is not a non-empty string';
  }
  if (p.communicationAvailability !== undefined) {
    const c = p.communicationAvailability;
    if (!isObject(c)) return 'Communication Availability is not an object';
    const u3 = unknownKeys(c, ['periodicity', 'duration']);
    if (u3) return `Communication Availability: ${u3}`;
    if (c.periodicity !== undefined && !isInt(c.periodicity, 1)) return 'Communication Availability: periodicity is not a whole number of seconds ≥ 1';
    if (c.duration !== undefined && !isInt(c.duration, 0)) return 'Communication Availability: duration is not a whole number of seconds ≥ 0';
  }
  if (p.maxSegmentSize !== undefined && !isInt(p.maxSegmentSize, 1)) return 'Supported Maximum MSGin5G segment size is not a whole number ≥ 1';
  return undefined;
}

/** One entry of Table 8.2.3-1 (an individual registration request or an element of a bulk's list). */
export function checkRegistrationEntry(e: unknown): string | undefined {
  if (!isObject(e)) return 'the entry is not an object';
  const u = unknownKeys(e, ['ueServiceId', 'ueCredential', 'clientProfile']);
  if (u) return u;
  const id = checkServiceId(e.ueServiceId);
  if (id) return id;
  if (e.ueCredential === undefined) return 'UE credential information (M) is missing';
  if (typeof e.ueCredential !== 'string' || e.ueCredential === '' || e.ueCredential.length > 256) return 'UE credential information is not a string of 1–256 characters';
  if (e.clientProfile !== undefined) return checkProfile(e.clientProfile);
  return undefined;
}

/** One entry of Table 8.2.4-1. */
export function checkDeregistrationEntry(e: unknown): string | undefined {
  if (!isObject(e)) return 'the entry is not an object';
  const u = unknownKeys(e, ['ueServiceId']);
  if (u) return u;
  return checkServiceId(e.ueServiceId);
}

export function checkEntry(op: Op, e: unknown): string | undefined {
  return op === REG ? checkRegistrationEntry(e) : checkDeregistrationEntry(e);
}

/** One entry of Table 8.2.1-4 / 8.2.4-2: UE Service ID, result, and a cause exactly when the result is failure. */
export function checkResultEntry(op: Op, e: unknown, requestHadId = true): string | undefined {
  if (!isObject(e)) return 'the entry is not an object';
  const resultKey = op === REG ? 'registrationResult' : 'deregistrationResult';
  const u = unknownKeys(e, ['ueServiceId', resultKey, 'failureCause']);
  if (u) return u;
  // An entry answering a request entry that had no UE Service ID cannot echo one.
  if (requestHadId || e.ueServiceId !== undefined) {
    const id = checkServiceId(e.ueServiceId);
    if (id) return id;
  }
  const r = e[resultKey];
  if (r !== 'SUCCESS' && r !== 'FAILURE') return `${op === REG ? 'Registration' : 'De-registration'} result (M) is ${r === undefined ? 'missing' : `${shown(r)}, not SUCCESS or FAILURE`}`;
  if (r === 'FAILURE' && e.failureCause === undefined) return 'the result is FAILURE but no Failure Cause says why';
  if (r === 'SUCCESS' && e.failureCause !== undefined) return 'the result is SUCCESS but a Failure Cause is present';
  if (e.failureCause !== undefined && !isCause(e.failureCause)) return `Failure Cause ${shown(e.failureCause)} is not one of RegLab's causes`;
  return undefined;
}

/** Whole-request checks of a bulk request (Table 8.2.X-1): the cause to refuse it with, or undefined. */
export function checkBulk(op: Op, body: unknown, maxBulkSize = Infinity): { cause: FailureCause; detail: string } | undefined {
  const ind = op === REG ? 'bulkRegistrationIndicator' : 'bulkDeregistrationIndicator';
  if (!isObject(body)) return { cause: 'MALFORMED_REQUEST', detail: 'the body is not a JSON object' };
  const u = unknownKeys(body, [ind, 'numberOfRequests', 'requests']);
  if (u) return { cause: 'MALFORMED_REQUEST', detail: u };
  if (body[ind] !== true) return { cause: 'MALFORMED_REQUEST', detail: `${ind} (M) is ${body[ind] === undefined ? 'missing' : `${shown(body[ind])}, not true`}` };
  if (!isInt(body.numberOfRequests, 0)) return { cause: 'MALFORMED_REQUEST', detail: `numberOfRequests (M) is ${body.numberOfRequests === undefined ? 'missing' : 'not a whole number'}` };
  if (!Array.isArray(body.requests)) return { cause: 'MALFORMED_REQUEST', detail: `requests (M) is ${body.requests === undefined ? 'missing' : 'not a list'}` };
  if (body.numberOfRequests !== body.requests.length) {
    return { cause: 'BULK_COUNT_MISMATCH', detail: `numberOfRequests is ${body.numberOfRequests} but the list holds ${body.requests.length} entries` };
  }
  if (body.requests.length === 0) return { cause: 'MALFORMED_REQUEST', detail: 'the list of individual requests is empty' };
  if (body.requests.length > maxBulkSize) return { cause: 'BULK_TOO_LARGE', detail: `${body.requests.length} entries; this server accepts at most ${maxBulkSize} per bulk` };
  return undefined;
}

/** Whole-message checks of a bulk response (Table 8.2.X-2), against the number of request entries. */
export function checkBulkResponse(op: Op, body: unknown, requestCount: number | undefined): string | undefined {
  const ind = op === REG ? 'bulkRegistrationResponseIndicator' : 'bulkDeregistrationResponseIndicator';
  if (!isObject(body)) return 'the body is not a JSON object';
  const u = unknownKeys(body, [ind, 'numberOfResponses', 'responses']);
  if (u) return u;
  if (body[ind] !== true) return `${ind} (M) is ${body[ind] === undefined ? 'missing' : `${shown(body[ind])}, not true`}`;
  if (!isInt(body.numberOfResponses, 0)) return `numberOfResponses (M) is ${body.numberOfResponses === undefined ? 'missing' : 'not a whole number'}`;
  if (!Array.isArray(body.responses)) return `responses (M) is ${body.responses === undefined ? 'missing' : 'not a list'}`;
  if (body.numberOfResponses !== body.responses.length) return `numberOfResponses is ${body.numberOfResponses} but the list holds ${body.responses.length} entries`;
  if (requestCount !== undefined && body.responses.length !== requestCount) return `${body.responses.length} responses for ${requestCount} request entries`;
  return undefined;
}

export { REG, DEREG };
