import { SipMessage, isHeader, type SipHeader, type SipMessageOptions, type TxMessage } from './message.ts';

/** Reason phrases of RFC 3261 §21 and the extensions IMS uses (RFC 3262/3265/3329/5626/6665…). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

/** The RFC's reason phrase for a status code ('' for an unknown code: the phrase is free text). */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? '';
}

export interface ResponseOptions extends SipMessageOptions {
  /** Reason phrase; default: the RFC's phrase for the code. */
  reason?: string;
  /**
   * Tag to add to To when the request's To has none (RFC 3261 §8.2.6.2: a UAS MUST add one to
   * every response but 100). Omitted: no tag is added (a proxy's or stateless 100 Trying, or an
   * error answered before any dialog state exists — pass one for those too when you can).
   */
  toTag?: string;
  /** Extra headers, placed after the copied ones (Contact, Expires, Allow, Unsupported, …). */
  headers?: readonly SipHeader[];
}

/*
 * RFC 3261 §8.2.6.2: "The From field of the response MUST equal the From header field of the
 * request. The Call-ID header field of the response MUST equal the Call-ID header field of the
 * request. The CSeq header field of the response MUST equal the CSeq field of the request. The Via
 * header field values in the response MUST equal the Via header field values in the request and
 * MUST maintain the same ordering. If a request contained a To tag in the request, the To header
 * field in the response MUST equal that of the request. However, if the To header field in the
 * request did not contain a tag, the URI in the To header field in the response MUST equal the URI
 * in the To header field; additionally, the UAS MUST add a tag to the To header field in the
 * response (with the exception of the 100 (Trying) response, in which a tag MAY be present)."
 * §8.2.6.1: a 100 (Trying) copies the request's Timestamp.
 */
export function createResponse(request: TxMessage, status: number, opts: ResponseOptions = {}): SipMessage {
  const headers: SipHeader[] = [];
  const hs = request.headers;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i];
    const n = h[0];
    if (isHeader(n, 'via') || isHeader(n, 'from') || isHeader(n, 'call-id') || isHeader(n, 'cseq')) headers.push(h);
    else if (isHeader(n, 'to')) headers.push(opts.toTag !== undefined && status !== 100 ? [n, withTag(h[1], opts.toTag)] : h);
    else if (status === 100 && isHeader(n, 'timestamp')) headers.push(h);
  }
  if (opts.headers) for (const h of opts.headers) headers.push(h);
  return SipMessage.response(status, opts.reason ?? reasonPhrase(status), request.method, headers, {
    body: opts.body,
    bodyBytes: opts.bodyBytes,
    sub: opts.sub ?? request.sub,
    procedure: opts.procedure ?? request.procedure,
    rules: opts.rules,
  });
}

/** A To/From value with `;tag=` added unless it already has a tag. */
export function withTag(nameAddrValue: string, tag: string): string {
  return hasTag(nameAddrValue) ? nameAddrValue : `${nameAddrValue};tag=${tag}`;
}

/** Whether a From/To value carries a tag parameter (outside the <> of its URI). */
export function hasTag(nameAddrValue: string): boolean {
  const close = nameAddrValue.lastIndexOf('>');
  const params = close >= 0 ? nameAddrValue.slice(close + 1) : nameAddrValue;
  return /;\s*tag\s*=/i.test(params);
}
