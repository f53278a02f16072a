import type { Message } from '../net/message.ts';

/** A header as it appears on the wire: name (as written) and value. Order is kept. */
export type SipHeader = readonly [name: string, value: string];

/**
 * A SIP message (RFC 3261 §7) as the simulator carries it: start line, ordered headers, body.
 *
 * Built for populations of millions (DESIGN principle 5): `bytes` is exact (UTF-8 length of the
 * text `wire()` renders) but computed from the parts' lengths, so a message that nobody watches is
 * never rendered. Content-Length is always derived from the body, never taken from the caller, so
 * it cannot be wrong; it is rendered last among the headers.
 */
export class SipMessage implements Message {
  readonly proto = 'sip';
  readonly entries = 1;
  readonly kind: string;
  readonly bytes: number;

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
  ) {
    this.kind = status === 0 ? method : `${status} ${method}`;
    let n = utf8Length(this.startLine()) + 2;
    for (let i = 0; i < headers.length; i++) n += utf8Length(headers[i][0]) + 2 + utf8Length(headers[i][1]) + 2;
    const bodyBytes = utf8Length(body);
    n += 16 + digits(bodyBytes) + 2; // "Content-Length: " + n + CRLF
    n += 2 + bodyBytes; // blank line + body
    this.bytes = n;
  }

  static request(
    method: string,
    requestUri: string,
    headers: readonly SipHeader[],
    opts: { body?: string; sub?: number; procedure?: string; rules?: readonly string[] } = {},
  ): SipMessage {
    return new SipMessage(method, requestUri, 0, '', headers, opts.body ?? '', opts.sub ?? -1, opts.procedure, opts.rules);
  }

  /** A response; `method` is the CSeq method of the request it answers. */
  static response(
    status: number,
    reason: string,
    method: string,
    headers: readonly SipHeader[],
    opts: { body?: string; sub?: number; procedure?: string; rules?: readonly string[] } = {},
  ): SipMessage {
    return new SipMessage(method, '', status, reason, headers, opts.body ?? '', opts.sub ?? -1, opts.procedure, opts.rules);
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
    for (const [n, v] of this.headers) if (canonicalName(n) === want) return v;
    return undefined;
  }

  /** Every value of a header, in order. */
  headerAll(name: string): string[] {
    const want = canonicalName(name);
    const out: string[] = [];
    for (const [n, v] of this.headers) if (canonicalName(n) === want) out.push(v);
    return out;
  }

  /** The message as RFC 3261 text. */
  wire(): string {
    let s = this.startLine() + '\r\n';
    for (const [n, v] of this.headers) s += `${n}: ${v}\r\n`;
    s += `Content-Length: ${utf8Length(this.body)}\r\n\r\n`;
    return s + this.body;
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
};

/** Lower-case long form of a header name ('V' → 'via', 'Call-ID' → 'call-id'). */
export function canonicalName(name: string): string {
  const l = name.toLowerCase();
  return COMPACT[l] ?? l;
}

/** UTF-8 byte length without encoding (ASCII strings, the usual case, cost one pass of charCodeAt). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // surrogate pair: 4 bytes for 2 UTF-16 units
      i++;
    } else n += 2;
  }
  return n;
}

function digits(x: number): number {
  return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : String(x).length;
}
