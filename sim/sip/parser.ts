/**
 * The strict SIP parser (RFC 3261 §7 and the §25 grammar), written to get every message of
 * RFC 4475 right: what is well formed is accepted however odd its spacing, folding, escaping or
 * case; what is malformed fails with a stable code, the status to answer (400, 505 for the
 * version) and a reason naming the header and the fault. Choices per RFC 4475 case: docs/sip.md.
 *
 * It never throws on input, however broken (DESIGN principle 7), and it reads bytes: a binary
 * body (NUL bytes and all) is kept as bytes, Content-Length is counted in bytes.
 */
import { SipMessage, canonicalName, type SipHeader } from './message.ts';
import { sipError, type SipErrorCode, type SipParseError } from './parse-errors.ts';
import { parseUri, isSipUri, SUPPORTED_SCHEMES, type Uri } from './uri.ts';
import {
  parseCSeq,
  parseContacts,
  parseExpires,
  parseMaxForwards,
  parseNameAddr,
  parseSipVia,
  isToken,
  isCallId,
  clipText as clip,
  BRANCH_MAGIC_COOKIE,
  type CSeq,
  type NameAddr,
  type Via,
} from './headers.ts';

export interface ParseOptions {
  /**
   * Datagram (UDP, the default): bytes after Content-Length are ignored (RFC 4475 §3.1.1.8
   * dblreq) and a missing Content-Length means "the rest". Stream (TCP/TLS/SCTP): Content-Length
   * is mandatory (RFC 3261 §18.3) and `consumed` says where the next message starts.
   */
  transport?: 'datagram' | 'stream';
}

/** Where a URI with a scheme other than sip/sips/tel was found. */
export interface UnsupportedScheme {
  readonly field: 'Request-URI' | 'To' | 'From' | 'Contact';
  readonly scheme: string;
}

/** What the parser read and checked anyway, handed over so nobody parses it twice. */
export interface ParsedFields {
  readonly requestUri: Uri | undefined;
  readonly via: readonly Via[];
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly callId: string;
  readonly cseq: CSeq;
  /** undefined when absent (allowed for responses, and for RFC 2543 requests — RFC 4475 §3.4.1 inv2543). */
  readonly maxForwards: number | undefined;
  /** Contacts in order over all Contact lines; '*' for the wildcard; [] when absent. */
  readonly contacts: readonly NameAddr[] | '*';
  readonly expires: number | undefined;
  readonly contentLength: number | undefined;
}

export interface ParseSuccess {
  readonly ok: true;
  readonly msg: SipMessage;
  readonly fields: ParsedFields;
  /** Bytes of the input this message took (header section + body per Content-Length). */
  readonly consumed: number;
  /**
   * URIs of a scheme RegLab does not serve. In the Request-URI a UAS or registrar answers 416
   * Unsupported URI Scheme (RFC 3261 §8.2.2.1; RFC 4475 §3.3.2 unkscm, §3.3.3 novelsc).
   */
  readonly unsupportedSchemes: readonly UnsupportedScheme[];
  /** Bytes after the message ignored on a datagram (RFC 4475 dblreq). */
  readonly trailingBytes: number;
}

export type ParseResult = ParseSuccess | { readonly ok: false; readonly error: SipParseError };

const MANDATORY = [
  ['via', 'Via'],
  ['from', 'From'],
  ['to', 'To'],
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
] as const;

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Replaces invalid bytes by U+FFFD: used only to read what can be read of a message that is not UTF-8. */
const lossyDecoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Headers that may appear at most once (RFC 3261 §7.3: only comma-list headers may repeat). */
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires'] as const;

/**
 * At most this many header fields (after unfolding) in one message: a 65,507-byte datagram could
 * otherwise carry 16,000 of them. Real requests carry 10 to 60 (RFC 4475 longreq: 19).
 */
export const MAX_HEADER_FIELDS = 256;

