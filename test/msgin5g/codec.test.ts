import { test } from 'node:test';
import assert from 'node:assert/strict';
import { causeCode } from '../../sim/msgin5g/causes.ts';
import { parseHead, parseRequest, parseResponse, isParseError } from '../../sim/msgin5g/codec.ts';
import { DEREG, REG } from '../../sim/msgin5g/ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  RegistrationRequest,
  RegistrationResponse,
  problem,
} from '../../sim/msgin5g/messages.ts';
import { channel, directory } from './harness.ts';

const dir = directory(1000, { profileShare: 0.7 });
const ch = channel(dir);

test('what RegLab writes, its strict reader reads back the same (requests)', () => {
  const msgs = [
    new RegistrationRequest(ch, 17, 1, 2, 'urgent'),
    new RegistrationRequest(ch, 999, 1, 2, 'urgent'),
    new DeregistrationRequest(ch, 17, 1, 2, 'urgent'),
    new BulkRequest(REG, ch, Int32Array.of(1, 2, 3, 500), 1, 2, undefined),
    new BulkRequest(DEREG, ch, Int32Array.of(9, 8, 7), 1, 2, undefined),
  ];
  for (const m of msgs) {
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
  const reg = new RegistrationRequest(ch, 17, 1, 2, 'urgent');
  const dereg = new DeregistrationRequest(ch, 17, 1, 2, 'urgent');
  const bulk = new BulkRequest(REG, ch, Int32Array.of(1, 2, 3), 1, 2, undefined);
  const pairs: [RegistrationRequest | DeregistrationRequest | BulkRequest, RegistrationResponse | DeregistrationResponse | BulkResponse][] = [
    [reg, new RegistrationResponse(ch, 17, 1, 2, 201, 0, 0)],
    [reg, new RegistrationResponse(ch, 17, 1, 2, 403, causeCode('AUTHENTICATION_FAILED'), 0)],
    [dereg, new DeregistrationResponse(ch, 17, 1, 2, 404, causeCode('UNKNOWN_UE_SERVICE_ID'), 0)],
    [bulk, new BulkResponse(REG, ch, 200, bulk.subs, Uint8Array.of(0, causeCode('NOT_AUTHORISED'), 0), 1, 2, undefined)],
    [bulk, new BulkResponse(REG, ch, 503, bulk.subs, new Uint8Array(0), 1, 2, undefined, problem('SERVER_OVERLOADED', 503), undefined, 4)],
  ];
  for (const [req, res] of pairs) {
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
  const good = new RegistrationRequest(ch, 17, 1, 2, 'urgent').wire();
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
