import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCx } from './cx-decode.ts';
import { decodeMsgin5g } from './msgin5g-decode.ts';
import { decodeSip, splitParams } from './sip-decode.ts';

const REG =
  'REGISTER sip:ics.mnc015.mcc234.3gppnetwork.org SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\nm: <sip:192.0.2.10:5060>;+sip.instance="<urn:gsma:imei:1-2-3>";expires=0\r\nSubject: a\r\n b\r\nAuthorization: Digest username="u", nonce="", integrity-protected="auth-done"\r\nContent-Length: 0\r\n\r\n';

test('decodeSip: compact forms expanded, folded lines joined, parameters split, character ranges kept', () => {
  const d = decodeSip(REG);
  assert.ok(d.ok);
  assert.equal(d.kind, 'request');
  assert.deepEqual(d.headers.map((h) => h.fullName), ['Via', 'Contact', 'Subject', 'Authorization', 'Content-Length']);
  const contact = d.headers[1]!;
  assert.deepEqual(contact.params, [
    ['+sip.instance', '"<urn:gsma:imei:1-2-3>"'],
    ['expires', '0'],
  ]);
  assert.equal(REG.slice(contact.start, contact.end), 'm: <sip:192.0.2.10:5060>;+sip.instance="<urn:gsma:imei:1-2-3>";expires=0');
  assert.equal(d.headers[2]!.value, 'a b');
  assert.deepEqual(d.headers[3]!.params.map(([k]) => k), ['username', 'nonce', 'integrity-protected']);
  assert.deepEqual(splitParams('To', '<sip:a;lr>;tag=1'), [['tag', '1']]);
});

test('decodeSip: not SIP, empty, or a header line without a colon are reported, never thrown', () => {
  assert.deepEqual(decodeSip(''), { ok: false, reason: 'no wire text (the run did not render this message)' });
  const bad = decodeSip('\u0000 junk');
  assert.equal(bad.ok, false);
  const odd = decodeSip('SIP/2.0 200 OK\r\nno colon here\r\n\r\n');
  assert.ok(odd.ok && odd.headers[0]!.name === '(malformed)');
});

test('decodeCx: command, flags and a nested AVP tree from the readable dump', () => {
  const wire = [
    'Diameter v1, 440 bytes: User-Authorization-Request (UAR), command code 300, flags R P',
    '  Application-Id 16777216 (3GPP Cx), Hop-by-Hop 0x00000002, End-to-End 0x00000002',
    '  Vendor-Specific-Application-Id (260, M):',
    '    Vendor-Id (266, M): 10415',
    '  User-Authorization-Type (623, V 10415, M): 1 DE_REGISTRATION',
  ].join('\n');
  const d = decodeCx(wire);
  assert.ok(d.ok);
  assert.deepEqual([d.command, d.commandCode, d.flags], ['User-Authorization-Request (UAR)', 300, ['R', 'P']]);
  assert.deepEqual(d.avps.map((a) => a.name), ['Vendor-Specific-Application-Id', 'User-Authorization-Type']);
  assert.equal(d.avps[0]!.children[0]!.value, '10415');
  assert.deepEqual([d.avps[1]!.vendor, d.avps[1]!.mandatory, d.avps[1]!.value], [10415, true, '1 DE_REGISTRATION']);
  assert.equal(wire.slice(d.avps[1]!.start, d.avps[1]!.end).trim(), 'User-Authorization-Type (623, V 10415, M): 1 DE_REGISTRATION');
  assert.equal(decodeCx('Diameter?').ok, false);
});

test('decodeMsgin5g: HTTP head and a JSON tree with the IE names of TS 23.554, spans kept; bad JSON is a note', () => {
  const body = '{"bulkRegistrationIndicator":true,"numberOfRequests":2,"requests":[{"ueServiceId":"a"},{"ueServiceId":"b"}]}';
  const wire = `POST /x HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${body}`;
  const d = decodeMsgin5g(wire);
  assert.ok(d.ok && d.body);
  const [ind, n, list] = d.body.children;
  assert.equal(ind!.ie, 'Bulk registration indicator (Table 8.2.x-1)');
  assert.equal(wire.slice(n!.start, n!.end), '"numberOfRequests":2');
  assert.equal(list!.kind, 'array');
  assert.equal(list!.children[1]!.children[0]!.ie, 'UE Service ID');
  assert.equal(list!.children.length, 2);
  const bad = decodeMsgin5g('HTTP/1.1 200 OK\r\n\r\n{"a": [1,');
  assert.ok(bad.ok && bad.bodyError && !bad.body);
  assert.equal(decodeMsgin5g('hello').ok, false);
});
