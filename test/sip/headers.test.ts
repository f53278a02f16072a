import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStream } from '../../sim/kernel/random.ts';
import { SipMessage, canonicalName, isHeader, utf8Length, viaBranch } from '../../sim/sip/message.ts';
import { formatUri, isSipUri, parseUri, sipUri, unescape, uriParam, type SipUri, type TelUri } from '../../sim/sip/uri.ts';
import {
  contactValue,
  cseqValue,
  formatParams,
  fromToValue,
  nameAddrValue,
  param,
  parseContacts,
  parseCSeq,
  parseExpires,
  parseMaxForwards,
  parseNameAddr,
  parseParams,
  parseVia,
  quote,
  SipIds,
  splitList,
  unquote,
  viaValue,
} from '../../sim/sip/headers.ts';
import { createResponse, hasTag, reasonPhrase, withTag } from '../../sim/sip/response.ts';

test('utf8Length equals Buffer.byteLength on short and long strings, non-ASCII, surrogate pairs and lone surrogates', () => {
  const rng = new RandomStream(7, 'utf8');
  const alphabet = ['a', 'Z', '~', '\u00e9', '\u0436', '\u20ac', '\ud83d\ude00', '\ud800', '\udc00', '\u0000', '\r\n'];
  for (let k = 0; k < 400; k++) {
    const len = rng.int(k < 200 ? 40 : 400);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[rng.int(alphabet.length)];
    assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
  }
});

test('header lookup: case-insensitive, compact forms, no allocation path', () => {
  const m = SipMessage.request('REGISTER', 'sip:a.example', [
    ['v', 'SIP/2.0/UDP h;branch=z9hG4bK1'],
    ['VIA', 'SIP/2.0/UDP g;branch=z9hG4bK2'],
    ['i', 'cid'],
    ['m', '<sip:x@y>'],
    ['Contact', '<sip:z@y>'],
  ]);
  assert.equal(m.header('Via'), 'SIP/2.0/UDP h;branch=z9hG4bK1');
  assert.deepEqual(m.headerAll('via').length, 2);
  assert.equal(m.header('call-id'), 'cid');
  assert.equal(m.header('I'), 'cid');
  assert.deepEqual(m.headerAll('contact'), ['<sip:x@y>', '<sip:z@y>']);
  assert.equal(m.header('expires'), undefined);
  assert.equal(m.branch, 'z9hG4bK1');
  assert.equal(canonicalName('L'), 'content-length');
  assert.ok(isHeader('CALL-ID', 'call-id') && isHeader('i', 'call-id') && !isHeader('x', 'call-id'));
  assert.equal(viaBranch('SIP/2.0/UDP h ; BRANCH = z9hG4bKab ;rport'), 'z9hG4bKab');
  assert.equal(viaBranch('SIP/2.0/UDP h;received=1.2.3.4, SIP/2.0/UDP g;branch=z9hG4bK2'), '', 'only the first via-parm counts');
  assert.equal(viaBranch('SIP/2.0/UDP h;x="a;branch=no";branch=z9hG4bKyes'), 'z9hG4bKyes');
});

test('URIs: sip, sips, tel, other schemes; params, headers, escapes; format gives the text back', () => {
  for (const t of [
    'sip:alice@example.com',
    'sips:alice:secret@example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent',
    'sip:+447700900123@ims.example.com;user=phone',
    'sip:[2001:db8::1]:5060',
    'sip:192.0.2.1',
    'sip:user;par=u%40example.net@example.com',
    'tel:+44-7700-900123;phone-context=+44',
    'tel:7042;phone-context=example.com',
    'urn:gsma:imei:35209900-176148-0',
  ]) {
    const r = parseUri(t);
    assert.ok(r.ok, `${t}: ${r.ok ? '' : r.error}`);
    assert.equal(formatUri(r.uri), t);
  }
  const s = parseUri('sips:alice:secret@example.com:5061;transport=tcp;lr?subject=project%20x');
  assert.ok(s.ok && isSipUri(s.uri));
  const u = s.uri as SipUri;
  assert.deepEqual([u.scheme, u.user, u.password, u.host, u.port], ['sips', 'alice', 'secret', 'example.com', 5061]);
  assert.equal(uriParam(u, 'TRANSPORT'), 'tcp');
  assert.equal(uriParam(u, 'lr'), '');
  assert.equal(uriParam(u, 'maddr'), undefined);
  assert.deepEqual(u.headers, [['subject', 'project%20x']]);
  const tel = parseUri('TEL:+1-201-555-0123');
  assert.ok(tel.ok);
  assert.equal((tel.uri as TelUri).number, '+1-201-555-0123');
  assert.equal(unescape('a%20b%e2%82%ac'), 'a b€');
  assert.equal(sipUri({ user: 'msc', host: 'example.net', port: 5060, params: [['lr', undefined]] }), 'sip:msc@example.net:5060;lr');
});

