import type { ImsContext } from '../ims/context.ts';
import { CxMessage, CX_APPLICATION_ID, VENDOR_3GPP } from '../ims/cx.ts';
import type { WireMeta } from './ims-sip-codec.ts';

/**
 * Diameter on a real TCP stream (RFC 6733): framing by the 24-bit message length, a generic AVP
 * reader, the base protocol's own commands (CER/CEA §5.3, DWR/DWA §5.5) and the error answers it
 * owes a peer (§7). The Cx application's messages decode into the model's CxMessage (the encoding
 * half is CxMessage.encode()).
 */

export const CMD_CER = 257;
export const CMD_DWR = 280;
export const CMD_DPR = 282;
const CX_COMMANDS = new Set([300, 301, 304]);

export const DIAMETER_SUCCESS = 2001;
export const DIAMETER_COMMAND_UNSUPPORTED = 3001;
export const DIAMETER_APPLICATION_UNSUPPORTED = 3007;
export const DIAMETER_INVALID_HDR_BITS = 3008;
export const DIAMETER_INVALID_AVP_BITS = 3009;
export const DIAMETER_INVALID_MESSAGE_LENGTH = 5015;
export const DIAMETER_MISSING_AVP = 5005;
export const DIAMETER_UNABLE_TO_COMPLY = 5012;
/** Largest PDU accepted: far above any Cx message, small enough that a lying length cannot exhaust memory. */
export const MAX_DIAMETER_LENGTH = 65536;

const AVP_SESSION_ID = 263;
const AVP_ORIGIN_HOST = 264;
const AVP_ORIGIN_REALM = 296;
const AVP_RESULT_CODE = 268;
const AVP_HOST_IP = 257;
const AVP_VENDOR_ID = 266;
const AVP_PRODUCT_NAME = 269;
const AVP_AUTH_APP_ID = 258;
const AVP_VSAI = 260;
const AVP_ORIGIN_STATE_ID = 278;
const AVP_ERROR_MESSAGE = 281;
const AVP_FAILED_AVP = 279;

export interface Avp {
  code: number;
  flags: number;
  vendor: number;
  data: Uint8Array;
}

export interface DiameterPdu {
  version: number;
  length: number;
  flags: number;
  command: number;
  app: number;
  hopByHop: number;
  endToEnd: number;
  avps: Avp[];
  raw: Uint8Array;
}

export type PduResult = { ok: true; pdu: DiameterPdu } | { ok: false; result: number; reason: string; header?: { command: number; flags: number; app: number; hopByHop: number; endToEnd: number } };

/** Reads one PDU (the framer already cut it at its length). Never throws. */
export function readPdu(b: Uint8Array): PduResult {
  if (b.length < 20) return { ok: false, result: DIAMETER_INVALID_MESSAGE_LENGTH, reason: `a Diameter header is 20 bytes, got ${b.length}` };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const header = {
    command: dv.getUint32(4) & 0xffffff,
    flags: b[4],
    app: dv.getUint32(8),
    hopByHop: dv.getUint32(12),
    endToEnd: dv.getUint32(16),
  };
  const version = b[0];
  const length = dv.getUint32(0) & 0xffffff;
  if (version !== 1) return { ok: false, result: DIAMETER_UNABLE_TO_COMPLY, reason: `Diameter version ${version}, RFC 6733 is version 1`, header };
  if (length !== b.length || length % 4 !== 0) return { ok: false, result: DIAMETER_INVALID_MESSAGE_LENGTH, reason: `message length ${length} is not a multiple of 4 matching the ${b.length} bytes received`, header };
  if ((header.flags & 0x0f) !== 0 || ((header.flags & 0x80) !== 0 && (header.flags & 0x20) !== 0)) {
    return { ok: false, result: DIAMETER_INVALID_HDR_BITS, reason: `command flags 0x${header.flags.toString(16)}: reserved bits set, or E on a request`, header };
  }
  const avps: Avp[] = [];
  const r = readAvps(b, 20, length, avps);
  if (r !== undefined) return { ok: false, result: DIAMETER_INVALID_AVP_BITS, reason: r, header };
  return { ok: true, pdu: { version, length, ...header, avps, raw: b } };
}

