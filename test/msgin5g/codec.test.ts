import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHead, parseRequest, parseResponse, isParseError } from '../../sim/msgin5g/codec.ts';
import { REG } from '../../sim/msgin5g/ies.ts';
import { BulkRequest, BulkResponse, DeregistrationRequest, type RegistrationResponse } from '../../sim/msgin5g/messages.ts';
import { channel, directory } from './harness.ts';
import { sampleExchanges } from './samples.ts';

const dir = directory(1000, { profileShare: 0.7 });
const ch = channel(dir);

const samples = sampleExchanges(ch);

test('what RegLab writes, its strict reader reads back the same (requests)', () => {
  for (const m of samples.requests) {
    const p = parseRequest(m.wire(), dir, 'gw', m.tx, m.conn);
    assert.ok(!isParseError(p), `${m.kind}: ${JSON.stringify(p)}`);
    assert.equal(p.constructor, m.constructor);
    assert.deepEqual(p.body(), m.body());
    assert.equal(p.bytes, m.bytes, `${m.kind}: re-rendered size`);
    assert.equal(p.ch.token, ch.token);
    if (p instanceof BulkRequest) assert.deepEqual(Array.from(p.subs), Array.from((m as BulkRequest).subs));
    else assert.equal(p.sub, m.sub);
  }
});

test('what RegLab writes, its strict reader reads back the same (responses)', () => {
  for (const [req, res] of samples.answers) {
    const p = parseResponse(res.wire(), req);
    assert.ok(!isParseError(p), JSON.stringify(p));
    assert.deepEqual(p.body(), res.body());
    assert.equal(p.status, res.status);
    assert.equal(p.bytes, res.bytes);
    assert.equal(p.retryAfterS, res.retryAfterS);
    if (!(p instanceof BulkResponse)) assert.equal(p.success, (res as RegistrationResponse).success);
  }
});

test('the reader refuses broken HTTP with a status, a cause and what is wrong', () => {
  const good = samples.requests[0]!.wire(); // an individual registration
  const cases: [string, number, RegExp][] = [
    [good.replace('\r\n\r\n', '\r\n'), 400, /empty line/],
    [good.replace('HTTP/1.1', 'HTTP/2.0'), 400, /request line/],
    [good.replace(/Content-Length: \d+/, 'Content-Length: 3'), 400, /Content-Length says 3/],
    [good.replace(/Content-Length: \d+\r\n/, ''), 411, /without Content-Length/],
    [good.replace(/Content-Length: (\d+)/, 'Content-Length: $1\r\nContent-Length: $1'), 400, /more than once/],
    [good.replace('Content-Type: application/json', 'Content-Type: text/plain'), 415, /Content-Type/],
    [good.replace('/registrations', '/registrationz'), 404, /no resource/],
    [good.replace('POST /reglab-msgin5g/v1/registrations', 'PUT /reglab-msgin5g/v1/registrations'), 405, /only POST/],
    [good.replace('Host: server:8080', 'Host server:8080'), 400, /header line/],
  ];
  for (const [text, status, re] of cases) {
    const p = parseRequest(text, dir, 'gw', 1, 0);
    assert.ok(isParseError(p), `accepted: ${re}`);
    assert.equal(p.status, status, `${re}`);
    assert.match(p.detail, re);
  }
  // Malformed JSON, with a correct Content-Length.
  const body = '{"ueServiceId": "ue1@msgin5g.example.net",';
  const text = good.slice(0, good.indexOf('\r\n\r\n') + 4).replace(/Content-Length: \d+/, `Content-Length: ${body.length}`) + body;
  const p = parseRequest(text, dir, 'gw', 1, 0);
  assert.ok(isParseError(p));
  assert.equal(p.cause, 'MALFORMED_REQUEST');
  assert.match(p.detail, /not JSON/);
});

test('the reader keeps what a request says, even when it breaks the tables: judging it is the server’s job', () => {
  const body = JSON.stringify({ bulkRegistrationIndicator: true, numberOfRequests: 3, requests: [{ ueCredential: 'x' }, { ueServiceId: 'ue5@msgin5g.example.net', ueCredential: 'y' }] });
  const head = new BulkRequest(REG, ch, Int32Array.of(1), 1, 0, undefined).wire();
  const text = head.slice(0, head.indexOf('\r\n\r\n') + 4).replace(/Content-Length: \d+/, `Content-Length: ${body.length}`) + body;
  const p = parseRequest(text, dir, 'gw', 1, 0);
  assert.ok(p instanceof BulkRequest);
  assert.deepEqual(Array.from(p.subs), [-1, 5]);
  assert.equal((p.body() as { numberOfRequests: number }).numberOfRequests, 3);
  const h = parseHead('DELETE /reglab-msgin5g/v1/registrations/ HTTP/1.1\r\nHost: s\r\n\r\n', 'request');
  assert.ok(!isParseError(h));
  const d = parseRequest('DELETE /reglab-msgin5g/v1/registrations/ HTTP/1.1\r\nHost: s\r\n\r\n', dir, 'gw', 1, 0);
  assert.ok(d instanceof DeregistrationRequest);
  assert.deepEqual(d.body(), {}, 'a DELETE naming no UE Service ID has none');
});
