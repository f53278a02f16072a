/**
 * Structured SIP header values (RFC 3261 §20, grammar of §25.1): parse what the transaction layer
 * and registrars need — name-addr with parameters (From, To, Contact, Route), Via, CSeq, Expires —
 * and BUILD them correctly, so node code never concatenates header syntax by hand.
 *
 * Parsers return `{ ok: true, value }` or `{ ok: false, error }` where `error` names what is wrong;
 * they never throw on bad input (DESIGN principle 7).
 */
import { parseUri, isValidHost, type Uri } from './uri.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A header parameter: name as written and value (undefined for a flag; quoted strings keep their quotes). */
export type HeaderParam = readonly [name: string, value: string | undefined];

// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * Reads a quoted-string starting at s[i] === '"'; returns the index after the closing quote, or
 * -1 when it is not closed, or -2 when it holds a raw character that only a quoted-pair may carry.
 * RFC 3261 §25.1: qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII, so a control character
 * (other than HTAB) or DEL (%x7F) appears in a quoted-string only escaped, as a quoted-pair.
 */
export function scanQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): not CR or LF
      const n = s.charCodeAt(j + 1);
      if (!(n >= 0 && n <= 0x7f) || n === 10 || n === 13) return -1;
      j++;
    } else if (c === 34) return j + 1;
    else if ((c < 0x20 && c !== 9) || c === 0x7f) return -2;
  }
  return -1;
}

/** What is wrong with a quoted-string that scanQuoted refused (its result `e` < 0), for an error message. */
export function quotedFault(e: number): string {
  return e === -2 ? 'a quoted string holds a raw control character or DEL (RFC 3261 §25.1 qdtext; escape it as a quoted-pair)' : 'unbalanced quote';
}

/** The content of a quoted-string, escapes removed: '"a\\"b"' → 'a"b'. */
export function unquote(q: string): string {
  if (q.length < 2 || q[0] !== '"') return q;
  return q.slice(1, -1).replace(/\\(.)/g, '$1');
}

/**
 * A quoted-string for `s`: quotes, backslashes, controls and DEL escaped as quoted-pairs (qdtext
 * carries none of them raw). CR and LF have no quoted-pair (RFC 3261 §25.1): each becomes a space.
 */
export function quote(s: string): string {
  const controls = /[\x00-\x08\x0a-\x1f\x7f]/.test(s);
  if (!controls && s.indexOf('"') < 0 && s.indexOf('\\') < 0) return '"' + s + '"';
  const t = controls ? s.replace(/[\r\n]/g, ' ') : s;
  return '"' + t.replace(/[\\"\x00-\x08\x0b-\x1f\x7f]/g, (m) => '\\' + m) + '"';
}

/**
 * Splits a header value on commas that separate list elements (not inside quotes or <>).
 * Fails on an unbalanced quote or angle bracket (RFC 4475 quotbal, regbadct).
 */
export function splitList(value: string): Parsed<string[]> {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34) {
      const e = scanQuoted(value, i);
      if (e < 0) return { ok: false, error: `${quotedFault(e)} in '${value}'` };
      i = e - 1;
    } else if (c === 60) {
      if (angle) return { ok: false, error: `nested '<' in '${value}'` };
      angle = true;
    } else if (c === 62) {
      if (!angle) return { ok: false, error: `'>' without '<' in '${value}'` };
      angle = false;
    } else if (c === 44 && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (angle) return { ok: false, error: `'<' without '>' in '${value}'` };
  out.push(value.slice(start).trim());
  for (const e of out) if (e.length === 0) return { ok: false, error: `empty element in the list '${value}'` };
  return { ok: true, value: out };
}

/**
 * Parses `;name=value;flag` parameters (generic-param: token [ "=" ( token / host / quoted-string ) ]).
 * `s` starts at the first ';' (or is empty).
 */
export function parseParams(s: string): Parsed<HeaderParam[]> {
  const out: HeaderParam[] = [];
  let i = 0;
  const n = s.length;
  const skip = () => {
    while (i < n && isWs(s.charCodeAt(i))) i++;
  };
  skip();
  while (i < n) {
    if (s.charCodeAt(i) !== 59) return { ok: false, error: `expected ';' before a parameter at '${s.slice(i)}'` };
    i++;
    skip();
    let j = i;
    while (j < n && s.charCodeAt(j) < 128 && TOKEN[s.charCodeAt(j)] === 1) j++;
    const name = s.slice(i, j);
    if (name.length === 0) return { ok: false, error: `empty parameter name at '${s.slice(i - 1)}'` };
    i = j;
    skip();
    let value: string | undefined;
    if (i < n && s.charCodeAt(i) === 61 /* = */) {
      i++;
      skip();
      if (s.charCodeAt(i) === 34) {
        const e = scanQuoted(s, i);
        if (e < 0) return { ok: false, error: `${quotedFault(e)} in the value of parameter '${name}'` };
        value = s.slice(i, e);
        i = e;
      } else {
        j = i;
        // token / host (host adds '[', ']', ':' for IPv6 references)
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c < 128 && (TOKEN[c] === 1 || c === 91 || c === 93 || c === 58)) j++;
          else break;
        }
        value = s.slice(i, j);
        if (value.length === 0) return { ok: false, error: `parameter '${name}=' has no value` };
        // gen-value = token / host / quoted-string: '[', ']' and ':' only as an IPv6 reference
        if (!isToken(value) && !isValidHost(value)) {
          return { ok: false, error: `parameter '${name}=${clipText(value, 40)}' is not a token, host or quoted string (RFC 3261 §25.1 gen-value)` };
        }
        i = j;
      }
      skip();
    }
    out.push([name, value]);
  }
  return { ok: true, value: out };
}

