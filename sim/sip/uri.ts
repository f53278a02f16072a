/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1 and §25.1, RFC 3966), parsed strictly and formatted back.
 *
 * Text is kept as written (escapes included), so formatting a parsed URI gives the same text;
 * `unescape()` decodes %HH where a caller needs the value (RFC 4475 semiuri: the user part
 * `user;par=u%40example.net` means `user;par=u@example.net`).
 * A URI of another scheme parses as an `OtherUri` (RFC 3261 absoluteURI): a registrar can then
 * answer 416 Unsupported URI Scheme instead of 400 (RFC 4475 §3.3.2 unkscm, §3.3.3 novelsc).
 */

/** A URI parameter or header: name and value (undefined for a flag such as `lr`). */
export type UriParam = readonly [name: string, value: string | undefined];

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  /** User part as written (may hold escapes, and ';' / '?' of telephone-subscriber); undefined when absent. */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Host as written: hostname, IPv4 address or [IPv6] reference. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: readonly UriParam[];
  readonly headers: readonly UriParam[];
}

export interface TelUri {
  readonly scheme: 'tel';
  /** telephone-subscriber: global (+digits) or local number, visual separators kept. */
  readonly number: string;
  readonly params: readonly UriParam[];
}

/** Any other scheme (absoluteURI): parsed only far enough to know the scheme. */
export interface OtherUri {
  readonly scheme: string;
  /** Everything after "scheme:". */
  readonly rest: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export type UriResult = { ok: true; uri: Uri } | { ok: false; error: string };

/** Schemes RegLab's nodes serve; anything else is "unsupported" (416). */
export const SUPPORTED_SCHEMES: readonly string[] = ['sip', 'sips', 'tel'];

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}
export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === 'tel';
}

// Character classes of RFC 3261 §25.1, as lookup tables over ASCII.
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MARK = "-_.!~*'()";
const UNRESERVED = ALNUM + MARK;
function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}
const USER = table(UNRESERVED + '&=+$,;?/');
const PASSWORD = table(UNRESERVED + '&=+$,');
const PARAMCHAR = table(UNRESERVED + '[]/:&+$');
const HNAME = table(UNRESERVED + '[]/?:+$');
const SCHEME = table(ALNUM + '+-.');
// RFC 2396 uric (absoluteURI's opaque / hier part): reserved / unreserved / escaped.
const URIC = table(UNRESERVED + ';/?:@&=+$,');
const TELCHAR = table('0123456789ABCDEFabcdef*#-.()pPwW+');

/** Whether every character of s (from..to) is in the table, %HH escapes allowed when `escapes`. */
function allIn(s: string, t: Uint8Array, escapes = true): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ && escapes) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    if (c >= 128 || t[c] === 0) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Decodes %HH escapes (bytes, then UTF-8). Invalid escapes are left as they are. */
export function unescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(s[i], 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A host (RFC 3261 §25.1): hostname / IPv4address / IPv6reference, and nothing else.
 *   hostname    = *( domainlabel "." ) toplabel [ "." ]
 *   domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum
 *   toplabel    = ALPHA / ALPHA *( alphanum / "-" ) alphanum
 *   IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT   (each 0..255)
 *   IPv6reference = "[" IPv6address "]"   (8 groups, or fewer with one "::"; an IPv4 tail counts 2)
 * So `...`, `-.-`, `192.0.2.256` and `4294967296.0.2.10` are not hosts: a toplabel starts with a letter,
 * and all-digit dotted text must be an IPv4 address. One pass, no regular expression.
 */
export function isValidHost(h: string): boolean {
  const n = h.length;
  if (n === 0) return false;
  if (h.charCodeAt(0) === 91 /* [ */) return n > 2 && h.charCodeAt(n - 1) === 93 && isIPv6(h.slice(1, -1));
  if (isIPv4(h)) return true;
  const end = h.charCodeAt(n - 1) === 46 /* . */ ? n - 1 : n;
  if (end === 0) return false;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const c = i === end ? 46 : h.charCodeAt(i);
    if (c === 46) {
      // a label: non-empty, alphanum at both ends (checked below), the last one starting with a letter
      if (i === labelStart || h.charCodeAt(i - 1) === 45) return false;
      const first = h.charCodeAt(labelStart);
      if (first === 45) return false;
      if (i === end && !isAlpha(first)) return false;
      labelStart = i + 1;
    } else if (!(isAlpha(c) || isDigit(c) || c === 45)) return false;
  }
  return true;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** IPv4address: four dot-separated 1*3DIGIT, each 0..255. */
export function isIPv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 46 : s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
      if (parts > 4) return false;
    } else if (isDigit(c) && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else return false;
  }
  return parts === 4;
}

