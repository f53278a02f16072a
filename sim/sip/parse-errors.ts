/**
 * Stable error codes of the SIP parser (DESIGN: "errors carry stable codes listed in one place").
 * Reasons may improve; codes do not change. Each maps to the status a receiver answers with
 * (requests only: a response that fails to parse is dropped, RFC 4475 §3.1.2.5, §3.1.2.19).
 */
export const SIP_ERROR_CODES = {
  E_SIP_EMPTY: [400, 'no start line: the message is empty or only blank lines'],
  E_SIP_ENCODING: [400, 'the start line or a header is not valid UTF-8'],
  E_SIP_LINE_ENDING: [400, 'a bare CR or LF where RFC 3261 §7 requires CRLF'],
  E_SIP_NO_BLANK_LINE: [400, 'the header section does not end with an empty line (CRLF CRLF)'],
  E_SIP_BAD_START_LINE: [400, 'the request or status line is not "Method SP Request-URI SP SIP/2.0" / "SIP/2.0 SP code SP reason" (single spaces, no extra whitespace)'],
  E_SIP_BAD_VERSION: [505, 'the SIP version is not SIP/2.0 (505 Version Not Supported)'],
  E_SIP_BAD_METHOD: [400, 'the method is not a token'],
  E_SIP_BAD_REQUEST_URI: [400, 'the Request-URI is malformed, enclosed in <>, or carries escaped headers'],
  E_SIP_BAD_STATUS: [400, 'the status code is not three digits 100..699'],
  E_SIP_BAD_HEADER_LINE: [400, 'a header line has no colon or its name is not a token'],
  E_SIP_TOO_MANY_HEADERS: [400, 'more header fields than the parser accepts (MAX_HEADER_FIELDS)'],
  E_SIP_MISSING_HEADER: [400, 'a mandatory header (Via, From, To, Call-ID, CSeq, Max-Forwards) is missing'],
  E_SIP_DUPLICATE_HEADER: [400, 'a header that may appear once appears more than once'],
  E_SIP_BAD_CONTENT_LENGTH: [400, 'Content-Length is not a number, appears twice, or is longer than the body'],
  E_SIP_MISSING_CONTENT_LENGTH: [400, 'Content-Length is missing on a stream transport (RFC 3261 §18.3)'],
  E_SIP_MISSING_CONTENT_TYPE: [400, 'a non-empty body without Content-Type (RFC 3261 §20.15)'],
  E_SIP_BAD_CONTENT_TYPE: [400, 'Content-Type is not type/subtype[;params]'],
  E_SIP_BAD_CSEQ: [400, 'CSeq is not "<number below 2^31> <METHOD>"'],
  E_SIP_CSEQ_MISMATCH: [400, "the CSeq method differs from the request's method"],
  E_SIP_BAD_VIA: [400, 'a Via value is malformed'],
  E_SIP_BAD_FROM: [400, 'From is malformed (URI, display name, quotes or parameters)'],
  E_SIP_BAD_TO: [400, 'To is malformed (URI, display name, quotes or parameters)'],
  E_SIP_BAD_CALL_ID: [400, 'Call-ID is not word[@word]'],
  E_SIP_BAD_MAX_FORWARDS: [400, 'Max-Forwards is not a number 0..255'],
  E_SIP_BAD_CONTACT: [400, 'Contact is malformed (or * with other contacts)'],
  E_SIP_BAD_EXPIRES: [400, 'Expires is not a number of seconds'],
} as const satisfies Record<string, readonly [number, string]>;

export type SipErrorCode = keyof typeof SIP_ERROR_CODES;

/** Why a message failed to parse, and how a receiver should answer it. */
export interface SipParseError {
  readonly code: SipErrorCode;
  /** The status to answer a request with (400, or 505 for the version); for a response: none is sent. */
  readonly status: number;
  /** Human-readable: names the header or field and what is wrong. */
  readonly reason: string;
  /** Whether the message was (or looked like) a response: never answered, dropped. */
  readonly isResponse: boolean;
  /**
   * The message's framing is broken (Content-Length missing, negative, conflicting or too long):
   * on a stream transport the connection must be closed, there is no knowing where the next
   * message starts (RFC 4475 §3.1.2.3 ncl, §3.3.9 mcl01).
   */
  readonly framing: boolean;
  /** Request method, when the start line could be read. */
  readonly method?: string;
  /** Request-URI text, when the start line could be read. */
  readonly requestUri?: string;
  /** Header lines read before the failure (names as written, values unfolded), to copy into the answer. */
  readonly headers?: readonly (readonly [string, string])[];
  /**
   * Canonical names of header lines that could not be read at all (not UTF-8, a bare CR or LF; ''
   * when even the name was unreadable): an answer must copy none of those headers.
   */
  readonly unreadable?: readonly string[];
}

export function sipError(
  code: SipErrorCode,
  reason: string,
  ctx: {
    isResponse: boolean;
    method?: string;
    requestUri?: string;
    headers?: readonly (readonly [string, string])[];
    unreadable?: readonly string[];
  },
): SipParseError {
  return {
    code,
    status: SIP_ERROR_CODES[code][0],
    reason,
    isResponse: ctx.isResponse,
    framing: code === 'E_SIP_BAD_CONTENT_LENGTH' || code === 'E_SIP_MISSING_CONTENT_LENGTH' || code === 'E_SIP_NO_BLANK_LINE',
    method: ctx.method,
    requestUri: ctx.requestUri,
    headers: ctx.headers,
    unreadable: ctx.unreadable,
  };
}