test('malformed URIs are refused with a reason naming the part', () => {
  for (const [t, re] of [
    ['example.com', /no scheme/],
    ['sip:@example.com', /empty user/],
    ['sip:a b@example.com', /user part/],
    ['sip:alice@exa mple.com', /host/],
    ['sip:alice@example.com:99999', /port/],
    ['sip:alice@-bad-.com', /host/],
    ['sip:alice@example.com;=x', /parameter name/],
    ['sip:alice@example.com?noequals', /header/],
    ['tel:', /telephone-subscriber/],
    ['1sip:x', /scheme/],
    ['foo:has space', /absoluteURI/],
  ] as const) {
    const r = parseUri(t);
    assert.ok(!r.ok, t);
    assert.match(r.error, re, t);
  }
});

test('name-addr: display names (tokens or quoted, escapes), angle vs bare, params on the right side', () => {
  const a = parseNameAddr('"Alice \\"A\\" Smith" <sip:alice@example.com;lr>;tag=x1;expires=60');
  assert.ok(a.ok);
  assert.equal(a.value.display, 'Alice "A" Smith');
  assert.equal(a.value.angle, true);
  assert.deepEqual(a.value.params, [['tag', 'x1'], ['expires', '60']]);
  assert.equal(uriParam(a.value.uri as SipUri, 'lr'), '');
  const b = parseNameAddr('sip:bob@example.com;tag=88');
  assert.ok(b.ok);
  assert.equal(b.value.angle, false);
  assert.equal(param(b.value.params, 'tag'), '88');
  assert.deepEqual((b.value.uri as SipUri).params, []);
  const c = parseNameAddr('Bob Jones <tel:+123>');
  assert.ok(c.ok && c.value.display === 'Bob Jones' && c.value.uri.scheme === 'tel');
  for (const bad of ['"unterminated <sip:a@b>', 'Bob, Jones <sip:a@b>', '<sip:a@b', 'sip:a@b>', '< sip:a@b >', 'sip:a@b?x=y', '<sip:a@b>;;', '']) {
    assert.ok(!parseNameAddr(bad).ok, bad);
  }
});

test('quoted strings: a raw control character or DEL is refused (qdtext), the same escaped as a quoted-pair is read; quote() writes the escapes', () => {
  // RFC 3261 §25.1: qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII; quoted-pair = "\\" (%x00-09 / %x0B-0C / %x0E-7F).
  // Found by the scale-100 fuzz run (sip-receiver:39204, scscf-datagrams:7518): a raw DEL in a display name was copied into a 400.
  for (const c of ['\x7f', '\x00', '\x01', '\x1b', '\x1f']) {
    const raw = parseNameAddr(`"Be${c}l" <sip:a@example.com>;tag=1`);
    assert.ok(!raw.ok && /qdtext/.test(raw.error), JSON.stringify(c));
    const escaped = parseNameAddr(`"Be\\${c}l" <sip:a@example.com>;tag=1`);
    assert.ok(escaped.ok && escaped.value.display === `Be${c}l`, JSON.stringify(c));
    assert.ok(!parseParams(`;x="a${c}"`).ok, JSON.stringify(c));
    assert.ok(!splitList(`"a${c}" <sip:a@b>, <sip:c@d>`).ok, JSON.stringify(c));
    // what RegLab writes it reads back, the same name
    const back = parseNameAddr(nameAddrValue({ display: `Be${c}l`, uri: 'sip:a@example.com' }));
    assert.ok(back.ok && back.value.display === `Be${c}l`, JSON.stringify(c));
  }
  const tab = parseNameAddr('"Be\tl é" <sip:a@example.com>');
  assert.ok(tab.ok && tab.value.display === 'Be\tl é', 'HTAB (LWS) and UTF8-NONASCII are qdtext');
  assert.equal(quote('a\r\nb\x7f'), '"a  b\\\x7f"', 'CR and LF have no quoted-pair: spaces');
});

test('Contact lists, Via, CSeq, Expires, Max-Forwards', () => {
  const c = parseContacts('<sip:a@b>;q=0.5, "Quoted, comma" <sip:c@d>;expires=0');
  assert.ok(c.ok && c.value !== '*');
  assert.equal((c.value as unknown[]).length, 2);
  assert.deepEqual(parseContacts(' * '), { ok: true, value: '*' });
  const v = parseVia('SIP / 2.0 / UDP  host.example.com : 5060 ; branch = z9hG4bK77 ; rport, SIP/2.0/TLS [2001:db8::9];branch=z9hG4bK78;received=192.0.2.1');
  assert.ok(v.ok);
  assert.deepEqual(v.value.map((x) => [x.transport, x.host, x.port, x.branch]), [
    ['UDP', 'host.example.com', 5060, 'z9hG4bK77'],
    ['TLS', '[2001:db8::9]', undefined, 'z9hG4bK78'],
  ]);
  assert.equal(param(v.value[0].params, 'rport'), '');
  assert.ok(!parseVia('SIP/2.0/UDP').ok);
  assert.ok(!parseVia('SIP/2.0/UDP host;;').ok);
  assert.deepEqual(parseCSeq('2147483647 REGISTER'), { ok: true, value: { seq: 2147483647, method: 'REGISTER' } });
  assert.ok(!parseCSeq('2147483648 REGISTER').ok);
  assert.ok(!parseCSeq('1').ok);
  assert.deepEqual(parseExpires(' 600000 '), { ok: true, value: 600000 });
  assert.equal((parseExpires('99999999999') as { value: number }).value, 4294967295);
  assert.ok(!parseExpires('-1').ok);
  assert.deepEqual(parseMaxForwards('0070'), { ok: true, value: 70 });
  assert.ok(!parseMaxForwards('256').ok);
  assert.ok(!splitList('"open, <sip:a@b>').ok);
  assert.ok(!parseParams(';a="unterminated').ok);
});

