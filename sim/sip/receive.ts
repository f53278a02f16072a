/**
 * What a SIP element does with the bytes it receives before any procedure runs: parse them, and
 * when the request cannot be served, build the answer RFC 3261 prescribes — 400 for a malformed
 * request, 505 for another version, 501/416/420/415/406/483 for requests that parse but ask for
 * what the element does not support — so that "invalid ones are answered 400 (505 for the bad
 * version) and the node keeps working". Responses that fail to parse are dropped, never answered
 * (RFC 4475 §3.1.2.5 scalarlg, §3.1.2.19 bigcode), and so is every ACK (RFC 3261 §17.2.1).
 *
 * The order of checks is RFC 3261 §8.2 (UAS) and §16.3 (proxy): method (§8.2.1), Request-URI
 * scheme (§8.2.2.1), Require (§8.2.2.3), body type (§8.2.3), Accept (§21.4.7), then role-specific.
 */
import { SipMessage, canonicalName, type SipHeader } from './message.ts';
import { parseSip, type ParseOptions, type ParseSuccess } from './parser.ts';
import type { SipParseError } from './parse-errors.ts';
import { createResponse, reasonPhrase, hasTag } from './response.ts';
import { parseCSeq, parseNameAddr, parseSipVia, quote, splitList, isCallId, isToken } from './headers.ts';
import { SUPPORTED_SCHEMES } from './uri.ts';

export interface ReceiverPolicy {
  /**
   * 'uas' (default): a user agent server; 'registrar': a UAS that also insists on a SIP/SIPS
   * address-of-record in To for REGISTER; 'proxy': checks Max-Forwards (483) and Proxy-Require.
   */
  role?: 'uas' | 'registrar' | 'proxy';
  /** Methods the element implements (others: 501 Not Implemented with Allow). */
  methods?: readonly string[];
  /** Option tags it supports (others in Require: 420 Bad Extension with Unsupported). */
  extensions?: readonly string[];
  /** Body types it understands (others: 415 Unsupported Media Type with Accept). */
  contentTypes?: readonly string[];
  /** Body types it would answer with, per method (an Accept that allows none of them: 406). */
  answerTypes?: Readonly<Record<string, readonly string[]>>;
  /** URI schemes it serves (others in the Request-URI: 416). */
  uriSchemes?: readonly string[];
  /** To tag for the answers it builds (default: derived from the message, deterministic). */
  toTag?: string;
  /** Host named in the Warning header of the answers (default 'reglab'). */
  agent?: string;
}

export const DEFAULT_METHODS: readonly string[] = [
  'REGISTER', 'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'SUBSCRIBE', 'NOTIFY', 'MESSAGE', 'PRACK', 'UPDATE', 'INFO', 'REFER', 'PUBLISH',
];
export const DEFAULT_EXTENSIONS: readonly string[] = ['path', 'gruu', 'outbound', 'timer', '100rel', 'replaces', 'eventlist'];
export const DEFAULT_CONTENT_TYPES: readonly string[] = [
  'application/sdp',
  'application/reginfo+xml',
  'application/3gpp-ims+xml',
  'application/vnd.3gpp.sms',
  'message/sipfrag',
  'multipart/mixed',
  'text/plain',
];
/** The most option tags a 420's Unsupported lists (and the Warning names): the answer stays small. */
export const MAX_UNSUPPORTED_LISTED = 16;

export const DEFAULT_ANSWER_TYPES: Readonly<Record<string, readonly string[]>> = { INVITE: ['application/sdp'] };

/** What became of received bytes. */
export type Reception =
  | { readonly kind: 'accept'; readonly parsed: ParseSuccess }
  /** A request that must be answered with `answer` (and not processed further). */
  | { readonly kind: 'reject'; readonly answer: SipMessage; readonly why: string; readonly error?: SipParseError; readonly parsed?: ParseSuccess }
  /** Nothing to send: a malformed response, or a malformed ACK. */
  | { readonly kind: 'drop'; readonly why: string; readonly error?: SipParseError };