/** A parameter's value by name, case-insensitively: '' for a flag, undefined when absent. */
export function param(params: readonly HeaderParam[], name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [n, v] of params) if (n.toLowerCase() === want) return v ?? '';
  return undefined;
}

/** name-addr / addr-spec with header parameters: From, To, Contact, Route, Record-Route, P-Asserted-Identity… */
export interface NameAddr {
  /** Display name, unquoted (undefined when absent). */
  readonly display: string | undefined;
  /** The URI text as written. */
  readonly uriText: string;
  readonly uri: Uri;
  /** Whether the URI was in <> (name-addr) or bare (addr-spec). */
  readonly angle: boolean;
  /** Header parameters after the URI (tag, expires, q, +sip.instance, …). */
  readonly params: readonly HeaderParam[];
}

/**
 * Parses one name-addr or addr-spec with parameters (RFC 3261 §20.10, §25.1):
 *   (name-addr / addr-spec) *( SEMI generic-param );  name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 * In the addr-spec form everything after the first ';' is a header parameter (RFC 3261 §20.10),
 * so `sip:a@b;unknownparam` puts `unknownparam` on the header (RFC 4475 cparam01).
 */
export function parseNameAddr(value: string): Parsed<NameAddr> {
  const v = value.trim();
  if (v.length === 0) return { ok: false, error: 'empty value (expected a URI or "Name" <URI>)' };
  let display: string | undefined;
  let i = 0;
  if (v.charCodeAt(0) === 34) {
    const e = scanQuoted(v, 0);
    if (e < 0) return { ok: false, error: `display name: ${quotedFault(e)} in '${v}'` };
    display = unquote(v.slice(0, e));
    i = e;
    while (i < v.length && isWs(v.charCodeAt(i))) i++;
    if (v.charCodeAt(i) !== 60) return { ok: false, error: `a quoted display name must be followed by <URI> in '${v}'` };
  }
  const lt = v.indexOf('<', i);
  if (lt >= 0) {
    if (display === undefined) {
      const d = v.slice(0, lt).trim();
      if (d.length > 0) {
        // display-name = *(token LWS) / quoted-string
        for (const w of d.split(/\s+/)) {
          if (!isToken(w)) return { ok: false, error: `display name '${d}' must be tokens or a quoted string (RFC 3261 §25.1 display-name)` };
        }
        display = d;
      }
    }
    const gt = v.indexOf('>', lt);
    if (gt < 0) return { ok: false, error: `'<' without '>' in '${v}'` };
    const uriText = v.slice(lt + 1, gt);
    if (/[\s<"]/.test(uriText)) return { ok: false, error: `the URI in <${uriText}> contains whitespace, '<' or a quote` };
    const u = parseUri(uriText);
    if (!u.ok) return { ok: false, error: u.error };
    const p = parseParams(v.slice(gt + 1));
    if (!p.ok) return { ok: false, error: `${p.error} after <${uriText}>` };
    return { ok: true, value: { display, uriText, uri: u.uri, angle: true, params: p.value } };
  }
  if (v.indexOf('>') >= 0) return { ok: false, error: `'>' without '<' in '${v}'` };
  // addr-spec: the URI ends at the first ';' (which starts the header parameters) or whitespace.
  let e = 0;
  while (e < v.length && v.charCodeAt(e) !== 59 && !isWs(v.charCodeAt(e))) e++;
  const uriText = v.slice(0, e);
  if (uriText.indexOf('?') >= 0 || uriText.indexOf(',') >= 0) {
    return { ok: false, error: `a URI with '?' or ',' must be enclosed in <> (RFC 3261 §20.10): '${uriText}'` };
  }
  const u = parseUri(uriText);
  if (!u.ok) return { ok: false, error: u.error };
  const p = parseParams(v.slice(e));
  if (!p.ok) return { ok: false, error: `${p.error} after ${uriText}` };
  return { ok: true, value: { display: undefined, uriText, uri: u.uri, angle: false, params: p.value } };
}

/** Contact: "*" or a comma list of name-addr with params (RFC 3261 §20.10). */
export function parseContacts(value: string): Parsed<NameAddr[] | '*'> {
  if (value.trim() === '*') return { ok: true, value: '*' };
  return parseEach(value, parseNameAddr);
}

/** Every element of a comma list (splitList) read by `parse`; the first element that fails is the answer. */
function parseEach<T>(value: string, parse: (element: string) => Parsed<T>): Parsed<T[]> {
  const l = splitList(value);
  if (!l.ok) return l;
  const out: T[] = [];
  for (const e of l.value) {
    const r = parse(e);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/** One via-parm (RFC 3261 §20.42). */
export interface Via {
  readonly protocol: string;
  readonly version: string;
  /** Transport token as written (UDP, TCP, TLS, SCTP, WS, … or unknown ones: RFC 4475 transports). */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: readonly HeaderParam[];
  /** branch parameter, '' when absent. */
  readonly branch: string;
}

/**
 * Parses a Via header value: one or more via-parms separated by commas (RFC 3261 §20.42, §25.1):
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport      (SLASH = SWS "/" SWS)
 *   sent-by       = host [ COLON port ]                                      (COLON = SWS ":" SWS)
 * A scanner, one pass over the value (a regular expression here once cost quadratic time on
 * `h` + spaces + `x`); the host must be a host of RFC 3261 (isValidHost), never spaces deleted.
 */
export function parseVia(value: string): Parsed<Via[]> {
  return parseEach(value, parseViaParm);
}

function isSpTab(c: number): boolean {
  return c === 32 || c === 9;
}

function parseViaParm(e: string): Parsed<Via> {
  const n = e.length;
  let i = 0;
  const ws = () => {
    const s = i;
    while (i < n && isSpTab(e.charCodeAt(i))) i++;
    return i - s;
  };
  const token = () => {
    const s = i;
    while (i < n && e.charCodeAt(i) < 128 && TOKEN[e.charCodeAt(i)] === 1) i++;
    return e.slice(s, i);
  };
  const bad = (why: string): Parsed<Via> => ({ ok: false, error: `Via '${clipText(e)}' ${why}` });
  ws();
  const protocol = token();
  ws();
  if (protocol === '' || e.charCodeAt(i) !== 47) return bad("is not 'SIP/2.0/<transport> host[:port][;params]'");
  i++;
  ws();
  const version = token();
  ws();
  if (version === '' || e.charCodeAt(i) !== 47) return bad("is not 'SIP/2.0/<transport> host[:port][;params]'");
  i++;
  ws();
  const transport = token();
  if (transport === '') return bad('has no transport token after the protocol version');
  if (ws() === 0) return bad(`needs whitespace between the transport '${clipText(transport)}' and the sent-by host`);
  // sent-by host: an IPv6 reference up to ']', or the run of characters a hostname or IPv4 address may hold
  const hs = i;
  if (e.charCodeAt(i) === 91) {
    const close = e.indexOf(']', i);
    if (close < 0) return bad("has '[' without ']' in its sent-by");
    i = close + 1;
  } else {
    while (i < n) {
      const c = e.charCodeAt(i);
      if (isSpTab(c) || c === 58 || c === 59) break;
      i++;
    }
  }
  const host = e.slice(hs, i);
  if (!isValidHost(host)) return bad(`sent-by host '${clipText(host)}' is not a hostname, IPv4 address or [IPv6] reference (RFC 3261 §25.1 host)`);
  ws();
  let port: number | undefined;
  if (e.charCodeAt(i) === 58) {
    i++;
    ws();
    const ps = i;
    while (i < n && e.charCodeAt(i) >= 48 && e.charCodeAt(i) <= 57) i++;
    const p = e.slice(ps, i);
    if (p.length === 0 || p.length > 5 || Number(p) > 65535) return bad(`port '${clipText(p || e.slice(ps, ps + 10))}' is not a number 0..65535`);
    port = Number(p);
    ws();
  }
  if (i < n && e.charCodeAt(i) !== 59) return bad(`has '${clipText(e.slice(i, i + 20))}' after its sent-by, where only ';params' may follow`);
  const pr = parseParams(e.slice(i));
  if (!pr.ok) return bad(`: ${pr.error}`);
  return { ok: true, value: { protocol, version, transport, host, port, params: pr.value, branch: param(pr.value, 'branch') ?? '' } };
}

/**
 * A Via value RegLab can route a response along: it parses, and every via-parm is SIP/2.0 (another
 * version in a Via is a 400; 505 is for the start line's version). `anyVersion` accepts SIP/x: the
 * Vias of a 505, which goes back along the Vias of the SIP/7.0 request it refuses.
 */
export function parseSipVia(value: string, anyVersion = false): Parsed<Via[]> {
  const r = parseVia(value);
  if (!r.ok) return r;
  for (const x of r.value) {
    if (!/^SIP$/i.test(x.protocol) || (x.version !== '2.0' && !anyVersion)) {
      return { ok: false, error: `Via '${clipText(`${x.protocol}/${x.version}/${x.transport}`)}' is not SIP/2.0 (505 is for the start line's version)` };
    }
  }
  return r;
}

// callid = word [ "@" word ]; word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" /
//          "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}" )
const WORD = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~()<>:\\\"/[]?{}") WORD[ch.charCodeAt(0)] = 1;

/** Call-ID (RFC 3261 §25.1 callid): word [ "@" word ]. */
export function isCallId(v: string): boolean {
  let at = -1;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 64 /* @ */) {
      if (at >= 0 || i === 0) return false;
      at = i;
    } else if (c >= 128 || WORD[c] === 0) return false;
  }
  return v.length > 0 && at !== v.length - 1;
}

/** Cuts text quoted in an error message: a hostile value must not make the reason megabytes long. */
export function clipText(s: string, max = 80): string {
  return s.length > max ? s.slice(0, max - 3) + '...' : s;
}

/** CSeq (RFC 3261 §20.16): 32-bit sequence number below 2^31 and a method token. */
export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export const MAX_CSEQ = 2 ** 31 - 1;

export function parseCSeq(value: string): Parsed<CSeq> {
  const m = /^\s*([0-9]+)\s+(\S+)\s*$/.exec(value);
  if (!m) return { ok: false, error: `CSeq '${value}' is not '<number> <METHOD>'` };
  if (m[1].length > 10 || Number(m[1]) > MAX_CSEQ) return { ok: false, error: `CSeq number ${m[1]} exceeds 2^31-1 (RFC 3261 §8.1.1.5)` };
  if (!isToken(m[2])) return { ok: false, error: `CSeq method '${m[2]}' is not a token` };
  return { ok: true, value: { seq: Number(m[1]), method: m[2] } };
}

/** Expires (RFC 3261 §20.19): delta-seconds. Values above 2^32-1 are taken as 2^32-1 (§25.1 note). */
export function parseExpires(value: string): Parsed<number> {
  const m = /^\s*([0-9]+)\s*$/.exec(value);
  if (!m) return { ok: false, error: `Expires '${value}' is not a number of seconds` };
  const n = Number(m[1]);
  return { ok: true, value: n > 4294967295 ? 4294967295 : n };
}

/** Max-Forwards (RFC 3261 §20.22): 1*DIGIT (leading zeros allowed: RFC 4475 wsinv's 0068), at most 255. */
export function parseMaxForwards(value: string): Parsed<number> {
  const m = /^\s*([0-9]+)\s*$/.exec(value);
  if (!m || m[1].length > 10 || Number(m[1]) > 255) return { ok: false, error: `Max-Forwards '${value}' is not a number 0..255` };
  return { ok: true, value: Number(m[1]) };
}

// ---- builders ---------------------------------------------------------------------------------

/** RFC 3261 §8.1.1.7: "The branch ID inserted by an element compliant with this specification MUST always begin with the characters z9hG4bK." */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/**
 * Deterministic unique identifiers for branches, tags and Call-IDs (DESIGN principle 2: no
 * Math.random): a prefix naming the node plus a base-36 counter.
 */
export class SipIds {
  private n = 0;
  constructor(readonly prefix: string) {
    if (!isToken(prefix)) throw new TypeError(`SipIds prefix '${prefix}' must be a SIP token (letters, digits, - . ! % * _ + \` ' ~)`);
  }
  /** A fresh branch: z9hG4bK + prefix + counter. */
  branch(): string {
    return BRANCH_MAGIC_COOKIE + this.prefix + (this.n++).toString(36);
  }
  /** A fresh tag. */
  tag(): string {
    return this.prefix + (this.n++).toString(36);
  }
  /** A fresh Call-ID: counter@host. */
  callId(host: string): string {
    return `${this.prefix}${(this.n++).toString(36)}@${host}`;
  }
}

/** A parameter value as it must appear: kept when a token, host or quoted string, quoted otherwise. */
export function paramValue(v: string): string {
  if (isToken(v)) return v;
  if (/^\[[0-9A-Fa-f:.]+\]$/.test(v)) return v;
  if (v.length >= 2 && v[0] === '"' && scanQuoted(v, 0) === v.length) return v;
  return quote(v);
}

/** Parameters as `;name=value;flag`. `true` renders a flag; a value is quoted when it must be. */
export function formatParams(params: Readonly<Record<string, string | number | true | undefined>> | readonly HeaderParam[] | undefined): string {
  if (params === undefined) return '';
  let s = '';
  if (Array.isArray(params)) {
    for (const [n, v] of params as readonly HeaderParam[]) s += v === undefined ? `;${n}` : `;${n}=${paramValue(v)}`;
    return s;
  }
  const rec = params as Record<string, string | number | true | undefined>;
  for (const n in rec) {
    const v = rec[n];
    if (v === undefined) continue;
    s += v === true ? ';' + n : ';' + n + '=' + (typeof v === 'number' ? String(v) : paramValue(v));
  }
  return s;
}

/** A Via value: `SIP/2.0/UDP host:port;branch=z9hG4bK…` (RFC 3261 §8.1.1.7, §18.1.1). */
export function viaValue(v: {
  transport?: string;
  host: string;
  port?: number;
  branch: string;
  params?: Readonly<Record<string, string | number | true | undefined>>;
}): string {
  if (!v.branch.startsWith(BRANCH_MAGIC_COOKIE)) {
    throw new TypeError(`Via branch '${v.branch}' must begin with ${BRANCH_MAGIC_COOKIE} (RFC 3261 §8.1.1.7)`);
  }
  const hp = v.port === undefined ? v.host : v.host + ':' + v.port;
  const s = 'SIP/2.0/' + (v.transport ?? 'UDP') + ' ' + hp + ';branch=' + v.branch;
  return v.params === undefined ? s : s + formatParams(v.params);
}

/**
 * A name-addr value: `"Display" <uri>;params` (always in <>, which RFC 3261 §20.10 requires when
 * the URI has parameters, and which keeps URI and header parameters apart).
 */
export function nameAddrValue(v: {
  uri: string;
  display?: string;
  params?: Readonly<Record<string, string | number | true | undefined>> | readonly HeaderParam[];
}): string {
  const d = v.display === undefined ? '' : (isTokenWords(v.display) ? v.display : quote(v.display)) + ' ';
  return `${d}<${v.uri}>${formatParams(v.params)}`;
}

function isTokenWords(s: string): boolean {
  return s.length > 0 && s.split(' ').every(isToken);
}

/** A From or To value with an optional tag (a tag is a token: RFC 3261 §25.1 tag-param). */
export function fromToValue(uri: string, tag?: string, display?: string): string {
  if (display !== undefined) return nameAddrValue({ uri, display, params: tag === undefined ? undefined : { tag } });
  if (tag === undefined) return '<' + uri + '>';
  if (!isToken(tag)) throw new TypeError(`tag '${tag}' is not a token`);
  return '<' + uri + '>;tag=' + tag;
}

/**
 * A Contact value. Feature tags and instance ids go in `params`, e.g.
 * `{ '+sip.instance': '<urn:gsma:imei:35209900-176148-0>', 'g.3gpp.ics': '"server"', expires: 0 }`
 * renders `<sip:msc@…>;+sip.instance="<urn:gsma:imei:35209900-176148-0>";g.3gpp.ics="server";expires=0`
 * (a value that is not a token is quoted; write the quotes yourself to quote a token, as RFC 3840
 * feature-tag strings must be).
 */
export function contactValue(v: {
  uri: string;
  display?: string;
  params?: Readonly<Record<string, string | number | true | undefined>> | readonly HeaderParam[];
}): string {
  return nameAddrValue(v);
}

/** A CSeq value. */
export function cseqValue(seq: number, method: string): string {
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_CSEQ) throw new RangeError(`CSeq number ${seq} must be an integer 0..2^31-1`);
  return `${seq} ${method}`;
}
