// The lab's Warning header (RFC 3261 §20.43): reasons often quote what a peer sent — quotes,
// backslashes, control characters — and the answer must still parse (warn-text is a quoted-string).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warning } from '../../sim/emulate/wire-network.ts';
import { parseSip } from '../../sim/sip/parser.ts';

test('Warning texts quoting the peer’s input are escaped: the answer parses and the text reads back', () => {
  const reason = 'Route \'<sip:x>;a="b\\c"\' is not <sip:host:5060;lr>\r\nInjected: 1\x00';
  const w = warning('icscf', reason);
  assert.match(w, /^399 icscf "[^\r\n\x00]*"$/);
  const text = `SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKw\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: w1\r\nCSeq: 1 REGISTER\r\nWarning: ${w}\r\nContent-Length: 0\r\n\r\n`;
  const p = parseSip(text);
  assert.ok(p.ok, p.ok ? '' : p.error.reason);
  assert.equal(p.msg.headerAll('warning').length, 1, 'one Warning header, nothing injected');
  assert.equal(p.msg.header('injected'), undefined);
  // Unquoting the quoted-string gives the reason back, control characters shown as \xNN.
  const quoted = /"(.*)"$/.exec(w)![1].replace(/\\(.)/g, '$1');
  assert.equal(quoted, reason.replace(/\r/g, 'x0d').replace(/\n/g, 'x0a').replace(/\x00/g, 'x00'));
});
