/**
 * What RegLab builds, two readers read back the same: sip.js (independent) and RegLab's own strict
 * parser, whose re-rendering must be byte-identical. And `bytes` is the exact UTF-8 size of the text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipMessage } from '../../sim/sip/message.ts';
import { parseSip } from '../../sim/sip/parser.ts';
import { createResponse } from '../../sim/sip/response.ts';
import { contactValue, cseqValue, fromToValue, nameAddrValue, param, SipIds, viaValue } from '../../sim/sip/headers.ts';
import { readWithSipJs } from './sipjs.ts';

const ids = new SipIds('msc1-');
const IMPU = 'sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org';
const IMPI = '234150999999999@ics.mnc015.mcc234.3gppnetwork.org';
const HOME = 'sip:ics.mnc015.mcc234.3gppnetwork.org';
const INSTANCE = '<urn:gsma:imei:35209900-176148-0>';

/** The MSC Server's deregistration REGISTER as TS 24.292 §6.3.6.2 steps 1–7 build it. */
function deregister(): SipMessage {
  const branch = ids.branch();
  return SipMessage.request(
    'REGISTER',
    HOME,
    [
      ['Via', viaValue({ host: 'msc1.mnc015.mcc234.3gppnetwork.org', port: 5060, branch })],
      ['Max-Forwards', '70'],
      ['From', fromToValue(IMPU, 'f7k2')],
      ['To', fromToValue(IMPU)],
      ['Call-ID', 'reg-234150999999999@msc1.mnc015.mcc234.3gppnetwork.org'],
      ['CSeq', cseqValue(3, 'REGISTER')],
      [
        'Contact',
        contactValue({
          uri: 'sip:msc1.mnc015.mcc234.3gppnetwork.org:5060',
          params: { '+sip.instance': INSTANCE, 'g.3gpp.ics': '"server"', '+g.3gpp.icsi-ref': '"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"', expires: 0 },
        }),
      ],
      ['Expires', '0'],
      ['Authorization', `Digest username="${IMPI}", realm="ics.mnc015.mcc234.3gppnetwork.org", nonce="", uri="${HOME}", response="", integrity-protected="auth-done"`],
      ['P-Visited-Network-ID', '"msc1.mnc015.mcc234.3gppnetwork.org"'],
    ],
    { sub: 17, procedure: 'deregistration', rules: ['24.292:6.3.6.2/1'] },
  );
}

function invite(): SipMessage {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n';
  return SipMessage.request(
    'INVITE',
    'sip:bob@example.org',
    [
      ['Via', viaValue({ transport: 'TCP', host: '192.0.2.1', branch: ids.branch(), params: { rport: true } })],
      ['Max-Forwards', '70'],
      ['From', fromToValue('sip:alice@example.com', ids.tag(), 'Alice Ångström')],
      ['To', fromToValue('sip:bob@example.org', undefined, 'Bob')],
      ['Call-ID', ids.callId('192.0.2.1')],
      ['CSeq', cseqValue(1, 'INVITE')],
      ['Contact', contactValue({ uri: 'sip:alice@192.0.2.1;transport=tcp' })],
      ['Route', nameAddrValue({ uri: 'sip:pcscf.example.com;lr' })],
      ['Content-Type', 'application/sdp'],
    ],
    { body: sdp },
  );
}

test('bytes is the exact UTF-8 length of the wire text, non-ASCII included', () => {
  for (const m of [deregister(), invite(), createResponse(invite(), 200, { toTag: 'b1', reason: 'OK — très bien' })]) {
    assert.equal(m.bytes, Buffer.byteLength(m.wire(), 'utf8'), m.kind);
    assert.equal(m.wireBytes().length, m.bytes);
  }
});

test('the deregistration REGISTER: sip.js reads what RegLab meant', () => {
  const m = deregister();
  const r = readWithSipJs(m.wire());
  assert.equal(r.method, 'REGISTER');
  assert.equal(r.ruri, HOME);
  assert.equal(r.status, undefined);
  assert.equal(r.headers.via.length, 1);
  assert.equal(r.headers.via[0].transport, 'UDP');
  assert.equal(r.headers.via[0].host, 'msc1.mnc015.mcc234.3gppnetwork.org');
  assert.equal(r.headers.via[0].port, 5060);
  assert.equal(r.headers.via[0].branch, m.branch);
  assert.ok(m.branch.startsWith('z9hG4bK'));
  assert.equal(r.headers.from.uri, IMPU);
  assert.equal(r.headers.from.params.tag, 'f7k2');
  assert.equal(r.headers.to.uri, IMPU);
  assert.equal(r.headers.to.params.tag, undefined);
  assert.equal(r.headers.callId, 'reg-234150999999999@msc1.mnc015.mcc234.3gppnetwork.org');
  assert.deepEqual(r.headers.cseq, { seq: 3, method: 'REGISTER' });
  assert.equal(r.headers.contact.length, 1);
  assert.equal(r.headers.contact[0].uri, 'sip:msc1.mnc015.mcc234.3gppnetwork.org:5060');
  assert.deepEqual(r.headers.contact[0].params, {
    '+sip.instance': '"<urn:gsma:imei:35209900-176148-0>"',
    'g.3gpp.ics': '"server"',
    '+g.3gpp.icsi-ref': '"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
    expires: '0',
  });
  assert.equal(r.headers.expires, 0);
  assert.equal(r.headers.maxForwards, 70);
  assert.equal(r.headers.contentLength, 0);
  assert.deepEqual(r.header('p-visited-network-id'), ['"msc1.mnc015.mcc234.3gppnetwork.org"']);
});