test('builders: Via with a z9hG4bK branch, name-addr quoting, Contact feature tags and instance id', () => {
  assert.equal(viaValue({ host: 'msc.example.net', port: 5060, branch: 'z9hG4bKx1' }), 'SIP/2.0/UDP msc.example.net:5060;branch=z9hG4bKx1');
  assert.equal(viaValue({ transport: 'TCP', host: 'h', branch: 'z9hG4bKx', params: { rport: true, received: undefined } }), 'SIP/2.0/TCP h;branch=z9hG4bKx;rport');
  assert.throws(() => viaValue({ host: 'h', branch: 'x1' }), /z9hG4bK/);
  assert.equal(fromToValue('sip:a@b', 'T1'), '<sip:a@b>;tag=T1');
  assert.equal(fromToValue('sip:a@b', undefined, 'Alice'), 'Alice <sip:a@b>');
  assert.equal(nameAddrValue({ uri: 'sip:a@b', display: 'Smith, "J"' }), '"Smith, \\"J\\"" <sip:a@b>');
  const contact = contactValue({
    uri: 'sip:msc@192.0.2.1:5060',
    params: { '+sip.instance': '<urn:gsma:imei:35209900-176148-0>', 'g.3gpp.ics': '"server"', expires: 0, lr: true },
  });
  assert.equal(contact, '<sip:msc@192.0.2.1:5060>;+sip.instance="<urn:gsma:imei:35209900-176148-0>";g.3gpp.ics="server";expires=0;lr');
  const back = parseNameAddr(contact);
  assert.ok(back.ok);
  assert.equal(unquote(param(back.value.params, '+sip.instance')!), '<urn:gsma:imei:35209900-176148-0>');
  assert.equal(formatParams([['a', undefined], ['b', 'x y']]), ';a;b="x y"');
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(cseqValue(7, 'BYE'), '7 BYE');
  assert.throws(() => cseqValue(2 ** 31, 'BYE'), /CSeq/);
  const ids = new SipIds('msc1-');
  const again = new SipIds('msc1-');
  assert.deepEqual([ids.branch(), ids.tag(), ids.callId('h')], [again.branch(), again.tag(), again.callId('h')], 'deterministic');
  assert.notEqual(ids.branch(), ids.branch());
  assert.ok(ids.branch().startsWith('z9hG4bKmsc1-'));
  assert.throws(() => new SipIds('bad prefix'), /token/);
});

test('createResponse: copies Via (all, in order), From, To, Call-ID, CSeq; To tag except on 100; keeps an existing tag', () => {
  const req = SipMessage.request(
    'INVITE',
    'sip:b@example.com',
    [
      ['Via', 'SIP/2.0/UDP p2;branch=z9hG4bK2'],
      ['Via', 'SIP/2.0/UDP p1;branch=z9hG4bK1'],
      ['Max-Forwards', '69'],
      ['Route', '<sip:x;lr>'],
      ['From', '<sip:a@example.com>;tag=a'],
      ['To', '<sip:b@example.com>'],
      ['Call-ID', 'c1'],
      ['CSeq', '1 INVITE'],
      ['Timestamp', '54'],
    ],
    { sub: 5, procedure: 'call' },
  );
  const ok = createResponse(req, 200, { toTag: 'bt', headers: [['Contact', '<sip:b@192.0.2.2>']] });
  assert.deepEqual(ok.headers, [
    ['Via', 'SIP/2.0/UDP p2;branch=z9hG4bK2'],
    ['Via', 'SIP/2.0/UDP p1;branch=z9hG4bK1'],
    ['From', '<sip:a@example.com>;tag=a'],
    ['To', '<sip:b@example.com>;tag=bt'],
    ['Call-ID', 'c1'],
    ['CSeq', '1 INVITE'],
    ['Contact', '<sip:b@192.0.2.2>'],
  ]);
  assert.equal(ok.kind, '200 INVITE');
  assert.equal(ok.sub, 5);
  assert.equal(ok.procedure, 'call');
  const trying = createResponse(req, 100, { toTag: 'bt' });
  assert.equal(trying.header('to'), '<sip:b@example.com>', 'no tag on 100 Trying');
  assert.equal(trying.header('timestamp'), '54', '§8.2.6.1: Timestamp copied into 100');
  assert.equal(withTag('<sip:b@x>;tag=old', 'new'), '<sip:b@x>;tag=old');
  assert.ok(hasTag('sip:b@x ; TAG = 1') && !hasTag('<sip:b@x;tag=1>'));
  assert.equal(reasonPhrase(416), 'Unsupported URI Scheme');
  assert.equal(createResponse(req, 299).reason, '');
});
