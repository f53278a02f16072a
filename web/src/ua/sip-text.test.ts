import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerText, bodyOf, headerOf, parseRegInfo, sipKind, subscriptionState, uaRecord, UA_LANE, wsUrlOf } from './sip-text.ts';

const NOTIFY = [
  'NOTIFY sip:abc@x.invalid;transport=ws SIP/2.0',
  'Via: SIP/2.0/WS 192.0.2.12:5060;branch=z9hG4bK1',
  'CSeq: 2 NOTIFY',
  'Event: reg',
  'Subscription-State: terminated;reason=deactivated',
  'Content-Type: application/reginfo+xml',
  '',
  '<?xml version="1.0"?>',
  '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">',
  '  <registration aor="sip:234150999999999@ims.mnc015.mcc234.3gppnetwork.org" id="a1" state="terminated">',
  '    <contact id="c1" state="terminated" event="unregistered"><uri>sip:192.0.2.10:5060</uri></contact>',
  '  </registration>',
  '  <registration aor="tel:+447700900123" id="a2" state="terminated"/>',
  '</reginfo>',
].join('\r\n');

test('wsUrlOf: the lab printed sip:HOST:PORT;transport=ws → the ws:// URL sip.js connects to; other transports have none', () => {
  assert.equal(wsUrlOf('sip:127.0.0.1:40123;transport=ws'), 'ws://127.0.0.1:40123');
  assert.equal(wsUrlOf('sips:[::1]:443;transport=wss'), 'wss://[::1]:443');
  assert.equal(wsUrlOf('sip:127.0.0.1:5060;transport=udp'), undefined);
});

test('sipKind and headerOf: requests by method, responses by status and CSeq method; compact header forms', () => {
  assert.equal(sipKind('REGISTER sip:ims.example SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n'), 'REGISTER');
  assert.equal(sipKind('SIP/2.0 200 OK\r\nCSeq: 7 SUBSCRIBE\r\n\r\n'), '200 SUBSCRIBE');
  assert.equal(sipKind('SIP/2.0 403 Forbidden\r\n\r\n'), '403');
  assert.equal(headerOf('SUBSCRIBE x SIP/2.0\r\no: reg\r\n\r\nEvent: not-a-header', 'Event'), 'reg');
  assert.equal(headerOf(NOTIFY, 'content-type'), 'application/reginfo+xml');
  assert.equal(headerOf(NOTIFY, 'Expires'), undefined);
});

test('uaRecord: out from the student lane to the node, in the other way, with the wire text and its bytes', () => {
  const out = uaRecord('SUBSCRIBE sip:a SIP/2.0\r\nCSeq: 1 SUBSCRIBE\r\n\r\n', 'out', 'scscf', 1.5e9);
  assert.deepEqual([out.from, out.to, out.kind, out.t, out.proto, out.event], [UA_LANE, 'scscf', 'SUBSCRIBE', 1.5e9, 'sip', 'delivered']);
  const inn = uaRecord(NOTIFY, 'in', 'scscf', -5);
  assert.deepEqual([inn.from, inn.to, inn.kind, inn.t], ['scscf', UA_LANE, 'NOTIFY', 0]);
  assert.equal(inn.bytes, new TextEncoder().encode(NOTIFY).length);
});

test('subscriptionState and parseRegInfo: the terminated reg-event NOTIFY, every identity terminated', () => {
  assert.deepEqual(subscriptionState(NOTIFY), { state: 'terminated', reason: 'deactivated' });
  assert.deepEqual(subscriptionState('NOTIFY x SIP/2.0\r\nSubscription-State: active;expires=600\r\n\r\n'), { state: 'active', expires: 600 });
  const info = parseRegInfo(bodyOf(NOTIFY))!;
  assert.equal(info.version, 1);
  assert.equal(info.state, 'full');
  assert.deepEqual(info.registrations.map((r) => [r.aor, r.state, r.contacts.map((c) => `${c.state}/${c.event}/${c.uri}`).join()]), [
    ['sip:234150999999999@ims.mnc015.mcc234.3gppnetwork.org', 'terminated', 'terminated/unregistered/sip:192.0.2.10:5060'],
    ['tel:+447700900123', 'terminated', ''],
  ]);
  assert.equal(parseRegInfo('<presence/>'), undefined);
  assert.deepEqual(parseRegInfo("<r:reginfo xmlns:r='urn:ietf:params:xml:ns:reginfo' version='0' state='partial'></r:reginfo>"), { version: 0, state: 'partial', registrations: [] });
});

test('answerText: status, reason and the Warning that says why', () => {
  assert.equal(answerText(403, 'Forbidden', '399 scscf "no"'), '403 Forbidden — 399 scscf "no"');
  assert.equal(answerText(200, 'OK', undefined), '200 OK');
});