/** Parses received bytes and decides: accept, reject with an answer, or drop. Never throws. */
export function receiveSip(bytes: Uint8Array | string, policy: ReceiverPolicy = {}, opts: ParseOptions = {}): Reception {
  const r = parseSip(bytes, opts);
  if (!r.ok) {
    const e = r.error;
    if (e.isResponse) return { kind: 'drop', why: `malformed response dropped: ${e.reason}`, error: e };
    if (e.method === 'ACK') return { kind: 'drop', why: `malformed ACK dropped (an ACK is never answered): ${e.reason}`, error: e };
    // RFC 4475 §3.1.2.18 mismatch02: a CSeq mismatch on a method the element does not implement is
    // best answered 501, as the method check (RFC 3261 §8.2.1) comes first.
    const methods = policy.methods ?? DEFAULT_METHODS;
    if (e.code === 'E_SIP_CSEQ_MISMATCH' && e.method !== undefined && !methods.includes(e.method)) {
      const why = `method '${e.method}' is not implemented here (RFC 3261 §8.2.1); besides, ${e.reason}`;
      const a = answerForParseError({ ...e, status: 501, reason: why }, policy, [['Allow', methods.join(', ')]]);
      return 'drop' in a ? { kind: 'drop', why: a.drop, error: e } : { kind: 'reject', answer: a.answer, why, error: e };
    }
    const a = answerForParseError(e, policy);
    return 'drop' in a ? { kind: 'drop', why: a.drop, error: e } : { kind: 'reject', answer: a.answer, why: e.reason, error: e };
  }
  if (!r.msg.isRequest || r.msg.method === 'ACK') return { kind: 'accept', parsed: r };
  const semantic = checkRequest(r, policy);
  if (semantic !== undefined) return { kind: 'reject', answer: semantic.answer, why: semantic.why, parsed: r };
  return { kind: 'accept', parsed: r };
}

/**
 * The response to send for received bytes that are a request the element cannot serve: 400/505
 * when parsing fails (Via, From, To, Call-ID and CSeq copied when they could be parsed), or the
 * RFC 3261 §8.2 answer (501, 416, 420, 415, 406, 483, 400) when it parses but cannot be served.
 * undefined when there is nothing to send: the request is fine, or it was a response or an ACK.
 */
export function answerForBadRequest(bytes: Uint8Array | string, policy: ReceiverPolicy = {}, opts: ParseOptions = {}): SipMessage | undefined {
  const r = receiveSip(bytes, policy, opts);
  return r.kind === 'reject' ? r.answer : undefined;
}

