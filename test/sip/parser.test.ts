/** parseSip beyond RFC 4475: every error code has an input that produces it, with a reason naming the fault. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSip, MAX_HEADER_FIELDS } from '../../sim/sip/parser.ts';
import { SIP_ERROR_CODES, type SipErrorCode } from '../../sim/sip/parse-errors.ts';
import { OPTIONS_HEADERS, optionsRequest, swapHeader } from './options-request.ts';

const CASES: [SipErrorCode, string | Uint8Array, RegExp, ('datagram' | 'stream')?][] = [
  ['E_SIP_EMPTY', '\r\n\r\n', /no start line/],
  ['E_SIP_ENCODING', Buffer.concat([Buffer.from('OPTIONS sip:b@example.com SIP/2.0\r\nSubject: '), Buffer.from([0xff, 0xfe]), Buffer.from('\r\n\r\n')]), /UTF-8/],
  ['E_SIP_LINE_ENDING', optionsRequest().replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\n'), /bare CR or LF/],
  ['E_SIP_NO_BLANK_LINE', optionsRequest().slice(0, -2), /empty line/],
  ['E_SIP_BAD_START_LINE', optionsRequest(undefined, { start: 'OPTIONS sip:b@example.com' }), /request line/],
  ['E_SIP_BAD_VERSION', optionsRequest(undefined, { start: 'OPTIONS sip:b@example.com SIP/2.1' }), /SIP\/2\.1/],
  ['E_SIP_BAD_METHOD', optionsRequest(undefined, { start: 'OPT(IONS sip:b@example.com SIP/2.0' }), /method/],
  ['E_SIP_BAD_REQUEST_URI', optionsRequest(undefined, { start: 'OPTIONS sip:b@exa_mple.com SIP/2.0' }), /Request-URI.*host/],
  ['E_SIP_BAD_STATUS', 'SIP/2.0 099 Odd\r\n' + OPTIONS_HEADERS.join('\r\n') + '\r\n\r\n', /099/],
  ['E_SIP_BAD_HEADER_LINE', optionsRequest([...OPTIONS_HEADERS, 'No colon here']), /no ':'/],
  ['E_SIP_TOO_MANY_HEADERS', optionsRequest([...OPTIONS_HEADERS, ...Array.from({ length: MAX_HEADER_FIELDS }, (_, i) => `X-H${i}: v`)]), /header fields; at most 256/],
  ['E_SIP_MISSING_HEADER', optionsRequest(swapHeader('Max-Forwards', undefined)), /Max-Forwards/],
  ['E_SIP_DUPLICATE_HEADER', optionsRequest([...OPTIONS_HEADERS, 'Expires: 1', 'Expires: 2']), /Expires appears 2 times/],
  ['E_SIP_BAD_CONTENT_LENGTH', optionsRequest([...OPTIONS_HEADERS, 'l: 1x'], { cl: false }), /Content-Length '1x'/],
  ['E_SIP_MISSING_CONTENT_LENGTH', optionsRequest(undefined, { cl: false }), /stream/, 'stream'],
  ['E_SIP_MISSING_CONTENT_TYPE', optionsRequest(undefined, { body: 'hello' }), /Content-Type/],
  ['E_SIP_BAD_CONTENT_TYPE', optionsRequest([...OPTIONS_HEADERS, 'Content-Type: text'], { body: 'hello' }), /type\/subtype/],
  ['E_SIP_BAD_CSEQ', optionsRequest(swapHeader('CSeq', 'CSeq: one OPTIONS')), /CSeq/],
  ['E_SIP_CSEQ_MISMATCH', optionsRequest(swapHeader('CSeq', 'CSeq: 1 INVITE')), /differs/],
  ['E_SIP_BAD_VIA', optionsRequest(swapHeader('Via', 'Via: SIP/3.0/UDP h;branch=z9hG4bK1')), /not SIP\/2\.0/],
  ['E_SIP_BAD_FROM', optionsRequest(swapHeader('From', 'From: <sip:a@example.com;tag=1')), /From: '<' without '>'/],
  ['E_SIP_BAD_TO', optionsRequest(swapHeader('To', 'To: "B <sip:b@example.com>')), /To: .*quote/],
  ['E_SIP_BAD_CALL_ID', optionsRequest(swapHeader('Call-ID', 'Call-ID: a b')), /Call-ID 'a b'/],
  ['E_SIP_BAD_MAX_FORWARDS', optionsRequest(swapHeader('Max-Forwards', 'Max-Forwards: 256')), /Max-Forwards '256'/],
  ['E_SIP_BAD_CONTACT', optionsRequest([...OPTIONS_HEADERS, 'Contact: *', 'Contact: <sip:x@y>']), /must be the only contact/],
  ['E_SIP_BAD_EXPIRES', optionsRequest([...OPTIONS_HEADERS, 'Expires: soon']), /Expires 'soon'/],
];

test('the well-formed base request parses (so each case below fails for its own reason)', () => {
  const r = parseSip(optionsRequest());
  assert.ok(r.ok, r.ok ? '' : r.error.reason);
});

test('every error code has a case, and each case yields its code, the listed status and a reason naming the fault', () => {
  assert.deepEqual(CASES.map((c) => c[0]).sort(), Object.keys(SIP_ERROR_CODES).sort(), 'one case per code');
  for (const [code, input, reason, transport] of CASES) {
    const r = parseSip(input, { transport });
    assert.ok(!r.ok, `${code}: parsed`);
    assert.equal(r.error.code, code, `${code}: got ${r.error.code} (${r.error.reason})`);
    assert.equal(r.error.status, SIP_ERROR_CODES[code][0]);
    assert.match(r.error.reason, reason, code);
  }
});

test('header values: folding becomes one space, surrounding whitespace goes, compact names are kept as written', () => {
  const r = parseSip(optionsRequest([...OPTIONS_HEADERS, 'Subject:   a\r\n   folded\r\n\tline  ', 'k: path']));
  assert.ok(r.ok);
  assert.equal(r.msg.header('subject'), 'a folded line');
  assert.deepEqual(r.msg.headers[r.msg.headers.length - 1], ['k', 'path']);
  assert.equal(r.msg.header('supported'), 'path');
  assert.equal(r.msg.header('content-length'), undefined, 'Content-Length is the model\'s, derived from the body');
});

test('responses: no Max-Forwards needed, the CSeq method becomes the kind', () => {
  const r = parseSip('SIP/2.0 486 Busy Here\r\n' + swapHeader('Max-Forwards', undefined).join('\r\n') + '\r\nContent-Length: 0\r\n\r\n');
  assert.ok(r.ok);
  assert.equal(r.msg.kind, '486 OPTIONS');
  assert.equal(r.fields.maxForwards, undefined);
  assert.equal(r.fields.requestUri, undefined);
});

test('huge and hostile inputs stay bounded: a 1 MB header value, header fields capped, a reason with 70 kB', () => {
  const big = parseSip(optionsRequest([...OPTIONS_HEADERS, 'X-Big: ' + 'a'.repeat(1 << 20)]));
  assert.ok(big.ok);
  // Content-Length makes the last field: OPTIONS_HEADERS + extra + 1 = MAX_HEADER_FIELDS is the most accepted.
  const extra = MAX_HEADER_FIELDS - OPTIONS_HEADERS.length - 1;
  const most = parseSip(optionsRequest([...OPTIONS_HEADERS, ...Array.from({ length: extra }, (_, i) => `X-H${i}: v`)]));
  assert.ok(most.ok, most.ok ? '' : most.error.reason);
  assert.equal(most.msg.headers.length, MAX_HEADER_FIELDS - 1);
  const many = parseSip(optionsRequest([...OPTIONS_HEADERS, ...Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v`)]));
  assert.ok(!many.ok);
  assert.equal(many.error.code, 'E_SIP_TOO_MANY_HEADERS');
  const long = parseSip(optionsRequest(swapHeader('CSeq', 'CSeq: ' + '9'.repeat(70_000) + ' OPTIONS')));
  assert.ok(!long.ok);
  assert.ok(long.error.reason.length < 300, 'the reason clips what it quotes');
});