// media-type = m-type SLASH m-subtype *(SEMI m-parameter), checked loosely on the parameters.
const MEDIA_TYPE = /^[A-Za-z0-9\-.!%*_+`'~]+\s*\/\s*[A-Za-z0-9\-.!%*_+`'~]+\s*(;.*)?$/s;

/** Parses one SIP message. See ParseOptions for datagram vs stream framing. */
export function parseSip(input: Uint8Array | string, opts: ParseOptions = {}): ParseResult {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const stream = opts.transport === 'stream';
  const n = bytes.length;

  // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives on streams).
  let start = 0;
  while (start + 1 < n && bytes[start] === 13 && bytes[start + 1] === 10) start += 2;
  if (start >= n) return fail('E_SIP_EMPTY', 'the message has no start line', { isResponse: false });

  // The header section ends at the first CRLF CRLF.
  let headEnd = -1;
  for (let i = start; i + 3 < n; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      headEnd = i;
      break;
    }
  }
  const headBytes = bytes.subarray(start, headEnd < 0 ? n : headEnd);
  let head: string;
  // Not UTF-8: read on (lossily) so that the 400 can still copy the headers that are intact.
  let encodingFault = false;
  try {
    head = decoder.decode(headBytes);
  } catch {
    head = lossyDecoder.decode(headBytes);
    encodingFault = true;
  }
  // Without a blank line, what we have is all header lines (a trailing CRLF ends the last one).
  if (headEnd < 0 && head.endsWith('\r\n')) head = head.slice(0, -2);

  // Lines: every line ends in CRLF; a bare CR or LF is an error (reported once the headers are read).
  const rawLines = head.split('\r\n');
  const isResponse = rawLines[0].startsWith('SIP/') || /^sip\//i.test(rawLines[0]);
  let lineEndingFault: string | undefined;
  if (/[\r\n]/.test(rawLines[0])) lineEndingFault = 'line 1 holds a bare CR or LF (lines end with CRLF)';

  // ---- header lines: unfold (LWS = [*WSP CRLF] 1*WSP), split name ":" value ----
  // Read before the start line is judged, so that even a 505 or a 400 for the request line can
  // copy Via, From, To, Call-ID and CSeq into its answer. A line that cannot be read (a bare CR or
  // LF, a byte that is not UTF-8) is left out, and its header named in `unreadable` so that the
  // answer copies none of it. Folded lines are collected and joined once: linear in their number.
  const headers: [string, string][] = [];
  const parts: string[][] = [];
  const unreadable = new Set<string>();
  let skipping = false; // the continuation lines of a header left out are left out too
  let headerFault: string | undefined;
  for (let k = 1; k < rawLines.length; k++) {
    let line = rawLines[k];
    if (line.length === 0) continue; // only possible when no blank line terminated the section; reported below
    let broken = encodingFault && line.indexOf('\ufffd') >= 0;
    if (/[\r\n]/.test(line)) {
      lineEndingFault ??= `line ${k + 1} holds a bare CR or LF (lines end with CRLF)`;
      broken = true;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 32 || c0 === 9) {
      if (headers.length === 0) {
        headerFault ??= `line ${k + 1} continues a header but no header precedes it`;
        continue;
      }
      if (skipping) continue;
      if (broken) {
        unreadable.add(canonicalName(headers[headers.length - 1][0]));
        headers.pop();
        parts.pop();
        skipping = true;
        continue;
      }
      const t = line.trim();
      if (t.length > 0) parts[parts.length - 1].push(t);
      continue;
    }
    skipping = false;
    const colon = line.indexOf(':');
    if (broken) {
      const name = colon < 0 ? '' : line.slice(0, colon).replace(/[ \t]+$/, '');
      unreadable.add(isToken(name) ? canonicalName(name) : '');
      skipping = true;
      continue;
    }
    if (colon < 0) {
      headerFault ??= `header line '${clip(line)}' has no ':'`;
      continue;
    }
    const name = line.slice(0, colon).replace(/[ \t]+$/, '');
    if (!isToken(name)) {
      headerFault ??= `header name '${clip(name)}' is not a token`;
      continue;
    }
    line = line.slice(colon + 1).trim();
    headers.push([name, line]);
    parts.push(line.length > 0 ? [line] : []);
  }
  for (let k = 0; k < headers.length; k++) if (parts[k].length !== 1 || parts[k][0] !== headers[k][1]) headers[k][1] = parts[k].join(' ');
  if (encodingFault || lineEndingFault !== undefined) {
    // The method, when the start line can be read: an ACK is dropped, never answered.
    const sp = rawLines[0].indexOf(' ');
    const m0 = sp < 0 ? '' : rawLines[0].slice(0, sp);
    const ctx = { isResponse, method: !isResponse && isToken(m0) ? m0 : undefined, headers, unreadable: [...unreadable] };
    if (encodingFault) return fail('E_SIP_ENCODING', 'the start line or a header is not valid UTF-8', ctx);
    return fail('E_SIP_LINE_ENDING', lineEndingFault!, ctx);
  }
  if (headers.length > MAX_HEADER_FIELDS) {
    return fail('E_SIP_TOO_MANY_HEADERS', `the message has ${headers.length} header fields; at most ${MAX_HEADER_FIELDS} are accepted`, { isResponse, headers });
  }

  // ---- start line ----
  const first = rawLines[0];
  let method = '';
  let requestUri = '';
  let status = 0;
  let reason = '';
  let ruri: Uri | undefined;
  const unsupported: UnsupportedScheme[] = [];
  if (isResponse) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const sp1 = first.indexOf(' ');
    const version = sp1 < 0 ? first : first.slice(0, sp1);
    if (!/^SIP\/2\.0$/i.test(version)) {
      return fail('E_SIP_BAD_VERSION', `status line version '${version}' is not SIP/2.0`, { isResponse, headers });
    }
    const sp2 = first.indexOf(' ', sp1 + 1);
    const code = sp2 < 0 ? first.slice(sp1 + 1) : first.slice(sp1 + 1, sp2);
    if (sp1 < 0 || sp2 < 0) {
      return fail('E_SIP_BAD_START_LINE', `status line '${clip(first)}' needs "SIP/2.0 SP code SP reason" (the SP after the code is required, the reason may be empty)`, { isResponse, headers });
    }
    if (!/^[1-6][0-9][0-9]$/.test(code)) {
      return fail('E_SIP_BAD_STATUS', `status code '${clip(code)}' is not three digits 100..699`, { isResponse, headers });
    }
    status = Number(code);
    reason = first.slice(sp2 + 1);
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(reason)) {
      return fail('E_SIP_BAD_START_LINE', 'the reason phrase holds control characters', { isResponse, headers });
    }
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version CRLF (exactly two single spaces)
    const parts = first.split(' ');
    const last = parts[parts.length - 1];
    // The version first: a well-framed line with another version is answered 505 (RFC 4475 §3.1.2.16 badvers).
    if (parts.length === 3 && /^SIP\/[0-9]+\.[0-9]+$/i.test(last) && !/^SIP\/2\.0$/i.test(last)) {
      return fail('E_SIP_BAD_VERSION', `request line version '${last}' is not SIP/2.0`, { isResponse, method: parts[0], requestUri: parts[1], headers });
    }
    if (parts.length !== 3 || parts[0] === '' || parts[1] === '' || !/^SIP\/2\.0$/i.test(last)) {
      const why =
        /\s$/.test(first) ? 'has trailing whitespace (RFC 4475 §3.1.2.10 trws)'
        : /\s\s/.test(first) ? 'has more than one space between elements (RFC 4475 §3.1.2.9 lwsstart)'
        : parts.length > 3 ? 'has a space inside the Request-URI (RFC 4475 §3.1.2.8 lwsruri)'
        : 'is not "Method SP Request-URI SP SIP/2.0"';
      return fail('E_SIP_BAD_START_LINE', `request line '${clip(first)}' ${why}`, { isResponse, method: parts[0], headers });
    }
    method = parts[0];
    requestUri = parts[1];
    if (!isToken(method)) return fail('E_SIP_BAD_METHOD', `method '${clip(method)}' is not a token`, { isResponse, headers });
    const ctx = { isResponse, method, requestUri, headers };
    if (requestUri.startsWith('<') || requestUri.endsWith('>')) {
      return fail('E_SIP_BAD_REQUEST_URI', `Request-URI '${clip(requestUri)}' must not be enclosed in <> (RFC 4475 §3.1.2.7 ltgtruri)`, ctx);
    }
    const u = parseUri(requestUri);
    if (!u.ok) return fail('E_SIP_BAD_REQUEST_URI', `Request-URI: ${u.error}`, ctx);
    ruri = u.uri;
    if (isSipUri(ruri) && ruri.headers.length > 0) {
      return fail('E_SIP_BAD_REQUEST_URI', `Request-URI '${clip(requestUri)}' carries escaped headers (?${ruri.headers[0][0]}=…), not allowed there (RFC 3261 §19.1.1; RFC 4475 §3.1.2.11 escruri)`, ctx);
    }
    if (!SUPPORTED_SCHEMES.includes(ruri.scheme)) unsupported.push({ field: 'Request-URI', scheme: ruri.scheme });
  }

  const ctxBase = { isResponse, method: method || undefined, requestUri: requestUri || undefined, headers };
  if (headerFault !== undefined) return fail('E_SIP_BAD_HEADER_LINE', headerFault, ctxBase);

  // ---- index the headers we check ----
  const idx = new Map<string, number[]>();
  for (let k = 0; k < headers.length; k++) {
    const c = canonicalName(headers[k][0]);
    const a = idx.get(c);
    if (a) a.push(k);
    else idx.set(c, [k]);
  }
  const all = (c: string): string[] => (idx.get(c) ?? []).map((k) => headers[k][1]);
  const one = (c: string): string | undefined => {
    const a = idx.get(c);
    return a === undefined ? undefined : headers[a[0]][1];
  };

  // ---- framing: Content-Length (RFC 3261 §18.3, §20.14) ----
  const cls = all('content-length');
  if (cls.length > 1) {
    return fail('E_SIP_BAD_CONTENT_LENGTH', `Content-Length appears ${cls.length} times (${cls.join(', ')}): the body length is unknowable (RFC 4475 §3.3.9 mcl01)`, ctxBase);
  }
  let contentLength: number | undefined;
  if (cls.length === 1) {
    if (!/^[0-9]{1,10}$/.test(cls[0])) {
      return fail('E_SIP_BAD_CONTENT_LENGTH', `Content-Length '${clip(cls[0])}' is not a non-negative number (RFC 4475 §3.1.2.3 ncl)`, ctxBase);
    }
    contentLength = Number(cls[0]);
  } else if (stream) {
    return fail('E_SIP_MISSING_CONTENT_LENGTH', 'Content-Length is required on a stream transport (RFC 3261 §18.3)', ctxBase);
  }

  // ---- mandatory headers, once where only once is allowed (RFC 3261 §8.1.1, §7.3.1) ----
  const missing = MANDATORY.filter(([c]) => !idx.has(c)).map(([, label]) => label);
  if (missing.length > 0) {
    const list = missing.length === 1 ? `header ${missing[0]} is` : `headers ${missing.join(', ')} are`;
    return fail('E_SIP_MISSING_HEADER', `the mandatory ${list} missing (RFC 3261 §8.1.1)`, ctxBase);
  }
  for (const c of SINGLE) {
    const a = idx.get(c);
    if (a !== undefined && a.length > 1) {
      return fail('E_SIP_DUPLICATE_HEADER', `${headers[a[0]][0]} appears ${a.length} times; it may appear once (RFC 3261 §7.3; RFC 4475 §3.3.8 multi01)`, ctxBase);
    }
  }

  // ---- Via ----
  const vias: Via[] = [];
  for (const v of all('via')) {
    // A request's Vias must be SIP/2.0 (RegLab routes its answer along them); a response's may be of
    // another SIP version: a 505 copies the Vias of the SIP/7.0 request it refuses (RFC 4475
    // §3.1.2.16 badvers), and must parse back.
    const r = parseSipVia(v, isResponse);
    if (!r.ok) return fail('E_SIP_BAD_VIA', `Via: ${r.error}`, ctxBase);
    for (const x of r.value) vias.push(x);
  }

  // ---- CSeq ----
  const cs = parseCSeq(one('cseq')!);
  if (!cs.ok) return fail('E_SIP_BAD_CSEQ', `CSeq: ${cs.error}`, ctxBase);
  if (!isResponse && cs.value.method !== method) {
    return fail('E_SIP_CSEQ_MISMATCH', `CSeq method '${cs.value.method}' differs from the request method '${method}' (RFC 3261 §8.1.1.5; RFC 4475 §3.1.2.17)`, ctxBase);
  }

  // ---- Call-ID ----
  const callId = one('call-id')!;
  if (!isCallId(callId)) {
    return fail('E_SIP_BAD_CALL_ID', `Call-ID '${clip(callId)}' is not word[@word] (RFC 3261 §25.1 callid)`, ctxBase);
  }

  // ---- From / To ----
  const from = parseNameAddr(one('from')!);
  if (!from.ok) return fail('E_SIP_BAD_FROM', `From: ${from.error}`, ctxBase);
  const to = parseNameAddr(one('to')!);
  if (!to.ok) return fail('E_SIP_BAD_TO', `To: ${to.error}`, ctxBase);
  if (!SUPPORTED_SCHEMES.includes(to.value.uri.scheme)) unsupported.push({ field: 'To', scheme: to.value.uri.scheme });
  if (!SUPPORTED_SCHEMES.includes(from.value.uri.scheme)) unsupported.push({ field: 'From', scheme: from.value.uri.scheme });

  // ---- Max-Forwards (mandatory in requests of RFC 3261 clients, §8.1.1.6) ----
  let maxForwards: number | undefined;
  const mf = one('max-forwards');
  if (mf !== undefined) {
    const r = parseMaxForwards(mf);
    if (!r.ok) return fail('E_SIP_BAD_MAX_FORWARDS', r.error, ctxBase);
    maxForwards = r.value;
  } else if (!isResponse && (vias[0]?.branch ?? '').startsWith(BRANCH_MAGIC_COOKIE)) {
    // An RFC 2543 client (no magic cookie) may omit it: accepted for backward compatibility (RFC 4475 §3.4.1 inv2543).
    return fail('E_SIP_MISSING_HEADER', 'the mandatory Max-Forwards header is missing (RFC 3261 §8.1.1.6)', ctxBase);
  }

  // ---- Contact ----
  let contacts: NameAddr[] | '*' = [];
  const contactLines = all('contact');
  for (const c of contactLines) {
    const r = parseContacts(c);
    if (!r.ok) return fail('E_SIP_BAD_CONTACT', `Contact: ${r.error}`, ctxBase);
    if (r.value === '*' || contacts === '*') {
      if (contactLines.length > 1) return fail('E_SIP_BAD_CONTACT', "Contact '*' must be the only contact (RFC 3261 §10.2.2)", ctxBase);
      contacts = '*';
      continue;
    }
    for (const x of r.value) {
      contacts.push(x);
      if (!SUPPORTED_SCHEMES.includes(x.uri.scheme)) unsupported.push({ field: 'Contact', scheme: x.uri.scheme });
    }
  }

  // ---- Expires ----
  let expires: number | undefined;
  const ex = one('expires');
  if (ex !== undefined) {
    const r = parseExpires(ex);
    if (!r.ok) return fail('E_SIP_BAD_EXPIRES', r.error, ctxBase);
    expires = r.value;
  }

  // ---- Content-Type ----
  const ct = one('content-type');
  if (ct !== undefined && !MEDIA_TYPE.test(ct)) {
    return fail('E_SIP_BAD_CONTENT_TYPE', `Content-Type '${clip(ct)}' is not type/subtype[;params]`, ctxBase);
  }

  // ---- the blank line and the body ----
  if (headEnd < 0) {
    return fail('E_SIP_NO_BLANK_LINE', 'the header section does not end with an empty line (CRLF CRLF): the message is truncated (RFC 3261 §7)', ctxBase);
  }
  const bodyStart = headEnd + 4;
  const available = n - bodyStart;
  let bodyLen: number;
  if (contentLength !== undefined) {
    if (contentLength > available) {
      return fail('E_SIP_BAD_CONTENT_LENGTH', `Content-Length ${contentLength} is larger than the ${available} body bytes received (RFC 4475 §3.1.2.2 clerr)`, ctxBase);
    }
    bodyLen = contentLength;
  } else bodyLen = available;
  const bodyBytes = bytes.subarray(bodyStart, bodyStart + bodyLen);
  if (bodyLen > 0 && ct === undefined) {
    return fail('E_SIP_MISSING_CONTENT_TYPE', `a ${bodyLen}-byte body has no Content-Type (RFC 3261 §20.15)`, ctxBase);
  }
  let body = '';
  let binary: Uint8Array | undefined;
  if (bodyLen > 0) {
    try {
      body = decoder.decode(bodyBytes);
    } catch {
      binary = bodyBytes.slice();
      body = Buffer.from(binary).toString('latin1');
    }
  }

  // ---- the message: headers as read, Content-Length left to the model (it derives it) ----
  const kept: SipHeader[] = [];
  for (const h of headers) if (canonicalName(h[0]) !== 'content-length') kept.push([h[0], h[1]]);
  const msg = isResponse
    ? SipMessage.response(status, reason, cs.value.method, kept, { body, bodyBytes: binary })
    : SipMessage.request(method, requestUri, kept, { body, bodyBytes: binary });
  return {
    ok: true,
    msg,
    fields: {
      requestUri: ruri,
      via: vias,
      from: from.value,
      to: to.value,
      callId,
      cseq: cs.value,
      maxForwards,
      contacts,
      expires,
      contentLength,
    },
    consumed: bodyStart + bodyLen,
    unsupportedSchemes: unsupported,
    trailingBytes: stream ? 0 : available - bodyLen,
  };
}

function fail(code: SipErrorCode, reason: string, ctx: Parameters<typeof sipError>[2]): ParseResult {
  // A reason quotes the offending text; a hostile message must not make it megabytes long.
  const r = reason.length > 240 ? reason.slice(0, 160) + ' ... ' + reason.slice(-70) : reason;
  return { ok: false, error: sipError(code, r, ctx) };
}