/** RFC 3261 §8.2 / §16.3 checks on a request that parsed; undefined when it may be processed. */
export function checkRequest(parsed: ParseSuccess, policy: ReceiverPolicy = {}): { answer: SipMessage; why: string } | undefined {
  const msg = parsed.msg;
  const role = policy.role ?? 'uas';
  const tag = policy.toTag ?? derivedTag(msg.header('call-id') ?? '', msg.header('cseq') ?? '');
  const warn = (why: string): SipHeader => warning(policy, why);
  const reject = (status: number, why: string, extra: SipHeader[] = []) => ({
    answer: createResponse(msg, status, { toTag: tag, headers: [...extra, warn(why)] }),
    why,
  });

  // §16.3 step 3: a proxy never forwards a request whose Max-Forwards is 0 (RFC 4475 §3.3.11 zeromf).
  if (role === 'proxy' && parsed.fields.maxForwards === 0) return reject(483, 'Max-Forwards is 0: the request cannot be forwarded (RFC 3261 §16.3)');

  // §8.2.1: method inspection.
  const methods = policy.methods ?? DEFAULT_METHODS;
  if (!methods.includes(msg.method)) {
    return reject(501, `method '${msg.method}' is not implemented here (RFC 3261 §8.2.1)`, [['Allow', methods.join(', ')]]);
  }

  // §8.2.2.1: Request-URI scheme.
  const schemes = policy.uriSchemes ?? SUPPORTED_SCHEMES;
  const ruriScheme = parsed.fields.requestUri?.scheme ?? '';
  if (!schemes.includes(ruriScheme)) {
    return reject(416, `the Request-URI scheme '${ruriScheme}' is not supported (RFC 3261 §8.2.2.1)`);
  }

  // Registrar: the address-of-record comes from To and must be a SIP or SIPS URI (RFC 3261 §10.3).
  if (role === 'registrar' && msg.method === 'REGISTER') {
    const s = parsed.fields.to.uri.scheme;
    if (s !== 'sip' && s !== 'sips') return reject(400, `To '${parsed.fields.to.uriText}' is not a SIP or SIPS URI: no address-of-record to bind (RFC 3261 §10.3)`);
  }

  // §8.2.2.3 (UAS: Require) and §16.3 step 5 (proxy: Proxy-Require).
  const extensions = policy.extensions ?? DEFAULT_EXTENSIONS;
  const requireName = role === 'proxy' ? 'proxy-require' : 'require';
  // option-tag = token (RFC 3261 §25.1). A Set keeps this linear in the number of tags; the 420
  // lists at most MAX_UNSUPPORTED_LISTED of them, so a request of 10,000 unknown tags cannot make
  // the answer larger than a few hundred bytes (the RFC asks to list what is unsupported, and the
  // first ones are enough for the client to know why).
  const requireLabel = role === 'proxy' ? 'Proxy-Require' : 'Require';
  const unsupported = new Set<string>();
  let unsupportedCount = 0;
  for (const line of msg.headerAll(requireName)) {
    for (const t of line.split(',')) {
      const tag0 = t.trim();
      if (!isToken(tag0)) return reject(400, `${requireLabel}: '${tag0.length > 40 ? tag0.slice(0, 37) + '...' : tag0}' is not an option-tag (a token; RFC 3261 §25.1)`);
      if (extensions.includes(tag0) || unsupported.has(tag0)) continue;
      unsupportedCount++;
      if (unsupported.size < MAX_UNSUPPORTED_LISTED) unsupported.add(tag0);
    }
  }
  if (unsupported.size > 0 && msg.method !== 'CANCEL') {
    const listed = [...unsupported].join(', ');
    const more = unsupportedCount > unsupported.size ? ` and ${unsupportedCount - unsupported.size} more` : '';
    return reject(420, `${requireLabel} names unsupported extensions: ${listed}${more} (RFC 3261 §8.2.2.3)`, [['Unsupported', listed]]);
  }

  // §8.2.3: the body must be of a type we understand.
  const types = policy.contentTypes ?? DEFAULT_CONTENT_TYPES;
  const ct = msg.header('content-type');
  if (ct !== undefined && (msg.body.length > 0 || msg.bodyBytes !== undefined)) {
    const mt = mediaType(ct);
    if (!types.includes(mt)) {
      return reject(415, `Content-Type '${mt}' is not understood (RFC 3261 §8.2.3)`, [['Accept', types.join(', ')]]);
    }
  }

  // §21.4.7: the request's Accept allows none of the types we would answer with.
  const answerTypes = (policy.answerTypes ?? DEFAULT_ANSWER_TYPES)[msg.method];
  const accept = msg.headerAll('accept');
  if (answerTypes !== undefined && accept.length > 0) {
    const accepted: string[] = [];
    for (const line of accept) {
      const l = splitList(line);
      if (l.ok) for (const e of l.value) accepted.push(mediaType(e));
    }
    const ok = answerTypes.some((t) => accepted.some((a) => a === '*/*' || a === t || (a.endsWith('/*') && t.startsWith(a.slice(0, -1)))));
    if (!ok && accepted.length > 0) {
      return reject(406, `Accept (${accepted.join(', ')}) allows none of ${answerTypes.join(', ')} (RFC 3261 §21.4.7)`);
    }
  }
  return undefined;
}

/** The lower-case type/subtype of a Content-Type or Accept element, parameters dropped. */
function mediaType(v: string): string {
  const semi = v.indexOf(';');
  return (semi < 0 ? v : v.slice(0, semi)).replace(/\s+/g, '').toLowerCase();
}

function warning(policy: ReceiverPolicy, why: string): SipHeader {
  // RFC 3261 §20.43: warn-code 399 "miscellaneous warning", text as a quoted string (kept short).
  const text = why.length > 200 ? why.slice(0, 197) + '...' : why;
  return ['Warning', `399 ${policy.agent ?? 'reglab'} ${quote(text.replace(/[\x00-\x1f\x7f]/g, ' '))}`];
}

/** A deterministic To tag for answers built without dialog state (FNV-1a of Call-ID and CSeq). */
function derivedTag(callId: string, cseq: string): string {
  let h = 0x811c9dc5;
  const s = callId + '\n' + cseq;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 'r' + h.toString(36);
}