test('build → wire → parseSip gives the same fields and a byte-identical re-rendering', () => {
  for (const m of [deregister(), invite()]) {
    const p = parseSip(m.wire());
    assert.ok(p.ok, p.ok ? '' : p.error.reason);
    assert.equal(p.msg.wire(), m.wire(), `${m.kind} re-renders identically`);
    assert.equal(p.msg.bytes, m.bytes);
    assert.equal(p.consumed, m.bytes);
    assert.equal(p.msg.method, m.method);
    assert.equal(p.msg.requestUri, m.requestUri);
    assert.equal(p.msg.branch, m.branch);
    assert.deepEqual(p.msg.headers, m.headers);
    assert.equal(p.msg.body, m.body);
  }
  const p = parseSip(deregister().wire());
  assert.ok(p.ok);
  const [c] = p.fields.contacts as Exclude<typeof p.fields.contacts, '*'>;
  assert.equal(param(c.params, '+sip.instance'), '"<urn:gsma:imei:35209900-176148-0>"');
  assert.equal(param(c.params, 'expires'), '0');
  assert.equal(p.fields.expires, 0);
  assert.deepEqual(p.fields.cseq, { seq: 3, method: 'REGISTER' });
});

test('INVITE with SDP, display names (one non-ASCII) and Route: both readers agree', () => {
  const m = invite();
  const r = readWithSipJs(m.wire());
  assert.equal(r.method, 'INVITE');
  assert.equal(r.headers.from.display, 'Alice Ångström');
  assert.equal(r.headers.to.display, 'Bob');
  assert.equal(r.headers.via[0].transport, 'TCP');
  assert.ok('rport' in r.headers.via[0].params);
  assert.equal(r.headers.contact[0].uri, 'sip:alice@192.0.2.1;transport=tcp');
  assert.equal(r.body, m.body);
  const p = parseSip(m.wire(), { transport: 'stream' });
  assert.ok(p.ok);
  assert.equal(p.fields.from.display, 'Alice Ångström');
  assert.equal(p.fields.contentLength, Buffer.byteLength(m.body));
});

test('responses built by createResponse: sip.js reads status, To tag, copied Via/From/Call-ID/CSeq', () => {
  const req = deregister();
  const ok = createResponse(req, 200, {
    toTag: 'scscf-9',
    headers: [
      ['Contact', contactValue({ uri: 'sip:msc1.mnc015.mcc234.3gppnetwork.org:5060', params: { '+sip.instance': INSTANCE, expires: 0 } })],
      ['P-Associated-URI', `<${IMPU}>, <tel:+447700900123>`],
    ],
  });
  assert.equal(ok.kind, '200 REGISTER');
  assert.equal(ok.sub, 17, 'the subscriber is carried over');
  const r = readWithSipJs(ok.wire());
  assert.equal(r.status, 200);
  assert.equal(r.reason, 'OK');
  assert.equal(r.method, 'REGISTER');
  assert.equal(r.headers.to.params.tag, 'scscf-9');
  assert.equal(r.headers.from.params.tag, 'f7k2');
  assert.equal(r.headers.via[0].branch, req.branch);
  assert.equal(r.headers.callId, req.header('call-id'));
  const p = parseSip(ok.wire());
  assert.ok(p.ok);
  assert.equal(p.msg.wire(), ok.wire());
  const timeout = createResponse(req, 408);
  assert.equal(timeout.startLine(), 'SIP/2.0 408 Request Timeout');
  assert.equal(readWithSipJs(timeout.wire()).status, 408);
});

test('a multi-Via response (after two proxies) reads back in order', () => {
  const req = SipMessage.request('OPTIONS', 'sip:scscf.example.com', [
    ['Via', viaValue({ host: 'icscf.example.com', branch: 'z9hG4bKi1' })],
    ['Via', `${viaValue({ host: 'msc.example.com', branch: 'z9hG4bKm1' })};received=192.0.2.9`],
    ['Max-Forwards', '69'],
    ['From', fromToValue('sip:msc@example.com', 't1')],
    ['To', fromToValue('sip:scscf.example.com')],
    ['Call-ID', 'opt-1'],
    ['CSeq', cseqValue(1, 'OPTIONS')],
  ]);
  const resp = createResponse(req, 200, { toTag: 'x' });
  const r = readWithSipJs(resp.wire());
  assert.deepEqual(r.headers.via.map((v) => [v.host, v.branch]), [
    ['icscf.example.com', 'z9hG4bKi1'],
    ['msc.example.com', 'z9hG4bKm1'],
  ]);
  assert.equal(r.headers.via[1].params.received, '192.0.2.9');
  const p = parseSip(resp.wire());
  assert.ok(p.ok);
  assert.deepEqual(p.fields.via.map((v) => v.branch), ['z9hG4bKi1', 'z9hG4bKm1']);
});

test('readWithSipJs refuses what sip.js cannot read, with its reason', () => {
  assert.throws(() => readWithSipJs('garbage'), /sip\.js could not read/);
});
