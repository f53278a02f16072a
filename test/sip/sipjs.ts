/**
 * The independent reader (DESIGN, "Dependencies"): sip.js 0.21.2's own parser and grammar read
 * what RegLab writes, so a test can check that the text on the wire says what RegLab meant.
 * Tests only: sip.js is lenient (it accepts a missing Call-ID or a wrong CSeq method) and slow
 * (~1 ms per message), so it never judges validity — RegLab's strict parser does — it only reads.
 *
 * Limits of sip.js worth knowing when comparing: it reads tel: URIs only as a Request-URI (not in
 * From/To/Contact), it parses only the first Via itself (each Via line is read here with its Via
 * grammar; a comma list in one line is split first), and it has no Expires rule (read as digits).
 */
import { Core, Grammar } from 'sip.js';

export interface SipJsNameAddr {
  /** The URI as sip.js renders it. */
  readonly uri: string;
  readonly display: string | undefined;
  /** Header parameters; a flag parameter has null. Values as sip.js keeps them (quoted strings keep their quotes). */
  readonly params: Readonly<Record<string, string | null>>;
}

export interface SipJsVia {
  readonly protocol: string;
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly branch: string | undefined;
  /** Other via-params (received, rport, …); a flag has null. */
  readonly params: Readonly<Record<string, string | null>>;
}

export interface SipJsReading {
  /** Request method, or the CSeq method of a response. */
  readonly method: string;
  readonly ruri: string | undefined;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly headers: {
    readonly via: readonly SipJsVia[];
    readonly from: SipJsNameAddr;
    readonly to: SipJsNameAddr;
    readonly callId: string;
    readonly cseq: { readonly seq: number; readonly method: string };
    readonly contact: readonly SipJsNameAddr[];
    readonly expires: number | undefined;
    readonly maxForwards: number | undefined;
    readonly contentLength: number | undefined;
  };
  /** Raw values of any header, as sip.js stored them (lower-case name, compact forms not expanded). */
  header(name: string): string[];
  readonly body: string;
}

let lastLog = '';
const factory = new Core.LoggerFactory();
factory.builtinEnabled = false;
factory.connector = (level, _category, _label, content) => {
  lastLog = `${level}: ${String(content)}`;
};
const logger = factory.getLogger('reglab-test');

const VIA_KNOWN = new Set(['protocol', 'transport', 'host_type', 'host', 'port', 'branch', 'params']);

/** Reads SIP text with sip.js; throws an Error carrying sip.js's complaint when it cannot. */
export function readWithSipJs(wire: string): SipJsReading {
  lastLog = '';
  const m = Core.Parser.parseMessage(wire, logger);
  if (m === undefined) throw new Error(`sip.js could not read the message (${lastLog || 'no reason given'})`);
  const isResponse = m instanceof Core.IncomingResponseMessage;
  if (m.from === undefined || m.to === undefined) throw new Error('sip.js found no From or To');
  const cseqRaw = m.getHeader('cseq');
  const cseq = cseqRaw === undefined ? undefined : Grammar.parse(cseqRaw, 'CSeq');
  if (cseq === undefined || cseq === -1) throw new Error(`sip.js could not read CSeq '${cseqRaw}'`);

  const via: SipJsVia[] = [];
  for (const line of m.getHeaders('via')) {
    for (const el of splitCommas(line)) {
      const v = Grammar.parse(el, 'Via');
      if (v === -1) throw new Error(`sip.js could not read the Via '${el}'`);
      const params: Record<string, string | null> = {};
      for (const [k, val] of Object.entries(v)) if (!VIA_KNOWN.has(k)) params[k] = val === undefined ? null : String(val);
      for (const [k, val] of Object.entries((v.params ?? {}) as Record<string, unknown>)) params[k] = val === undefined || val === null ? null : String(val);
      via.push({ protocol: v.protocol, transport: v.transport, host: v.host, port: v.port, branch: v.branch, params });
    }
  }

  const contact: SipJsNameAddr[] = [];
  for (const c of m.headers.Contact ?? []) contact.push(nameAddr(c.parsed));

  const num = (name: string): number | undefined => {
    const v = m.getHeader(name);
    if (v === undefined) return undefined;
    if (!/^\s*\d+\s*$/.test(v)) throw new Error(`${name} '${v}' is not a number`);
    return Number(v);
  };

  return {
    method: isResponse ? cseq.method : m.method,
    ruri: isResponse ? undefined : String((m as Core.IncomingRequestMessage).ruri),
    status: isResponse ? (m as Core.IncomingResponseMessage).statusCode : undefined,
    reason: isResponse ? (m as Core.IncomingResponseMessage).reasonPhrase : undefined,
    headers: {
      via,
      from: nameAddr(m.from),
      to: nameAddr(m.to),
      callId: m.callId,
      cseq: { seq: cseq.value, method: cseq.method },
      contact,
      expires: num('expires'),
      maxForwards: num('max-forwards'),
      contentLength: num('content-length'),
    },
    header: (name: string) => m.getHeaders(name),
    body: m.body,
  };
}

function nameAddr(h: { uri: { toString(): string }; displayName: string; parameters: Record<string, unknown> }): SipJsNameAddr {
  const params: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(h.parameters)) params[k] = v === undefined || v === null ? null : String(v);
  return { uri: h.uri.toString(), display: h.displayName === undefined || h.displayName === '' ? undefined : h.displayName, params };
}

function splitCommas(s: string): string[] {
  const out: string[] = [];
  let q = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' && s[i - 1] !== '\\') q = !q;
    else if (c === ',' && !q) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}