/** IPv6address (RFC 4291 text form, as RFC 5954 corrects RFC 3261's grammar): hex4 groups, at most one "::", an optional IPv4 tail. */
export function isIPv6(s: string): boolean {
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const groups = (part: string): number => {
    // -1 when malformed; otherwise how many 16-bit groups the part stands for
    if (part.length === 0) return 0;
    const xs = part.split(':');
    let count = 0;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k]!;
      if (k === xs.length - 1 && x.indexOf('.') >= 0) {
        if (!isIPv4(x)) return -1;
        count += 2;
      } else {
        if (x.length === 0 || x.length > 4) return -1;
        for (let i = 0; i < x.length; i++) if (!isHex(x.charCodeAt(i))) return -1;
        count++;
      }
    }
    return count;
  };
  if (dbl < 0) return groups(s) === 8;
  const head = groups(s.slice(0, dbl));
  const tail = groups(s.slice(dbl + 2));
  if (head < 0 || tail < 0) return false;
  // an IPv4 tail may only end the address
  if (s.slice(0, dbl).indexOf('.') >= 0) return false;
  return head + tail <= 7;
}

function parseParamList(s: string, valueTable: Uint8Array, sep: string, what: string): { ok: true; list: UriParam[] } | { ok: false; error: string } {
  const list: UriParam[] = [];
  if (s.length === 0) return { ok: true, list };
  for (const part of s.split(sep)) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? undefined : part.slice(eq + 1);
    if (name.length === 0 || !allIn(name, what === 'header' ? HNAME : PARAMCHAR)) {
      return { ok: false, error: `URI ${what} name '${name}' is empty or has a character outside RFC 3261 §25.1` };
    }
    if (value !== undefined && !allIn(value, valueTable)) {
      return { ok: false, error: `URI ${what} '${name}' has the value '${value}' with a character outside RFC 3261 §25.1 (escape it as %HH)` };
    }
    if (what === 'parameter' && value !== undefined && value.length === 0) {
      return { ok: false, error: `URI parameter '${name}=' has an empty value` };
    }
    if (what === 'header' && value === undefined) {
      return { ok: false, error: `URI header '${name}' has no '=' (RFC 3261: header = hname "=" hvalue)` };
    }
    list.push([name, value]);
  }
  return { ok: true, list };
}

