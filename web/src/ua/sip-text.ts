/**
 * What the page's own SIP user agent (sip.js, issue 17) sends and receives, read for the views:
 * each message as a ladder record on the student's own lane, the Subscription-State of a NOTIFY,
 * and the reg event's reginfo document (RFC 3680) — which registrations and contacts the S-CSCF
 * says are active or terminated. Pure text functions (the UA itself is browser-ua.ts).
 */
import type { TraceRecord } from '../../../sim/server/api-types.ts';

/** The student's lane in the ladder. */
export const UA_LANE = 'you (sip.js)';

/** `sip:127.0.0.1:40123;transport=ws` (an endpoint as the lab prints it) → `ws://127.0.0.1:40123`. */
export function wsUrlOf(endpoint: string): string | undefined {
  const m = /^sips?:([^;]+);transport=(wss?)$/i.exec(endpoint.trim());
  return m ? `${m[2]!.toLowerCase()}://${m[1]}` : undefined;
}

/** A header's value (the first of that name; compact forms of the ones a UA reads). */
export function headerOf(text: string, name: string): string | undefined {
  const head = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const compact: Record<string, string> = { 'call-id': 'i', 'content-type': 'c', event: 'o', from: 'f', to: 't', via: 'v' };
  const names = [name.toLowerCase(), compact[name.toLowerCase()]].filter(Boolean);
  for (const line of head.split(/\r?\n/).slice(1)) {
    const c = line.indexOf(':');
    if (c > 0 && names.includes(line.slice(0, c).trim().toLowerCase())) return line.slice(c + 1).trim();
  }
  return undefined;
}

/** 'REGISTER' for a request, '200 REGISTER' for a response (status and CSeq method, as RegLab's trace names them). */
export function sipKind(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/));
  const status = /^SIP\/2\.0 (\d{3})/.exec(first);
  if (!status) return first.split(' ', 1)[0] || '?';
  const method = headerOf(text, 'CSeq')?.split(/\s+/)[1];
  return method ? `${status[1]} ${method}` : status[1]!;
}

/**
 * A message of the page's UA as a ladder record: on the UA's lane, to or from `peer` (the lab's node
 * the UA's WebSocket goes to), at `tNs` on the emulation's clock.
 */
export function uaRecord(text: string, dir: 'out' | 'in', peer: string, tNs: number): Omit<TraceRecord, 'seq'> {
  return {
    t: Math.max(0, Math.round(tNs)),
    from: dir === 'out' ? UA_LANE : peer,
    to: dir === 'out' ? peer : UA_LANE,
    proto: 'sip',
    kind: sipKind(text),
    subscribers: [],
    bytes: new TextEncoder().encode(text).length,
    wire: text,
    rules: [],
    event: 'delivered',
  };
}

/** Subscription-State (RFC 6665 §8.2.3): `terminated;reason=deactivated` → { state, reason }. */
export function subscriptionState(text: string): { state: string; reason?: string; expires?: number } | undefined {
  const v = headerOf(text, 'Subscription-State');
  if (!v) return undefined;
  const [state, ...params] = v.split(';').map((s) => s.trim());
  const out: { state: string; reason?: string; expires?: number } = { state: state!.toLowerCase() };
  for (const p of params) {
    const [k, val] = p.split('=').map((s) => s.trim());
    if (k?.toLowerCase() === 'reason' && val) out.reason = val;
    if (k?.toLowerCase() === 'expires' && val && /^\d+$/.test(val)) out.expires = Number(val);
  }
  return out;
}

export interface RegInfo {
  version?: number;
  /** 'full' or 'partial'. */
  state?: string;
  registrations: { aor: string; state: string; contacts: { uri: string; state: string; event?: string }[] }[];
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`).exec(tag)?.[1] ?? new RegExp(`\\s${name}\\s*=\\s*'([^']*)'`).exec(tag)?.[1];
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/**
 * The reginfo document of a reg-event NOTIFY (RFC 3680 §5.3): registrations with their state and
 * contacts. A reader for the views, not a validator: elements it does not know are skipped, a body
 * that is not reginfo gives undefined.
 */
export function parseRegInfo(body: string): RegInfo | undefined {
  const root = /<(?:\w+:)?reginfo\b[^>]*>/.exec(body);
  if (!root) return undefined;
  const version = attr(root[0], 'version');
  const info: RegInfo = { version: version !== undefined && /^\d+$/.test(version) ? Number(version) : undefined, state: attr(root[0], 'state'), registrations: [] };
  const regRe = /<(?:\w+:)?registration\b([^>]*)>([\s\S]*?)<\/(?:\w+:)?registration>|<(?:\w+:)?registration\b([^>]*)\/>/g;
  for (let m = regRe.exec(body); m; m = regRe.exec(body)) {
    const tag = ` ${m[1] ?? m[3] ?? ''}`;
    const contacts: RegInfo['registrations'][number]['contacts'] = [];
    const contactRe = /<(?:\w+:)?contact\b([^>]*)>([\s\S]*?)<\/(?:\w+:)?contact>/g;
    for (let c = contactRe.exec(m[2] ?? ''); c; c = contactRe.exec(m[2] ?? '')) {
      const uri = /<(?:\w+:)?uri>([\s\S]*?)<\/(?:\w+:)?uri>/.exec(c[2]!)?.[1]?.trim() ?? '';
      contacts.push({ uri: unescape(uri), state: attr(` ${c[1]}`, 'state') ?? '', event: attr(` ${c[1]}`, 'event') });
    }
    info.registrations.push({ aor: unescape(attr(tag, 'aor') ?? ''), state: attr(tag, 'state') ?? '', contacts });
  }
  return info;
}

/** The message body (after the blank line). */
export function bodyOf(text: string): string {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(m.index + m[0].length) : '';
}

/** `400 Bad Request — 399 scscf "why"`: a refusal as the join panel shows it, with the Warning (RFC 3261 §20.43). */
export function answerText(status: number, reason: string, warning: string | undefined): string {
  return `${status} ${reason}${warning ? ` — ${warning}` : ''}`;
}