/** Stands in for a From, To or Call-ID that cannot be copied (RFC 3261 §8.1.1.3's anonymous URI; .invalid by RFC 2606). */
export const PLACEHOLDER_URI = '<sip:anonymous@anonymous.invalid>';
export const PLACEHOLDER_CALL_ID = 'unreadable@anonymous.invalid';

/*
 * RFC 3261 §8.2.6.2 needs From, Call-ID, CSeq and Via copied from the request (and To, with a tag).
 * For a request that failed to parse, each is copied only if its own value parses as the parser
 * would read it: an answer must not repeat the fault, and must itself be well formed (all five are
 * mandatory in a response, RFC 3261 §20). What cannot be copied:
 * - Via: the response is routed along the request's Vias (§18.2.2), all of them in order; without
 *   them it cannot be, so the request is dropped, with the reason, never answered;
 * - the CSeq method (from the CSeq, else the request line): the client matches the response to its
 *   transaction by branch and CSeq method (§17.1.3); without one the request is dropped too;
 * - From, To, Call-ID, the CSeq number: a well-formed placeholder (PLACEHOLDER_URI,
 *   PLACEHOLDER_CALL_ID, sequence 0), so that the 400 RFC 4475 asks for (insuf, scalar02) still
 *   reaches the client and matches its transaction.
 */
function answerForParseError(
  e: SipParseError,
  policy: ReceiverPolicy,
  extra: SipHeader[] = [],
): { answer: SipMessage } | { drop: string } {
  const unreadable = new Set(e.unreadable ?? []);
  const vias: SipHeader[] = [];
  let viaOk = !unreadable.has('via');
  let from: string | undefined;
  let to: string | undefined;
  let callId: string | undefined;
  let cseq: string | undefined;
  let cseqMethod = '';
  for (const [name, value] of e.headers ?? []) {
    const c = canonicalName(name);
    if (c === 'via') {
      // Every Via or none: a response follows the request's Vias in order (RFC 3261 §8.2.6.2, §18.2.2).
      // SIP/2.0 ones, but for the 505 to a SIP/7.0 request, which goes back along its SIP/7.0 Vias.
      if (viaOk && parseSipVia(value, e.code === 'E_SIP_BAD_VERSION').ok) vias.push(['Via', value]);
      else viaOk = false;
    } else if (c === 'from') {
      if (from === undefined && !unreadable.has(c) && parseNameAddr(value).ok) from = value;
    } else if (c === 'to') {
      if (to === undefined && !unreadable.has(c) && parseNameAddr(value).ok) to = value;
    } else if (c === 'call-id') {
      if (callId === undefined && !unreadable.has(c) && isCallId(value)) callId = value;
    } else if (c === 'cseq') {
      if (cseq === undefined && !unreadable.has(c)) {
        const r = parseCSeq(value);
        if (r.ok) {
          cseq = value;
          cseqMethod = r.value.method;
        }
      }
    }
  }
  if (!viaOk || vias.length === 0) {
    return { drop: `malformed request dropped, not answered: without a Via that parses the ${e.status} cannot be routed back (RFC 3261 §18.2.2); ${e.reason}` };
  }
  const method = cseqMethod || (e.method !== undefined && isToken(e.method) ? e.method : '');
  if (method === '') return { drop: `malformed request dropped, not answered: no method to put in the CSeq of the ${e.status} (RFC 3261 §17.1.3); ${e.reason}` };
  if (method === 'ACK') return { drop: `malformed ACK dropped (an ACK is never answered): ${e.reason}` };
  const seq = cseq ?? `0 ${method}`;
  const cid = callId ?? PLACEHOLDER_CALL_ID;
  const toValue = to ?? PLACEHOLDER_URI;
  const tag = policy.toTag ?? derivedTag(cid, seq);
  const headers: SipHeader[] = [...vias, ['From', from ?? PLACEHOLDER_URI], ['To', hasTag(toValue) ? toValue : `${toValue};tag=${tag}`], ['Call-ID', cid], ['CSeq', seq]];
  for (const h of extra) headers.push(h);
  headers.push(warning(policy, e.reason));
  return { answer: SipMessage.response(e.status, reasonPhrase(e.status), method, headers) };
}
