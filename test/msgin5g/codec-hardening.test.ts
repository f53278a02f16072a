/** Found by the MSGin5G fuzz target (issue 11): a non-object response body crashed the reader; refusals quoted whole hostile IEs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest, parseResponse, isParseError } from '../../sim/msgin5g/codec.ts';
import { checkBulk, checkResultEntry, checkServiceId } from '../../sim/msgin5g/validate.ts';
import { REG } from '../../sim/msgin5g/ies.ts';
import { RegistrationRequest, RegistrationResponse } from '../../sim/msgin5g/messages.ts';
import { channel, directory } from './harness.ts';

const dir = directory(100);
const ch = channel(dir);

test('a response whose JSON body is not an object is refused with 400, not a crash', () => {
  const req = new RegistrationRequest(ch, 17, 1, 2, 'urgent');
  const good = new RegistrationResponse(ch, 17, 1, 2, 403, 3, 0).wire();
  const end = good.indexOf('\r\n\r\n');
  for (const body of ['""', '0', '[]', 'null', '"SUCCESS"']) {
    const text = good.slice(0, end).replace(/Content-Length: \d+/, `Content-Length: ${body.length}`) + '\r\n\r\n' + body;
    const p = parseResponse(text, req);
    assert.ok(isParseError(p), `${body}: accepted`);
    assert.equal(p.status, 400);
    assert.match(p.detail, /not a JSON object/);
  }
});

test('refusals quote a hostile IE value or key cut short', () => {
  const huge = { a: 'x'.repeat(10_000) };
  assert.ok(checkServiceId(huge)!.length < 300);
  assert.ok(checkBulk(REG, { bulkRegistrationIndicator: huge })!.detail.length < 300);
  assert.ok(checkBulk(REG, { ['k'.repeat(10_000)]: 1 })!.detail.length < 300);
  assert.ok(checkResultEntry(REG, { ueServiceId: 'ue', registrationResult: huge })!.length < 300);
  assert.ok(checkResultEntry(REG, { ueServiceId: 'ue', registrationResult: 'FAILURE', failureCause: huge })!.length < 300);
});

test('a refusal of the head quotes a huge Content-Type, Content-Length or method cut short', () => {
  const good = new RegistrationRequest(ch, 17, 1, 2, 'urgent').wire();
  const cases = [
    good.replace('Content-Type: application/json', 'Content-Type: ' + 'json'.repeat(10_000)),
    good.replace(/Content-Length: \d+/, 'Content-Length: ' + '2'.repeat(10_000)),
    good.replace('POST /reglab-msgin5g/v1/registrations', 'P'.repeat(10_000) + ' /reglab-msgin5g/v1/registrations'),
  ];
  for (const text of cases) {
    const p = parseRequest(text, dir, 'gw', 1, 0);
    assert.ok(isParseError(p));
    assert.ok(p.detail.length <= 300, `a detail of ${p.detail.length} chars`);
  }
});
