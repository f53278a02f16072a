/**
 * RegLab's failure causes for MSGin5G registration and de-registration (ours: TS 23.554 says only
 * "Failure Cause — the reason for failure", Table 8.2.4-2, and no stage 3 defines values for the
 * Message Gateway's procedures). One list, documented in docs/msgin5g.md, each with:
 *  - `scope`: 'entry' causes appear in a (bulk) response entry next to a UE Service ID; 'request'
 *    causes refuse the whole HTTP request (a bulk as a whole, or an unreadable request);
 *  - `status`: the HTTP status RegLab's non-standard API answers with when this cause decides the
 *    response (for a bulk, per-entry causes travel inside a 200 OK).
 */
export const CAUSES = {
  UNKNOWN_UE_SERVICE_ID: { scope: 'entry', status: 404, text: 'no such UE Service ID is provisioned, or (de-registration) none is registered' },
  AUTHENTICATION_FAILED: { scope: 'entry', status: 403, text: 'the UE credential information did not authenticate the Non-MSGin5G UE' },
  AUTHENTICATION_TIMEOUT: { scope: 'entry', status: 504, text: 'a per-UE authentication round trip with the Message Gateway got no answer in time' },
  NOT_AUTHORISED: { scope: 'entry', status: 403, text: 'the UE is not authorised for the MSGin5G Service (or not via this gateway)' },
  DUPLICATE_ENTRY: { scope: 'entry', status: 400, text: 'the UE Service ID appears more than once in the same bulk; only the first is processed' },
  INVALID_ENTRY: { scope: 'entry', status: 400, text: 'the entry lacks a mandatory IE (UE Service ID, UE credential) or has a malformed one' },
  SERVER_OVERLOADED: { scope: 'request', status: 503, text: 'the server is overloaded; retry after Retry-After' },
  BULK_TOO_LARGE: { scope: 'request', status: 413, text: 'the bulk holds more entries than the server accepts in one request' },
  BULK_COUNT_MISMATCH: { scope: 'request', status: 400, text: 'the Number of individual requests differs from the length of the list' },
  MALFORMED_REQUEST: { scope: 'request', status: 400, text: 'the HTTP request or its JSON body cannot be read, or a mandatory bulk IE is missing' },
  GATEWAY_AUTHENTICATION_FAILED: { scope: 'request', status: 401, text: 'the Message Gateway did not authenticate itself (Authorization)' },
  UNKNOWN_RESOURCE: { scope: 'request', status: 404, text: 'no such resource or method in the API' },
} as const satisfies Record<string, { scope: 'entry' | 'request'; status: number; text: string }>;

export type FailureCause = keyof typeof CAUSES;

/** Causes in a fixed order: a cause's code (1-based) is its position here, for compact storage. */
export const CAUSE_LIST = Object.keys(CAUSES) as FailureCause[];

export function causeCode(c: FailureCause): number {
  return CAUSE_LIST.indexOf(c) + 1;
}

export function causeOf(code: number): FailureCause {
  return CAUSE_LIST[code - 1];
}

export function isCause(s: unknown): s is FailureCause {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(CAUSES, s);
}

/** Reason phrases of the HTTP statuses the API uses (RFC 9110). */
export const REASON: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  411: 'Length Required',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