function readAvps(b: Uint8Array, start: number, end: number, out: Avp[]): string | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = start;
  while (i < end) {
    if (end - i < 8) return `AVP header at byte ${i} truncated`;
    const code = dv.getUint32(i);
    const flags = b[i + 4];
    const len = dv.getUint32(i + 4) & 0xffffff;
    const v = (flags & 0x80) !== 0;
    const hl = v ? 12 : 8;
    if (len < hl || i + len > end) return `AVP ${code} at byte ${i}: length ${len} runs past the message`;
    out.push({ code, flags, vendor: v ? dv.getUint32(i + 8) : 0, data: b.subarray(i + hl, i + len) });
    i += (len + 3) & ~3;
  }
  return undefined;
}

export function avpText(avps: readonly Avp[], code: number, vendor = 0): string | undefined {
  const a = avps.find((x) => x.code === code && x.vendor === vendor);
  return a === undefined ? undefined : Buffer.from(a.data).toString('utf8');
}

export function avpU32(avps: readonly Avp[], code: number, vendor = 0): number | undefined {
  const a = avps.find((x) => x.code === code && x.vendor === vendor);
  return a === undefined || a.data.length !== 4 ? undefined : new DataView(a.data.buffer, a.data.byteOffset, 4).getUint32(0);
}

export function avpGrouped(avps: readonly Avp[], code: number, vendor = 0): Avp[] | undefined {
  const a = avps.find((x) => x.code === code && x.vendor === vendor);
  if (a === undefined) return undefined;
  const inner: Avp[] = [];
  return readAvps(a.data, 0, a.data.length, inner) === undefined ? inner : undefined;
}

// ---- writing ---------------------------------------------------------------------------------------

export function encodeAvp(code: number, data: Uint8Array, vendor = 0): Uint8Array {
  const hl = vendor ? 12 : 8;
  const len = hl + data.length;
  const out = new Uint8Array((len + 3) & ~3);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, code);
  dv.setUint32(4, len);
  out[4] = 0x40 | (vendor ? 0x80 : 0);
  if (vendor) dv.setUint32(8, vendor);
  out.set(data, hl);
  return out;
}

export function textAvp(code: number, s: string): Uint8Array {
  return encodeAvp(code, Buffer.from(s, 'utf8'));
}

export function u32Avp(code: number, v: number): Uint8Array {
  const d = new Uint8Array(4);
  new DataView(d.buffer).setUint32(0, v >>> 0);
  return encodeAvp(code, d);
}

