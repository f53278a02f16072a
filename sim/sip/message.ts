import type { Message } from '../net/message.ts';

/** A header as it appears on the wire: name (as written) and value. Order is kept. */
export type SipHeader = readonly [name: string, value: string];

/**
 * What the transaction layer reads of a message (RFC 3261 §17): the method and status that drive
 * its state machines, the branch that names the transaction, and — only on the rare paths that
 * build a message themselves (the ACK of a non-2xx, an automatic 100 Trying, the 408 of a timeout)
 * — the request's Request-URI and headers. SipMessage is one; a protocol module's compact message
 * class can be another (sim/ims/sip-message.ts: ImsSip renders its headers on demand), and then
 * runs through the same transactions, typed, without casts.
 */
export interface TxMessage extends Message {
  /** Request method; for a response, the method of its CSeq. */
  readonly method: string;
  /** Status code; 0 for a request. */
  readonly status: number;
  /** The top Via's branch (RFC 3261 §17.1.3), '' when none. */
  readonly branch: string;
  readonly requestUri: string;
  readonly headers: readonly SipHeader[];
  /** First value of a header, by name, case-insensitively. */
  header(name: string): string | undefined;
}

/** Options of `SipMessage.request` / `SipMessage.response`. */
export interface SipMessageOptions {
  body?: string;
  /**
   * The body as bytes, when it is not (valid) UTF-8 text — a binary MIME part, as RFC 4475 mpart01.
   * When given, `bytes` counts these bytes, `wireBytes()` sends them, and `body` is only a lossy
   * rendering for display. The parser sets it for bodies that are not valid UTF-8.
   */
  bodyBytes?: Uint8Array;
  sub?: number;
  procedure?: string;
  rules?: readonly string[];
}

/**
 * A SIP message (RFC 3261 §7) as the simulator carries it: start line, ordered headers, body.
 *
 * Built for populations of millions (DESIGN principle 5): `bytes` is exact (UTF-8 length of the
 * text `wire()` renders) but computed from the parts' lengths, so a message that nobody watches is
 * never rendered. Content-Length is always derived from the body, never taken from the caller, so
 * it cannot be wrong; it is rendered last among the headers.
 *
 * Structured fields the transaction layer needs on every message (top Via branch, CSeq) are read
 * lazily from the headers and cached, so building a message costs one pass over the lengths only.
 */
export class SipMessage implements TxMessage {
  readonly proto = 'sip';
  readonly entries = 1;
  readonly kind: string;
  readonly bytes: number;
  /** Binary body (see SipMessageOptions.bodyBytes), or undefined for a text body. */
  readonly bodyBytes: Uint8Array | undefined;
  /** Cache of the top Via branch ('' when none); undefined until first asked. */
  private branchCache: string | undefined = undefined;

  private constructor(
    /** Request method; for a response, the method of its CSeq. */
    readonly method: string,
    /** Request-URI; '' for a response. */
    readonly requestUri: string,
    /** Status code; 0 for a request. */
    readonly status: number,
    readonly reason: string,
    readonly headers: readonly SipHeader[],
    readonly body: string,
    /** The subscriber this message concerns (-1 for none). */
    readonly sub: number,
    readonly procedure: string | undefined,
    /** Spec step ids this message realises (attached by the code that built it). */
    readonly rules: readonly string[] | undefined,
    bodyBytes: Uint8Array | undefined,
  ) {
    this.kind = status === 0 ? method : `${status} ${method}`;
    this.bodyBytes = bodyBytes;
    // Fixed parts: "M uri SIP/2.0" or "SIP/2.0 200 reason", ": " and CRLF per header,
    // "Content-Length: " + digits + CRLF, the blank line. The text parts are measured in one pass.
    let text = status === 0 ? method + requestUri : reason;
    let n = status === 0 ? 1 + 8 : 8 + digits(status) + 1;
    n += 2;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      text += h[0];
      text += h[1];
      n += 4;
    }
    const bodyLen = bodyBytes !== undefined ? bodyBytes.length : body.length === 0 ? 0 : utf8Length(body);
    n += utf8Length(text) + 16 + digits(bodyLen) + 2 + 2 + bodyLen;
    this.bytes = n;
  }

  static request(method: string, requestUri: string, headers: readonly SipHeader[], opts: SipMessageOptions = {}): SipMessage {
    return new SipMessage(method, requestUri, 0, '', headers, opts.body ?? '', opts.sub ?? -1, opts.procedure, opts.rules, opts.bodyBytes);
  }

  /** A response; `method` is the CSeq method of the request it answers. */
  static response(
    status: number,
    reason: string,
    method: string,
    headers: readonly SipHeader[],
    opts: SipMessageOptions = {},
  ): SipMessage {
    return new SipMessage(method, '', status, reason, headers, opts.body ?? '', opts.sub ?? -1, opts.procedure, opts.rules, opts.bodyBytes);
  }

  get isRequest(): boolean {
    return this.status === 0;
  }

  startLine(): string {
    return this.status === 0 ? `${this.method} ${this.requestUri} SIP/2.0` : `SIP/2.0 ${this.status} ${this.reason}`;
  }

  /** First value of a header, by name, case-insensitively (compact forms included: 'v' = Via, …). */
  header(name: string): string | undefined {
    const want = canonicalName(name);
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) if (isHeader(hs[i][0], want)) return hs[i][1];
    return undefined;
  }

  /** Every value of a header, in order (header lines as written: a line may hold a comma list). */
  headerAll(name: string): string[] {
    const want = canonicalName(name);
    const out: string[] = [];
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) if (isHeader(hs[i][0], want)) out.push(hs[i][1]);
    return out;
  }

  /**
   * The branch parameter of the top Via (RFC 3261 §8.1.1.7), '' when there is none. Cached: the
   * transaction layer asks for it on every message.
   */
  get branch(): string {
    let b = this.branchCache;
    if (b === undefined) {
      const via = this.header('via');
      b = this.branchCache = via === undefined ? '' : viaBranch(via);
    }
    return b;
  }

  /** The method of the CSeq header (for a request the request method; RFC 3261 §8.1.1.5). */
  get cseqMethod(): string {
    return this.method;
  }

  /** The message as RFC 3261 text (a binary body is shown decoded as UTF-8, lossily; see wireBytes). */
  wire(): string {
    let s = this.startLine() + '\r\n';
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) s += `${hs[i][0]}: ${hs[i][1]}\r\n`;
    const bodyLen = this.bodyBytes !== undefined ? this.bodyBytes.length : utf8Length(this.body);
    s += `Content-Length: ${bodyLen}\r\n\r\n`;
    return s + this.body;
  }

  /** The exact bytes on the wire (`bytes` long), binary body included. */
  wireBytes(): Uint8Array {
    if (this.bodyBytes === undefined) return Buffer.from(this.wire(), 'utf8');
    const text = this.wire();
    const head = Buffer.from(text.slice(0, text.length - this.body.length), 'utf8');
    const out = new Uint8Array(head.length + this.bodyBytes.length);
    out.set(head, 0);
    out.set(this.bodyBytes, head.length);
    return out;
  }
}

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  e: 'content-encoding',
  k: 'supported',
  s: 'subject',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  y: 'identity',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
};