/** Parses a URI strictly. Unknown schemes succeed as OtherUri; malformed text fails with a reason. */
export function parseUri(text: string): UriResult {
  const colon = text.indexOf(':');
  if (colon <= 0) return { ok: false, error: `'${text}' is not a URI: no scheme (expected e.g. sip:user@host)` };
  const schemeRaw = text.slice(0, colon);
  const scheme = schemeRaw.toLowerCase();
  const c0 = scheme.charCodeAt(0);
  if (!(c0 >= 97 && c0 <= 122) || !allIn(scheme, SCHEME, false)) {
    return { ok: false, error: `URI scheme '${schemeRaw}' is not a valid scheme name (ALPHA *(ALPHA / DIGIT / + / - / .))` };
  }
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, text);
  if (scheme === 'tel') return parseTelUri(rest, text);
  if (rest.length === 0 || !allIn(rest, URIC)) {
    return { ok: false, error: `URI '${text}' has a character outside RFC 3261 absoluteURI (no spaces, <, >, " or controls)` };
  }
  return { ok: true, uri: { scheme, rest } };
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string, text: string): UriResult {
  let user: string | undefined;
  let password: string | undefined;
  let i = 0;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(':');
    user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    password = pc < 0 ? undefined : userinfo.slice(pc + 1);
    if (user.length === 0) return { ok: false, error: `SIP URI '${text}' has an empty user part before '@'` };
    if (!allIn(user, USER)) return { ok: false, error: `SIP URI '${text}': user part '${user}' has a character that must be escaped (RFC 3261 §25.1 user)` };
    if (password !== undefined && !allIn(password, PASSWORD)) return { ok: false, error: `SIP URI '${text}': password has a character that must be escaped` };
    i = at + 1;
  }
  // hostport, then ;params, then ?headers
  let end = rest.length;
  const semi = rest.indexOf(';', i);
  const q = rest.indexOf('?', i);
  if (semi >= 0) end = semi;
  if (q >= 0 && q < end) end = q;
  const hostport = rest.slice(i, end);
  let host = hostport;
  let port: number | undefined;
  const close = hostport.lastIndexOf(']');
  const pc = hostport.lastIndexOf(':');
  if (pc > close) {
    host = hostport.slice(0, pc);
    const p = hostport.slice(pc + 1);
    if (!/^[0-9]{1,5}$/.test(p) || Number(p) > 65535) return { ok: false, error: `SIP URI '${text}': port '${p}' is not a number 0..65535` };
    port = Number(p);
  }
  if (!isValidHost(host)) return { ok: false, error: `SIP URI '${text}': host '${host}' is not a hostname, IPv4 address or [IPv6] reference` };
  let params: UriParam[] = [];
  let headers: UriParam[] = [];
  if (semi >= 0 && semi === end) {
    const pend = q >= 0 && q > semi ? q : rest.length;
    const r = parseParamList(rest.slice(semi + 1, pend), PARAMCHAR, ';', 'parameter');
    if (!r.ok) return { ok: false, error: `SIP URI '${text}': ${r.error}` };
    params = r.list;
  }
  if (q >= 0) {
    const r = parseParamList(rest.slice(q + 1), HNAME, '&', 'header');
    if (!r.ok) return { ok: false, error: `SIP URI '${text}': ${r.error}` };
    headers = r.list;
  }
  return { ok: true, uri: { scheme, user, password, host, port, params, headers } };
}

function parseTelUri(rest: string, text: string): UriResult {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (number.length === 0 || !allIn(number, TELCHAR, false) || !/[0-9A-Fa-f*#]/.test(number)) {
    return { ok: false, error: `tel URI '${text}': '${number}' is not a telephone-subscriber (RFC 3966: +digits or a local number)` };
  }
  let params: UriParam[] = [];
  if (semi >= 0) {
    const r = parseParamList(rest.slice(semi + 1), PARAMCHAR, ';', 'parameter');
    if (!r.ok) return { ok: false, error: `tel URI '${text}': ${r.error}` };
    params = r.list;
  }
  return { ok: true, uri: { scheme: 'tel', number, params } };
}

/** The URI as text (a parsed URI formats back to the text it came from, scheme case aside). */
export function formatUri(u: Uri): string {
  if (isSipUri(u)) {
    let s = u.scheme + ':';
    if (u.user !== undefined) s += u.user + (u.password !== undefined ? ':' + u.password : '') + '@';
    s += u.host;
    if (u.port !== undefined) s += ':' + u.port;
    for (const [n, v] of u.params) s += v === undefined ? ';' + n : `;${n}=${v}`;
    if (u.headers.length > 0) s += '?' + u.headers.map(([n, v]) => `${n}=${v ?? ''}`).join('&');
    return s;
  }
  if (isTelUri(u)) {
    let s = 'tel:' + u.number;
    for (const [n, v] of u.params) s += v === undefined ? ';' + n : `;${n}=${v}`;
    return s;
  }
  return `${u.scheme}:${(u as OtherUri).rest}`;
}

/** A URI parameter's value ('' for a flag), case-insensitive on the name; undefined when absent. */
export function uriParam(u: SipUri | TelUri, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [n, v] of u.params) if (n.toLowerCase() === want) return v ?? '';
  return undefined;
}

/** Builds a SIP URI text from parts (user and params already escaped where needed). */
export function sipUri(parts: { scheme?: 'sip' | 'sips'; user?: string; host: string; port?: number; params?: readonly UriParam[] }): string {
  return formatUri({
    scheme: parts.scheme ?? 'sip',
    user: parts.user,
    password: undefined,
    host: parts.host,
    port: parts.port,
    params: parts.params ?? [],
    headers: [],
  });
}
