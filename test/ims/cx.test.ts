import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImsContext } from '../../sim/ims/context.ts';
import { DEFAULT_IMS_CONFIG } from '../../sim/ims/config.ts';
import type { AddressBook } from '../../sim/node/ports.ts';
import {
  CX_APPLICATION_ID,
  CxCommand,
  CxMessage,
  DIAMETER_SUCCESS,
  EXP_ERROR_IDENTITY_NOT_REGISTERED,
  EXP_FIRST_REGISTRATION,
  ServerAssignmentType,
  UserAuthorizationType,
  VENDOR_3GPP,
} from '../../sim/ims/cx.ts';

const NODES = ['msc', 'icscf', 'scscf', 'hss', 'far'];
const addresses: AddressBook = { size: NODES.length, nameOf: (i) => NODES[i], indexOf: (id) => NODES.indexOf(id) };
const ctx = new ImsContext({ ...DEFAULT_IMS_CONFIG, implicitSet: 3 }, 1_000_000, addresses);
const [ICSCF, SCSCF, HSS] = [1, 2, 3];

interface Avp {
  code: number;
  vendor: number | undefined;
  flags: number;
  data: Uint8Array;
}

/** An independent RFC 6733 §4.1 decoder: walks the AVPs by their length fields. */
function decodeAvps(b: Uint8Array): Avp[] {
  const out: Avp[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  while (o < b.length) {
    const code = dv.getUint32(o);
    const flags = b[o + 4];
    const len = dv.getUint32(o + 4) & 0xffffff;
    const v = (flags & 0x80) !== 0;
    const h = v ? 12 : 8;
    assert.ok(len >= h && o + len <= b.length, `AVP ${code}: length ${len} out of bounds`);
    out.push({ code, flags, vendor: v ? dv.getUint32(o + 8) : undefined, data: b.subarray(o + h, o + len) });
    o += (len + 3) & ~3;
  }
  assert.equal(o, b.length, 'AVPs fill the message exactly (padding included)');
  return out;
}

function header(b: Uint8Array) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    version: b[0],
    length: dv.getUint32(0) & 0xffffff,
    flags: b[4],
    code: dv.getUint32(4) & 0xffffff,
    app: dv.getUint32(8),
    hbh: dv.getUint32(12),
    e2e: dv.getUint32(16),
  };
}

const u32 = (a: Avp) => new DataView(a.data.buffer, a.data.byteOffset, 4).getUint32(0);
const str = (a: Avp) => Buffer.from(a.data).toString('utf8');
const find = (avps: Avp[], code: number) => avps.find((a) => a.code === code);

/** A Cx request from `from` (its Origin-Host, and the node of its Session-Id `from;hi;lo`), to `to` when given (Destination-Host). */
function request(command: CxCommand, sub: number, from: number, session: [hi: number, lo: number], to?: number): CxMessage {
  const m = new CxMessage(ctx, sub, command, true);
  m.sessionNode = from;
  [m.sessionHi, m.sessionLo] = session;
  m.origin = from;
  if (to !== undefined) m.destination = to;
  return m;
}

function uar(sub: number, type: number): CxMessage {
  const m = request(CxCommand.UserAuthorization, sub, ICSCF, [1, 123456]);
  m.hopByHop = 0xdeadbeef;
  m.endToEnd = 77;
  m.authType = type;
  return m.seal(undefined, undefined);
}

function variants(): CxMessage[] {
  const out: CxMessage[] = [uar(0, UserAuthorizationType.Registration), uar(999_999, UserAuthorizationType.DeRegistration)];
  const req = uar(5, UserAuthorizationType.Registration);
  const a1 = req.answer(HSS);
  a1.experimentalCode = EXP_FIRST_REGISTRATION;
  a1.capabilities = true;
  const a2 = req.answer(HSS);
  a2.resultCode = DIAMETER_SUCCESS;
  a2.serverName = SCSCF;
  const a3 = req.answer(HSS);
  a3.experimentalCode = EXP_ERROR_IDENTITY_NOT_REGISTERED;
  out.push(a1.seal(undefined, undefined), a2.seal(undefined, undefined), a3.seal(undefined, undefined));
  for (const [t, data] of [
    [ServerAssignmentType.Registration, true],
    [ServerAssignmentType.UserDeregistration, false],
    [ServerAssignmentType.UserDeregistrationStoreServerName, false],
  ] as const) {
    const sar = request(CxCommand.ServerAssignment, 42, SCSCF, [2, 9], HSS);
    sar.serverName = SCSCF;
    sar.assignmentType = t;
    out.push(sar.seal(undefined, undefined));
    const saa = sar.answer(HSS);
    saa.resultCode = DIAMETER_SUCCESS;
    saa.userData = data;
    out.push(saa.seal(undefined, undefined));
  }
  for (const reason of [0, 1, 2, 3]) {
    const rtr = request(CxCommand.RegistrationTermination, 7, HSS, [1, 1], SCSCF);
    rtr.reasonCode = reason;
    out.push(rtr.seal(undefined, undefined));
    const rta = rtr.answer(SCSCF);
    rta.resultCode = DIAMETER_SUCCESS;
    out.push(rta.seal(undefined, undefined));
  }
  return out;
}

