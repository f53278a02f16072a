/**
 * RFC 4475 "SIP Torture Test Messages": all 49 messages, byte-exact from
 * /work/shared/testdata/rfc4475/, through parseSip (and, for the semantic cases, receiveSip), each
 * with the outcome its section asks of a receiver (the README table there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseSip, type ParseSuccess } from '../../sim/sip/parser.ts';
import { receiveSip, type ReceiverPolicy } from '../../sim/sip/receive.ts';
import type { SipErrorCode } from '../../sim/sip/parse-errors.ts';
import { isSipUri, unescape, uriParam, type SipUri } from '../../sim/sip/uri.ts';
import { param } from '../../sim/sip/headers.ts';

const DIR = '/work/shared/testdata/rfc4475/';

type Expect =
  /** Well formed: parsed; `check` asserts the facts the RFC names. */
  | { accept: (p: ParseSuccess) => void }
  /** A malformed request: the parser's verdict `reject` (400 or 505) with `code`; answered `answered` (default the same). */
  | { reject: 400 | 505; code: SipErrorCode; answered?: number | 'drop' }
  /** A malformed response: dropped, never answered. */
  | { drop: SipErrorCode }
  /** Parses, but a receiver in `policy` answers `status` (RFC 3261 §8.2 semantics). */
  | { answer: number; policy?: ReceiverPolicy; check?: (p: ParseSuccess) => void };

const sip = (p: ParseSuccess): SipUri => {
  assert.ok(p.fields.requestUri && isSipUri(p.fields.requestUri));
  return p.fields.requestUri;
};
const contactsOf = (p: ParseSuccess) => {
  assert.notEqual(p.fields.contacts, '*');
  return p.fields.contacts as Exclude<typeof p.fields.contacts, '*'>;
};

