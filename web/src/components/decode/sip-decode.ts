/**
 * A SIP message's text as a header table for the decoded view: folded lines joined, compact header
 * forms expanded (RFC 3261 §7.3.3 and the extensions' registrations), parameters split. Every row
 * keeps its character range in the wire text so a spec step's mark can light it. Never throws:
 * text that is not SIP gives `ok: false` with the reason, and the raw view still shows it.
 */

/** RFC 3261 §7.3.3 compact forms, plus those of RFC 3265 (o), RFC 3515 (r), RFC 3841 (a, j, d). */
export const SIP_COMPACT: Readonly<Record<string, string>> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  u: 'Allow-Events',
  r: 'Refer-To',
  a: 'Accept-Contact',
  j: 'Reject-Contact',
  d: 'Request-Disposition',
  x: 'Session-Expires',
  b: 'Referred-By',
};

export interface SipHeaderRow {
  /** As on the wire ("m"). */
  name: string;
  /** Expanded ("Contact"); equal to name when not compact. */
  fullName: string;
  value: string;
  /** Parameters after the first `;` outside <> and quotes (for Authorization: the comma list). */
  params: [string, string][];
  /** [start, end) in the wire text, of the whole header (all its folded lines). */
  start: number;
  end: number;
}

export type SipDecode =
  | { ok: true; startLine: string; kind: 'request' | 'response'; headers: SipHeaderRow[]; body: string; bodyStart: number }
  | { ok: false; reason: string };

export function decodeSip(wire: string): SipDecode {
  if (!wire) return { ok: false, reason: 'no wire text (the run did not render this message)' };
  const headEnd = wire.indexOf('\r\n\r\n');
  const lf = headEnd < 0 ? wire.indexOf('\n\n') : -1;
  const end = headEnd >= 0 ? headEnd : lf >= 0 ? lf : wire.length;
  const bodyStart = headEnd >= 0 ? headEnd + 4 : lf >= 0 ? lf + 2 : wire.length;
  const lines: { text: string; start: number; end: number }[] = [];
  for (let pos = 0; pos < end; ) {
    let nl = wire.indexOf('\n', pos);
    if (nl < 0 || nl > end) nl = end;
    const lineEnd = nl > pos && wire[nl - 1] === '\r' ? nl - 1 : nl;
    lines.push({ text: wire.slice(pos, lineEnd), start: pos, end: lineEnd });
    pos = nl + 1;
  }
  const first = lines.shift();
  if (!first || !/^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/.test(first.text)) {
    return { ok: false, reason: `not a SIP start line: "${(first?.text ?? '').slice(0, 80)}"` };
  }
  const headers: SipHeaderRow[] = [];
  for (const l of lines) {
    if (/^[ \t]/.test(l.text) && headers.length) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the header above.
      const h = headers[headers.length - 1]!;
      h.value += ' ' + l.text.trim();
      h.end = l.end;
      continue;
    }
    const c = l.text.indexOf(':');
    if (c <= 0) {
      headers.push({ name: '(malformed)', fullName: '(malformed line)', value: l.text, params: [], start: l.start, end: l.end });
      continue;
    }
    const name = l.text.slice(0, c).trim();
    const fullName = SIP_COMPACT[name.toLowerCase()] ?? (name.length === 1 ? name : name);
    headers.push({ name, fullName, value: l.text.slice(c + 1).trim(), params: [], start: l.start, end: l.end });
  }
  for (const h of headers) h.params = splitParams(h.fullName, h.value);
  return { ok: true, startLine: first.text, kind: first.text.startsWith('SIP/2.0') ? 'response' : 'request', headers, body: wire.slice(bodyStart), bodyStart };
}

/** `;name=value` parameters outside <> and quotes; the Digest credentials of an Authorization. */
export function splitParams(header: string, value: string): [string, string][] {
  if (/^(authorization|proxy-authorization|www-authenticate|proxy-authenticate)$/i.test(header)) {
    const m = /^\s*\w+\s+/.exec(value);
    return m ? splitOutside(value.slice(m[0].length), ',').map(pair) : [];
  }
  const parts = splitOutside(value, ';');
  return parts.slice(1).map(pair);
}

function pair(p: string): [string, string] {
  const eq = p.indexOf('=');
  return eq < 0 ? [p.trim(), ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
}

function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"' && s[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && ch === sep) {
      out.push(s.slice(from, i));
      from = i + 1;
    }
  }
  out.push(s.slice(from));
  return out.filter((p) => p.trim() !== '');
}
