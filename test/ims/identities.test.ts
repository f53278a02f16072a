import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Identities } from '../../sim/ims/identities.ts';
import { DEFAULT_IMS_CONFIG, hasSessions, type ImsConfig } from '../../sim/ims/config.ts';
import { LengthSink } from '../../sim/ims/text-sink.ts';
import { IMS_SECTION, imsConfigOf } from '../../sim/scenario/types/ims.ts';

const cfg = (o: Partial<ImsConfig> = {}): ImsConfig => ({ ...DEFAULT_IMS_CONFIG, ...o });

test('TS 23.003 §20.3: the REFERENCE example IMSI 234150999999999 gives the documented identities', () => {
  const ids = new Identities(cfg({ mcc: '234', mnc: '15', imsiBase: '234150999999999' }), 1);
  assert.equal(ids.homeDomain, 'ics.mnc015.mcc234.3gppnetwork.org', 'MNC zero-padded to 3 digits');
  assert.equal(ids.homeDomainUri, 'sip:ics.mnc015.mcc234.3gppnetwork.org');
  assert.equal(ids.imsi(0), '234150999999999');
  assert.equal(ids.privateId(0), '234150999999999@ics.mnc015.mcc234.3gppnetwork.org');
  assert.equal(ids.publicId(0), 'sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org');
});

test('a 3-digit MNC is used as is; subscriber i has MSIN + i, zero-padded', () => {
  const ids = new Identities(cfg({ mcc: '310', mnc: '260', imsiBase: '310260000000000' }), 1000);
  assert.equal(ids.homeDomain, 'ics.mnc260.mcc310.3gppnetwork.org');
  assert.equal(ids.imsi(7), '310260000000007');
  assert.equal(ids.imsi(999), '310260000000999');
});

test('the implicit registration set: temporary public id, tel URI, SIP URI with user=phone, then aliases', () => {
  const ids = new Identities(cfg({ implicitSet: 4, msisdnBase: '447700900123' }), 10);
  assert.deepEqual(ids.implicitSetOf(2), [
    'sip:234150000000002@ics.mnc015.mcc234.3gppnetwork.org',
    'tel:+447700900125',
    'sip:+447700900125@ims.mnc015.mcc234.3gppnetwork.org;user=phone',
    'sip:234150000000002.3@ims.mnc015.mcc234.3gppnetwork.org',
  ]);
  assert.deepEqual(new Identities(cfg({ implicitSet: 1 }), 1).implicitSetOf(0), ['sip:234150000000000@ics.mnc015.mcc234.3gppnetwork.org']);
});

test('+sip.instance comes from the IMEI as an RFC 7254 URN, TAC rolling over after 10^6 devices', () => {
  const ids = new Identities(cfg({ imeiBase: '35209900999999' }), 3);
  assert.equal(ids.instanceUrn(0), 'urn:gsma:imei:35209900-999999-0');
  assert.equal(ids.instanceUrn(1), 'urn:gsma:imei:35209901-000000-0');
  assert.match(ids.instanceUrn(2), /^urn:gsma:imei:[0-9]{8}-[0-9]{6}-0$/);
});

test('identity lengths are the same for the first and the last subscriber (fixed-width rendering)', () => {
  const n = 1_000_000;
  const ids = new Identities(cfg({ implicitSet: 5 }), n);
  const len = (f: (o: LengthSink) => void) => {
    const o = new LengthSink();
    f(o);
    return o.len;
  };
  for (const s of [0, 1, 9, 10, 99_999, n - 1]) {
    for (let k = 0; k < 5; k++) assert.equal(len((o) => ids.writePublicId(o, s, k)), ids.publicId(0, k).length, `sub ${s} k ${k}`);
    assert.equal(len((o) => ids.writePrivateId(o, s)), ids.privateId(0).length);
    assert.equal(len((o) => ids.writeInstanceUrn(o, s)), ids.instanceUrn(0).length);
    assert.equal(ids.publicId(s).length, ids.publicId(0).length);
  }
});

test('subscriberOf reads a temporary public or private identity back, and refuses others', () => {
  const ids = new Identities(cfg(), 100);
  for (const s of [0, 5, 99]) {
    assert.equal(ids.subscriberOf(ids.publicId(s)), s);
    assert.equal(ids.subscriberOf(`<${ids.publicId(s)}>`), s);
    assert.equal(ids.subscriberOf(ids.privateId(s)), s);
  }
  assert.equal(ids.subscriberOf('sip:234150000000005@example.com'), -1, 'another domain');
  assert.equal(ids.subscriberOf('sip:alice@ics.mnc015.mcc234.3gppnetwork.org'), -1);
  assert.equal(ids.subscriberOf('tel:+447700900000'), -1);
});

test('identities that would run past their digits are refused with the field named', () => {
  assert.throws(() => new Identities(cfg({ imsiBase: '234159999999999' }), 2), /ims\.imsiBase.*MSIN/);
  assert.throws(() => new Identities(cfg({ imsiBase: '310150000000000' }), 1), /ims\.imsiBase.*MCC\+MNC/);
  assert.throws(() => new Identities(cfg({ msisdnBase: '9999' }), 2), /ims\.msisdnBase/);
  assert.throws(() => new Identities(cfg({ implicitSet: 0 }), 1), /ims\.implicitSet/);
});

test('the ims: section validates and defaults (implicit set ≥ 1, share a probability, digits quoted)', () => {
  const c = imsConfigOf(IMS_SECTION.parse({ mcc: '001', mnc: '01' }));
  assert.equal(c.imsiBase, '001010000000000', 'default IMSI base: MCC + MNC + zeros to 15 digits');
  assert.equal(c.implicitSet, 3);
  assert.equal(c.sessions.share, 0);
  assert.equal(c.timers.T1, 500_000_000);
  assert.equal(IMS_SECTION.safeParse({ implicitSet: 0 }).success, false);
  assert.equal(IMS_SECTION.safeParse({ sessions: { share: -0.1 } }).success, false);
  assert.equal(IMS_SECTION.safeParse({ sessions: { share: '150%' } }).success, false);
  assert.equal(IMS_SECTION.safeParse({ mcc: 234 }).success, false, 'an unquoted number is refused (leading zeros would be lost)');
  assert.equal(IMS_SECTION.safeParse({ imsiBase: '310150000000000' }).success, false, 'IMSI base not starting with MCC+MNC');
  assert.equal(IMS_SECTION.safeParse({ timers: { T1: '2s', T2: '1s' } }).success, false, 'T2 < T1');
  assert.equal(IMS_SECTION.safeParse({ colour: 'red' }).success, false, 'unknown field');
});

test('hasSessions: the share is met over a population, the same for every node, and 0 / 1 are exact', () => {
  const c = cfg({ sessions: { share: 0.1, perSubscriber: 1 } });
  let n = 0;
  for (let s = 0; s < 100_000; s++) if (hasSessions(c, s)) n++;
  assert.ok(Math.abs(n / 100_000 - 0.1) < 0.005, `share ${n / 100_000}`);
  assert.equal(hasSessions(cfg({ sessions: { share: 0, perSubscriber: 1 } }), 3), false);
  assert.equal(hasSessions(cfg({ sessions: { share: 1, perSubscriber: 1 } }), 3), true);
});