/** file → [RFC 4475 section, class, expectation]. */
const TABLE: Record<string, [string, string, Expect]> = {
  // §3.1.1 valid messages
  wsinv: ['3.1.1.1', 'V', { accept: (p) => {
    assert.equal(p.msg.method, 'INVITE');
    assert.equal(p.fields.maxForwards, 68, 'MaX-fOrWaRdS: 0068');
    assert.equal(p.fields.cseq.seq, 9, 'folded "cseq: 0009\\r\\n  INVITE"');
    assert.deepEqual(p.fields.via.map((v) => [v.transport, v.host, v.branch]), [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    assert.equal(param(p.fields.to.params, 'tag'), '1918181833n');
    assert.equal(p.fields.from.display, 'J Rosenberg \\"');
    assert.equal(param(p.fields.from.params, 'tag'), '98asjd8');
    const [c] = contactsOf(p);
    assert.equal(c.display, 'Quoted string ""');
    assert.equal(param(c.params, 'newparam'), 'newvalue');
    assert.equal(param(c.params, 'q'), '0.33');
    assert.equal(p.msg.header('NewFangledHeader'), 'newfangled value continued newfangled value');
    assert.equal(p.msg.header('s'), '', 'empty Subject');
    assert.equal(p.msg.body.length, 150);
  } }],
  intmeth: ['3.1.1.2', 'V', { answer: 501, check: (p) => {
    assert.equal(p.msg.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const u = sip(p);
    assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(p.fields.to.display, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    assert.equal(p.fields.callId, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    assert.equal(param(p.fields.from.params, "fromParam''~+*_!.-%"), '"работающий"');
  } }],
  esc01: ['3.1.1.3', 'V', { accept: (p) => {
    assert.equal(unescape(sip(p).user!), 'sips:user@example.com');
    assert.equal(unescape((p.fields.to.uri as SipUri).user!), 'user');
    assert.equal(unescape((p.fields.from.uri as SipUri).user!), 'I have spaces');
    const c = contactsOf(p)[0].uri as SipUri;
    assert.deepEqual(c.params.map(([n, v]) => [unescape(n), v === undefined ? undefined : unescape(v)]), [['lr', undefined], ['name', 'value%41']]);
  } }],
  escnull: ['3.1.1.4', 'V', { accept: (p) => {
    assert.equal(unescape((p.fields.to.uri as SipUri).user!), 'null-\x00-null');
    assert.deepEqual(contactsOf(p).map((c) => unescape((c.uri as SipUri).user!)), ['\x00', '\x00\x00']);
  } }],
  esc02: ['3.1.1.5', 'V', { answer: 501, check: (p) => {
    assert.equal(p.msg.method, 'RE%47IST%45R', 'the method is not unescaped: it is not REGISTER');
    assert.notEqual(p.msg.method, 'REGISTER');
    assert.equal(contactsOf(p).length, 2, 'C%6Fntact is an unknown header, not a third Contact');
    assert.equal(p.fields.to.display, '%Z%45');
    assert.equal(p.msg.header('C%6Fntact'), '<sip:alias2@host2.example.com>');
  } }],
  lwsdisp: ['3.1.1.6', 'V', { accept: (p) => assert.equal(p.fields.from.display, 'caller') }],
  longreq: ['3.1.1.7', 'V', { accept: (p) => {
    assert.ok(p.fields.callId.length > 100);
    assert.equal((p.fields.to.uri as SipUri).port, 6000);
    assert.ok(param(p.fields.from.params, 'tag')!.length > 150);
    assert.ok(p.fields.via.length >= 30, `${p.fields.via.length} Vias`);
    assert.equal(p.msg.body.length, p.fields.contentLength);
  } }],
  dblreq: ['3.1.1.8', 'V', { accept: (p) => {
    assert.equal(p.msg.method, 'REGISTER');
    assert.equal(p.msg.body, '');
    assert.ok(p.trailingBytes > 300, 'the INVITE that follows on the datagram is ignored');
  } }],
  semiuri: ['3.1.1.9', 'V', { accept: (p) => {
    const u = sip(p);
    assert.equal(u.user, 'user;par=u%40example.net');
    assert.equal(unescape(u.user!), 'user;par=u@example.net');
    assert.equal(u.host, 'example.com');
    assert.deepEqual(u.params, []);
  } }],
  transports: ['3.1.1.10', 'V', { accept: (p) => assert.deepEqual(p.fields.via.map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']) }],
  mpart01: ['3.1.1.11', 'V', { accept: (p) => {
    assert.equal(p.fields.contentLength, 553);
    assert.ok(p.msg.bodyBytes !== undefined, 'binary body kept as bytes');
    assert.equal(p.msg.bodyBytes!.length, 553);
    assert.ok(p.msg.bodyBytes!.includes(0), 'the binary part holds NUL bytes');
    assert.equal(p.msg.bytes, p.consumed, 'exact size with a binary body');
  } }],
  unreason: ['3.1.1.12', 'V,R', { accept: (p) => {
    assert.equal(p.msg.status, 200);
    assert.equal(p.msg.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  } }],
  noreason: ['3.1.1.13', 'V,R', { accept: (p) => {
    assert.equal(p.msg.status, 100);
    assert.equal(p.msg.reason, '');
  } }],
  // §3.1.2 invalid messages
  // "should respond 400": its only Via is malformed, so a 400 could not be routed back (RFC 3261
  // §18.2.2) and would not be well formed; the receiver drops it, saying why (docs/sip.md).
  badinv01: ['3.1.2.1', 'I', { reject: 400, code: 'E_SIP_BAD_VIA', answered: 'drop' }],
  clerr: ['3.1.2.2', 'I', { reject: 400, code: 'E_SIP_BAD_CONTENT_LENGTH' }],
  ncl: ['3.1.2.3', 'I', { reject: 400, code: 'E_SIP_BAD_CONTENT_LENGTH' }],
  scalar02: ['3.1.2.4', 'I', { reject: 400, code: 'E_SIP_BAD_CSEQ' }],
  scalarlg: ['3.1.2.5', 'I,R', { drop: 'E_SIP_BAD_CSEQ' }],
  quotbal: ['3.1.2.6', 'I', { reject: 400, code: 'E_SIP_BAD_TO' }],
  ltgtruri: ['3.1.2.7', 'I', { reject: 400, code: 'E_SIP_BAD_REQUEST_URI' }],
  lwsruri: ['3.1.2.8', 'I', { reject: 400, code: 'E_SIP_BAD_START_LINE' }],
  lwsstart: ['3.1.2.9', 'I', { reject: 400, code: 'E_SIP_BAD_START_LINE' }],
  trws: ['3.1.2.10', 'I', { reject: 400, code: 'E_SIP_BAD_START_LINE' }],
  escruri: ['3.1.2.11', 'I', { reject: 400, code: 'E_SIP_BAD_REQUEST_URI' }],
  // "should not reject unless Date matters": Date is not one RegLab reads, so it is accepted.
  baddate: ['3.1.2.12', 'I', { accept: (p) => assert.equal(p.msg.header('date'), 'Fri, 01 Jan 2010 16:00:00 EST') }],
  regbadct: ['3.1.2.13', 'I', { reject: 400, code: 'E_SIP_BAD_CONTACT' }],
  badaspec: ['3.1.2.14', 'I', { reject: 400, code: 'E_SIP_BAD_TO' }],
  baddn: ['3.1.2.15', 'I', { reject: 400, code: 'E_SIP_BAD_FROM' }],
  badvers: ['3.1.2.16', 'I', { reject: 505, code: 'E_SIP_BAD_VERSION' }],
  mismatch01: ['3.1.2.17', 'I', { reject: 400, code: 'E_SIP_CSEQ_MISMATCH' }],
  // "501 (400 acceptable)": the parser's verdict is 400; the receiver, not implementing NEWMETHOD, answers 501.
  mismatch02: ['3.1.2.18', 'I', { reject: 400, code: 'E_SIP_CSEQ_MISMATCH', answered: 501 }],
  bigcode: ['3.1.2.19', 'I,R', { drop: 'E_SIP_BAD_STATUS' }],
  // §3.2 transaction layer semantics
  badbranch: ['3.2.1', 'S', { accept: (p) => assert.equal(p.fields.via[0].branch, 'z9hG4bK') }],
  // §3.3 application layer semantics
  insuf: ['3.3.1', 'S', { reject: 400, code: 'E_SIP_MISSING_HEADER' }],
  unkscm: ['3.3.2', 'S', { answer: 416, check: (p) => {
    assert.deepEqual(p.unsupportedSchemes, [{ field: 'Request-URI', scheme: 'nobodyknowsthisscheme' }]);
  } }],
  novelsc: ['3.3.3', 'S', { answer: 416, check: (p) => {
    assert.deepEqual(p.unsupportedSchemes, [{ field: 'Request-URI', scheme: 'soap.beep' }]);
  } }],
  unksm2: ['3.3.4', 'S', { answer: 400, policy: { role: 'registrar' }, check: (p) => {
    assert.deepEqual(p.unsupportedSchemes.map((u) => `${u.field}:${u.scheme}`), ['To:isbn', 'From:http', 'Contact:name']);
  } }],
  bext01: ['3.3.5', 'S', { answer: 420 }],
  invut: ['3.3.6', 'S', { answer: 415 }],
  regaut01: ['3.3.7', 'S', { accept: (p) => assert.equal(p.msg.header('authorization'), 'NoOneKnowsThisScheme opaque-data=here') }],
  multi01: ['3.3.8', 'S', { reject: 400, code: 'E_SIP_DUPLICATE_HEADER' }],
  mcl01: ['3.3.9', 'S', { reject: 400, code: 'E_SIP_BAD_CONTENT_LENGTH' }],
  bcast: ['3.3.10', 'S,R', { accept: (p) => assert.equal(p.fields.via[1].host, '255.255.255.255') }],
  zeromf: ['3.3.11', 'S', { answer: 483, policy: { role: 'proxy' }, check: (p) => assert.equal(p.fields.maxForwards, 0) }],
  cparam01: ['3.3.12', 'S', { accept: (p) => {
    const [c] = contactsOf(p);
    assert.equal(c.angle, false);
    assert.equal(param(c.params, 'unknownparam'), '', 'a Contact (header) parameter');
    assert.equal(uriParam(c.uri as SipUri, 'unknownparam'), undefined);
  } }],
  cparam02: ['3.3.13', 'S', { accept: (p) => {
    const [c] = contactsOf(p);
    assert.equal(param(c.params, 'unknownparam'), undefined);
    assert.equal(uriParam(c.uri as SipUri, 'unknownparam'), '', 'a URI parameter, inside <>');
  } }],
  regescrt: ['3.3.14', 'S', { accept: (p) => {
    const [c] = contactsOf(p);
    assert.equal(c.uriText, 'sip:user@example.com?Route=%3Csip:sip.example.com%3E', 'stored as is');
    assert.deepEqual((c.uri as SipUri).headers, [['Route', '%3Csip:sip.example.com%3E']]);
  } }],
  sdp01: ['3.3.15', 'S', { answer: 406 }],
  inv2543: ['3.4.1', 'S', { accept: (p) => {
    assert.equal(p.fields.maxForwards, undefined);
    assert.equal(p.fields.via[0].branch, '');
    assert.equal(p.fields.contentLength, undefined);
    assert.ok(p.msg.body.startsWith('v=0'));
  } }],
};

test('the table covers all 49 RFC 4475 messages, and only them', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.dat')).map((f) => f.slice(0, -4)).sort();
  assert.equal(files.length, 49);
  assert.deepEqual(Object.keys(TABLE).sort(), files);
});

for (const [file, [section, cls, expect]] of Object.entries(TABLE)) {
  test(`RFC 4475 §${section} ${file} (${cls})`, () => {
    const bytes = readFileSync(`${DIR}${file}.dat`);
    const r = parseSip(bytes);
    if ('accept' in expect) {
      assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.reason}`);
      expect.accept(r);
      if (r.msg.isRequest) {
        const rec = receiveSip(bytes);
        assert.equal(rec.kind, 'accept', rec.kind === 'reject' ? rec.why : '');
      }
    } else if ('reject' in expect) {
      assert.ok(!r.ok, 'must not parse');
      assert.equal(r.error.code, expect.code, r.error.reason);
      assert.equal(r.error.status, expect.reject);
      assert.equal(r.error.isResponse, false);
      assert.ok(r.error.reason.length > 10);
      const rec = receiveSip(bytes);
      if (expect.answered === 'drop') assert.equal(rec.kind, 'drop');
      else {
        assert.equal(rec.kind, 'reject', rec.kind === 'accept' ? '' : rec.why);
        assert.equal(rec.kind === 'reject' && rec.answer.status, expect.answered ?? expect.reject);
        // the answer is well formed: it parses back (issue 11 item 7)
        assert.ok(rec.kind === 'reject' && parseSip(rec.answer.wire()).ok, rec.kind === 'reject' ? rec.answer.wire() : '');
      }
    } else if ('drop' in expect) {
      assert.ok(!r.ok, 'must not parse');
      assert.equal(r.error.code, expect.drop, r.error.reason);
      assert.equal(r.error.isResponse, true);
      assert.equal(receiveSip(bytes).kind, 'drop', 'a response is never answered');
    } else {
      assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.reason}`);
      expect.check?.(r);
      const rec = receiveSip(bytes, expect.policy);
      assert.equal(rec.kind, 'reject');
      assert.equal(rec.kind === 'reject' && rec.answer.status, expect.answer, rec.kind === 'reject' ? rec.why : '');
    }
  });
}