export function encodePdu(h: { command: number; flags: number; app: number; hopByHop: number; endToEnd: number }, avps: Uint8Array[]): Uint8Array {
  const len = 20 + avps.reduce((a, x) => a + x.length, 0);
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, len);
  out[0] = 1;
  dv.setUint32(4, h.command);
  out[4] = h.flags;
  dv.setUint32(8, h.app);
  dv.setUint32(12, h.hopByHop >>> 0);
  dv.setUint32(16, h.endToEnd >>> 0);
  let o = 20;
  for (const a of avps) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Who this end of a Diameter connection is (from the scenario's emulate: section). */
export interface DiameterIdentity {
  originHost: string;
  originRealm: string;
  hostIp: string;
}

function identityAvps(id: DiameterIdentity): Uint8Array[] {
  const ip = new Uint8Array(6);
  ip[1] = 1; // AddressType IPv4
  id.hostIp.split('.').forEach((x, i) => (ip[2 + i] = Number(x)));
  return [textAvp(AVP_ORIGIN_HOST, id.originHost), textAvp(AVP_ORIGIN_REALM, id.originRealm)];
}

/** CER (RFC 6733 §5.3.1): advertises the Cx application (Vendor-Specific-Application-Id, 3GPP). */
export function encodeCer(id: DiameterIdentity, hopByHop: number, endToEnd: number): Uint8Array {
  return encodePdu({ command: CMD_CER, flags: 0x80, app: 0, hopByHop, endToEnd }, [...identityAvps(id), ...capabilityAvps(id)]);
}

function capabilityAvps(id: DiameterIdentity): Uint8Array[] {
  const ip = new Uint8Array(6);
  ip[1] = 1;
  id.hostIp.split('.').forEach((x, i) => (ip[2 + i] = Number(x) & 255));
  const vsai = new Uint8Array([...u32Avp(AVP_VENDOR_ID, VENDOR_3GPP), ...u32Avp(AVP_AUTH_APP_ID, CX_APPLICATION_ID)]);
  return [encodeAvp(AVP_HOST_IP, ip), u32Avp(AVP_VENDOR_ID, 0), textAvp(AVP_PRODUCT_NAME, 'RegLab'), u32Avp(AVP_ORIGIN_STATE_ID, 1), encodeAvp(AVP_VSAI, vsai)];
}

/** CEA answering a CER: success when the peer advertises Cx (or the relay application), else 3007. */
export function encodeCea(req: DiameterPdu, id: DiameterIdentity): { bytes: Uint8Array; ok: boolean } {
  const apps: number[] = [];
  for (const a of req.avps) {
    if (a.code === AVP_AUTH_APP_ID) apps.push(avpU32([a], AVP_AUTH_APP_ID) ?? -1);
    if (a.code === AVP_VSAI) apps.push(avpU32(avpGrouped([a], AVP_VSAI) ?? [], AVP_AUTH_APP_ID) ?? -1);
  }
  const ok = apps.includes(CX_APPLICATION_ID) || apps.includes(0xffffffff);
  const result = ok ? DIAMETER_SUCCESS : DIAMETER_APPLICATION_UNSUPPORTED;
  return {
    bytes: encodePdu({ command: CMD_CER, flags: ok ? 0 : 0x20, app: 0, hopByHop: req.hopByHop, endToEnd: req.endToEnd }, [u32Avp(AVP_RESULT_CODE, result), ...identityAvps(id), ...capabilityAvps(id)]),
    ok,
  };
}

export function encodeDwr(id: DiameterIdentity, hopByHop: number, endToEnd: number): Uint8Array {
  return encodePdu({ command: CMD_DWR, flags: 0x80, app: 0, hopByHop, endToEnd }, [...identityAvps(id), u32Avp(AVP_ORIGIN_STATE_ID, 1)]);
}

export function encodeDwa(req: DiameterPdu, id: DiameterIdentity): Uint8Array {
  return encodePdu({ command: CMD_DWR, flags: 0, app: 0, hopByHop: req.hopByHop, endToEnd: req.endToEnd }, [u32Avp(AVP_RESULT_CODE, DIAMETER_SUCCESS), ...identityAvps(id)]);
}

/**
 * An error answer (RFC 6733 §7.2): E bit set, the request's command, application and identifiers,
 * Result-Code and an Error-Message saying what was wrong. Session-Id is copied when there was one.
 */
export function encodeErrorAnswer(
  h: { command: number; app: number; hopByHop: number; endToEnd: number },
  result: number,
  reason: string,
  id: DiameterIdentity,
  sessionId?: string,
): Uint8Array {
  const avps: Uint8Array[] = [];
  if (sessionId !== undefined) avps.push(textAvp(AVP_SESSION_ID, sessionId));
  avps.push(u32Avp(AVP_RESULT_CODE, result), ...identityAvps(id), textAvp(AVP_ERROR_MESSAGE, reason.slice(0, 200)));
  return encodePdu({ command: h.command, flags: 0x20 | 0x40, app: h.app, hopByHop: h.hopByHop, endToEnd: h.endToEnd }, avps);
}

export function isCxCommand(command: number): boolean {
  return CX_COMMANDS.has(command);
}

export { AVP_FAILED_AVP, AVP_SESSION_ID, AVP_ORIGIN_HOST };

// ---- Cx ----------------------------------------------------------------------------------------------

const V = VENDOR_3GPP;

/**
 * A Cx PDU as the model's CxMessage, every field from the AVPs (TS 29.229 §6.1); the decode is
 * checked by re-encoding (the bytes must be the received ones). Fails with the Result-Code to
 * answer: 5005 for a missing mandatory AVP, 5012 when an identity is outside the model.
 */
export interface CxResolver {
  /** Node of a Diameter identity (FQDN), -1 when none. */
  fqdn(f: string): number;
  /** Node of a SIP host (Server-Name), -1 when none. */
  host(h: string): number;
}

export function decodeCx(
  p: DiameterPdu,
  ctx: ImsContext,
  resolve: CxResolver,
  opts: { meta?: WireMeta; answerSub?: number } = {},
): { ok: true; msg: CxMessage } | { ok: false; result: number; reason: string } {
  const meta = opts.meta;
  const nodeOfFqdn = (f: string) => resolve.fqdn(f);
  const fail = (result: number, reason: string) => ({ ok: false as const, result, reason });
  if (p.app !== CX_APPLICATION_ID) return fail(DIAMETER_APPLICATION_UNSUPPORTED, `Application-Id ${p.app} is not Cx (${CX_APPLICATION_ID})`);
  const request = (p.flags & 0x80) !== 0;
  const a = p.avps;
  const session = avpText(a, AVP_SESSION_ID);
  const origin = avpText(a, AVP_ORIGIN_HOST);
  if (session === undefined || origin === undefined) return fail(DIAMETER_MISSING_AVP, `${session === undefined ? 'Session-Id' : 'Origin-Host'} missing`);
  const sm = /^([^;]+);(\d+);(\d+)$/.exec(session);
  if (!sm) return fail(DIAMETER_UNABLE_TO_COMPLY, `Session-Id '${session}' is not <host>;<hi>;<lo>`);
  let sub = opts.answerSub ?? -1;
  if (request) {
    const user = avpText(a, 1);
    if (user === undefined) return fail(DIAMETER_MISSING_AVP, 'User-Name missing');
    sub = ctx.ids.subscriberOf(user);
    if (sub < 0 || sub >= ctx.population) return fail(5001, `User-Name '${user}' is no subscriber of this network`);
  }
  const m = new CxMessage(ctx, sub, p.command, request);
  m.sessionNode = nodeOfFqdn(sm[1]);
  m.sessionHi = Number(sm[2]);
  m.sessionLo = Number(sm[3]);
  m.hopByHop = p.hopByHop;
  m.endToEnd = p.endToEnd;
  m.origin = nodeOfFqdn(origin);
  if (m.sessionNode < 0 || m.origin < 0) return fail(DIAMETER_UNABLE_TO_COMPLY, `Origin-Host '${origin}' or the Session-Id's host is no node of this network`);
  if (request) {
    const dest = avpText(a, 293);
    if (dest !== undefined) m.destination = nodeOfFqdn(dest);
    m.authType = avpU32(a, 623, V) ?? -1;
    m.assignmentType = avpU32(a, 614, V) ?? -1;
    const sn = avpText(a, 602, V);
    if (sn !== undefined) m.serverName = serverNode(sn, resolve);
    const dr = avpGrouped(a, 615, V);
    if (dr) m.reasonCode = avpU32(dr, 616, V) ?? -1;
  } else {
    m.resultCode = avpU32(a, AVP_RESULT_CODE) ?? -1;
    const er = avpGrouped(a, 297);
    if (er) m.experimentalCode = avpU32(er, 298) ?? -1;
    const sn = avpText(a, 602, V);
    if (sn !== undefined) m.serverName = serverNode(sn, resolve);
    m.capabilities = a.some((x) => x.code === 603 && x.vendor === V);
    m.userData = a.some((x) => x.code === 606 && x.vendor === V);
  }
  if (meta !== undefined) m.sentAt = meta.sentAt;
  return { ok: true, msg: m.seal(meta?.procedure, meta?.rules) };
}

function serverNode(uri: string, resolve: CxResolver): number {
  const m = /^sip:([^:]+):5060$/.exec(uri);
  return m ? resolve.host(m[1]) : -1;
}

/** Cuts a byte stream into Diameter PDUs by their length field; refuses a length no PDU can have. */
export class DiameterFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Set when the stream is beyond repair (a bad version or length): the connection must close. */
  broken: string | undefined;
  push(chunk: Buffer, onPdu: (b: Uint8Array) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 4 && this.broken === undefined) {
      const len = this.buf.readUInt32BE(0) & 0xffffff;
      if (this.buf[0] !== 1 || len < 20 || len > MAX_DIAMETER_LENGTH) {
        this.broken = this.buf[0] !== 1 ? `version ${this.buf[0]} (RFC 6733 is version 1)` : `message length ${len} outside 20…${MAX_DIAMETER_LENGTH}`;
        onPdu(new Uint8Array(this.buf.subarray(0, Math.min(this.buf.length, 20))));
        return;
      }
      if (this.buf.length < len) return;
      onPdu(new Uint8Array(this.buf.subarray(0, len)));
      this.buf = this.buf.subarray(len);
    }
  }
}