test('every Cx message: bytes == the length of its real Diameter encoding, which decodes cleanly', () => {
  for (const m of variants()) {
    const b = m.encode();
    assert.equal(b.length, m.bytes, `${m.kind}: bytes`);
    assert.equal(m.encodedLength(), m.bytes, `${m.kind}: AVP description`);
    const h = header(b);
    assert.equal(h.version, 1);
    assert.equal(h.length, b.length, `${m.kind}: Message Length field`);
    assert.equal(h.app, CX_APPLICATION_ID, 'Application-Id 16777216 (3GPP Cx)');
    assert.equal(h.code, m.command);
    assert.equal(h.flags, m.request ? 0xc0 : 0x40, 'R and P bits');
    for (const a of decodeAvps(b.subarray(20))) {
      assert.ok(a.flags & 0x40, `AVP ${a.code} has the M bit`);
      if (a.code >= 600) assert.equal(a.vendor, VENDOR_3GPP, `3GPP AVP ${a.code} carries Vendor-Id 10415`);
      else assert.equal(a.vendor, undefined, `base AVP ${a.code} has no V bit`);
    }
  }
});

test('command codes 300 / 301 / 304 and the kinds shown in traces', () => {
  const kinds = variants().map((m) => `${m.kind}:${m.command}`);
  for (const k of ['UAR:300', 'UAA:300', 'SAR:301', 'SAA:301', 'RTR:304', 'RTA:304']) assert.ok(kinds.includes(k), k);
});

test('UAR carries User-Name (private id), Public-Identity, Visited-Network-Identifier and the authorization type', () => {
  const m = uar(3, UserAuthorizationType.DeRegistration);
  const avps = decodeAvps(m.encode().subarray(20));
  assert.equal(str(find(avps, 1)!), ctx.ids.privateId(3));
  assert.equal(str(find(avps, 601)!), ctx.ids.publicId(3));
  assert.equal(str(find(avps, 600)!), 'mnc015.mcc234.3gppnetwork.org');
  assert.equal(u32(find(avps, 623)!), 1, 'DE_REGISTRATION = 1');
  assert.equal(str(find(avps, 263)!), 'icscf.ims.mnc015.mcc234.3gppnetwork.org;1;123456');
  assert.equal(avps[0].code, 263, 'Session-Id first (RFC 6733 §8.8)');
  const vsai = find(avps, 260)!;
  const inner = decodeAvps(vsai.data);
  assert.deepEqual(inner.map((a) => [a.code, u32(a)]), [
    [266, 10415],
    [258, 16777216],
  ]);
});

test('an answer copies Session-Id, Hop-by-Hop and End-to-End; an Experimental-Result is grouped with Vendor-Id 10415', () => {
  const req = uar(9, UserAuthorizationType.DeRegistration);
  const a = req.answer(HSS);
  a.experimentalCode = EXP_ERROR_IDENTITY_NOT_REGISTERED;
  a.seal(undefined, undefined);
  const hq = header(req.encode());
  const ha = header(a.encode());
  assert.equal(ha.hbh, hq.hbh);
  assert.equal(ha.e2e, hq.e2e);
  const avps = decodeAvps(a.encode().subarray(20));
  assert.equal(str(find(avps, 263)!), str(find(decodeAvps(req.encode().subarray(20)), 263)!));
  const er = decodeAvps(find(avps, 297)!.data);
  assert.deepEqual(er.map((x) => [x.code, u32(x)]), [
    [266, 10415],
    [298, 5003],
  ]);
  assert.equal(a.success, false);
  assert.equal(a.resultName, 'DIAMETER_ERROR_IDENTITY_NOT_REGISTERED');
});

test('SAR names the S-CSCF and the assignment type; SAA to a registration carries the user profile (User-Data)', () => {
  const v = variants();
  const sarDereg = v.find((m) => m.kind === 'SAR' && m.assignmentType === ServerAssignmentType.UserDeregistration)!;
  const avps = decodeAvps(sarDereg.encode().subarray(20));
  assert.equal(u32(find(avps, 614)!), 5, 'USER_DEREGISTRATION = 5');
  assert.equal(str(find(avps, 602)!), `sip:${ctx.host(SCSCF)}:5060`);
  assert.equal(str(find(avps, 293)!), 'hss.ims.mnc015.mcc234.3gppnetwork.org', 'Destination-Host');
  const saa = v.find((m) => m.kind === 'SAA' && m.userData)!;
  const ud = str(find(decodeAvps(saa.encode().subarray(20)), 606)!);
  assert.match(ud, /^<\?xml version="1.0" encoding="UTF-8"\?><IMSSubscription><PrivateID>234150000000042@/);
  for (const id of ctx.ids.implicitSetOf(42)) assert.ok(ud.includes(`<Identity>${id}</Identity>`), id);
  assert.ok(saa.bytes > 900 && saa.bytes < 1500, `a realistic profile size (${saa.bytes} bytes)`);
});

test('wire() is a readable AVP dump naming the command, the application and every AVP', () => {
  const w = uar(0, UserAuthorizationType.DeRegistration).wire();
  assert.match(w, /^Diameter v1, \d+ bytes: User-Authorization-Request \(UAR\), command code 300, flags R P/);
  assert.match(w, /Application-Id 16777216 \(3GPP Cx\)/);
  assert.match(w, /User-Authorization-Type \(623, V 10415, M\): 1 DE_REGISTRATION/);
  assert.match(w, /Public-Identity \(601, V 10415, M\): "sip:234150000000000@ics\.mnc015\.mcc234\.3gppnetwork\.org"/);
});