/** Lower-case long form of a header name ('V' → 'via', 'Call-ID' → 'call-id'). */
export function canonicalName(name: string): string {
  const l = name.toLowerCase();
  // Compact forms are one letter; looking up only those keeps '__proto__' or 'constructor' a plain name.
  return (l.length === 1 ? COMPACT[l] : undefined) ?? l;
}

/** Whether a header name as written is the header whose canonical name is `want` (no allocation). */
export function isHeader(name: string, want: string): boolean {
  if (name.length === want.length) {
    for (let i = 0; i < name.length; i++) {
      let c = name.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== want.charCodeAt(i)) return false;
    }
    return true;
  }
  return name.length === 1 && COMPACT[name.toLowerCase()] === want;
}

/**
 * The branch parameter of the first Via in a Via header value ('' when absent). Stops at the first
 * comma outside quotes: a Via line may carry several via-parms.
 */
export function viaBranch(via: string): string {
  const n = via.length;
  let quoted = false;
  for (let i = 0; i < n; i++) {
    const c = via.charCodeAt(i);
    if (quoted) {
      if (c === 92 /* \ */) i++;
      else if (c === 34) quoted = false;
      continue;
    }
    if (c === 34 /* " */) quoted = true;
    else if (c === 44 /* , */) return '';
    else if (c === 59 /* ; */) {
      let j = i + 1;
      while (j < n && isWsp(via.charCodeAt(j))) j++;
      // "branch", case-insensitively, without allocating (| 0x20 lower-cases ASCII letters)
      if (
        j + 6 < n &&
        (via.charCodeAt(j) | 0x20) === 98 &&
        (via.charCodeAt(j + 1) | 0x20) === 114 &&
        (via.charCodeAt(j + 2) | 0x20) === 97 &&
        (via.charCodeAt(j + 3) | 0x20) === 110 &&
        (via.charCodeAt(j + 4) | 0x20) === 99 &&
        (via.charCodeAt(j + 5) | 0x20) === 104
      ) {
        let k = j + 6;
        while (k < n && isWsp(via.charCodeAt(k))) k++;
        if (via.charCodeAt(k) === 61 /* = */) {
          k++;
          while (k < n && isWsp(via.charCodeAt(k))) k++;
          let e = k;
          while (e < n) {
            const d = via.charCodeAt(e);
            if (d === 59 || d === 44 || isWsp(d)) break;
            e++;
          }
          return via.slice(k, e);
        }
      }
    }
  }
  return '';
}

function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(16384);

/**
 * UTF-8 byte length of a string. Short strings: one pass of charCodeAt. Longer ones (a message's
 * text, concatenated): the engine's native encoder into a reused scratch buffer, which measured
 * 3–4× faster than a JS loop on the cons-strings that header building produces (bench/sip-message.ts).
 */
export function utf8Length(s: string): number {
  const len = s.length;
  if (len < 48) return utf8LengthLoop(s);
  if (len * 3 > scratch.length) scratch = new Uint8Array(Math.max(len * 3, scratch.length * 2));
  return encoder.encodeInto(s, scratch).written;
}

function utf8LengthLoop(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // surrogate pair: 4 bytes for 2 UTF-16 units
      i++;
    } else n += 2; // BMP char, or a lone surrogate (encoded as U+FFFD: 3 bytes)
  }
  return n;
}

function digits(x: number): number {
  return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : String(x).length;
}
