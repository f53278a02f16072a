/**
 * Fuzz targets for the MSGin5G codec (issue 11 acceptance): mutated HTTP heads and structurally
 * mutated JSON bodies of every request and response RegLab writes, through the strict reader
 * (codec.ts) and the IE checks (validate.ts). Properties: nothing throws, every case under its
 * CPU-time bound, a refusal has a 4xx status and a short detail, and what is read and judged
 * well formed re-renders into text the reader reads back the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest, parseResponse, isParseError } from '../../sim/msgin5g/codec.ts';
import { checkBulk, checkBulkResponse, checkEntry, checkResultEntry } from '../../sim/msgin5g/validate.ts';
import { DEREG, REG } from '../../sim/msgin5g/ies.ts';
import { BulkRequest, BulkResponse, RegistrationRequest, type Msgin5gRequest } from '../../sim/msgin5g/messages.ts';
import { channel, directory } from '../msgin5g/harness.ts';
import { sampleExchanges } from '../msgin5g/samples.ts';
import { runFuzz, mutateText, mutateJson, pick, type Prng } from './fuzz-kit.ts';

const dir = directory(1000, { profileShare: 0.7 });
const ch = channel(dir);

const samples = sampleExchanges(ch);
const REQUESTS: Msgin5gRequest[] = samples.requests;
const RESPONSES: [Msgin5gRequest, string][] = samples.answers.map(([req, res]) => [req, res.wire()]);

const HTTP_DICTIONARY = [
  'Content-Length: ', 'Content-Type: application/json', 'Content-Type: application/problem+json', 'Authorization: Bearer ', 'Host: ',
  'Retry-After: ', 'POST ', 'DELETE ', 'GET ', ' HTTP/1.1', 'HTTP/1.1 200 OK', '/reglab-msgin5g/v1/registrations', '/registrations/',
  '/bulk-registrations', '/bulk-deregistrations', '%', '%zz', '%E0%A4%A', '\r\n', '\r\n\r\n', ': ', '{', '}', '[', ']', '"', ',', 'null',
  '"__proto__":', '"constructor":', '1e999', '-1', '99999999999999999999',
];
const IE_KEYS = [
  'ueServiceId', 'ueCredential', 'clientProfile', 'triggeringInfo', 'ports', 'protocol', 'communicationAvailability', 'periodicity',
  'duration', 'maxSegmentSize', 'bulkRegistrationIndicator', 'bulkDeregistrationIndicator', 'numberOfRequests', 'requests',
  'registrationResult', 'deregistrationResult', 'failureCause', 'responses', 'numberOfResponses', 'bulkRegistrationResponseIndicator',
];
const IE_VALUES = ['SUCCESS', 'FAILURE', 'MALFORMED_REQUEST', 'NOT_A_CAUSE', 'ue-1', 'a/b', '', true, 0, 4, 65536, [1, 2], { periodicity: 0 }];

/** The message with its body replaced, Content-Length kept right (so the JSON, not the framing, is what breaks). */
function withBody(wire: string, body: string): string {
  const end = wire.indexOf('\r\n\r\n');
  const head = wire.slice(0, end).replace(/Content-Length: \d+/i, `Content-Length: ${Buffer.byteLength(body)}`);
  return `${head}\r\n\r\n${body}`;
}

/** A mutation of an HTTP message: its text, its JSON body's structure, or both. */
function mutateHttp(rng: Prng, wire: string): string {
  const end = wire.indexOf('\r\n\r\n');
  const body = wire.slice(end + 4);
  const mode = rng.int(3);
  let out = wire;
  if (mode !== 0 && body.length > 0) {
    const v = mutateJson(rng, JSON.parse(body), { keys: IE_KEYS, values: IE_VALUES });
    out = withBody(wire, JSON.stringify(v) ?? '');
  }
  if (mode !== 1) out = mutateText(rng, out, { dictionary: HTTP_DICTIONARY, maxLength: 200_000 });
  return out;
}

/** A refusal: a 4xx status, a known cause, a detail that says something and stays short. */
function checkRefusal(p: { status: number; cause: string; detail: string }): void {
  assert.ok(p.status >= 400 && p.status < 500, `status ${p.status}`);
  assert.ok(p.detail.length > 0 && p.detail.length <= 400, `a detail of ${p.detail.length} chars`);
}

test('fuzz msgin5g-request: mutated requests are read or refused with a 4xx; what is well formed reads back the same', async () => {
  await runFuzz({
    name: 'msgin5g-request',
    cases: 400,
    timeBoundMs: 250,
    generate: (rng) => mutateHttp(rng, pick(rng, REQUESTS).wire()),
    check: (text) => {
      const p = parseRequest(text, dir, 'gw', 1, 0);
      if (isParseError(p)) return checkRefusal(p);
      // The server's judgement of the IEs (validate.ts) never throws, and a refusal says what is wrong briefly.
      let fault: string | undefined;
      if (p instanceof BulkRequest) {
        const b = checkBulk(p.op, p.body());
        fault = b?.detail;
        if (!b) for (const e of (p.body() as { requests: unknown[] }).requests) fault ??= checkEntry(p.op, e);
      } else fault = checkEntry(p instanceof RegistrationRequest ? REG : DEREG, p.body());
      if (fault !== undefined) {
        assert.ok(fault.length <= 400, `a detail of ${fault.length} chars: ${fault.slice(0, 100)}…`);
        return;
      }
      // Well formed: RegLab's rendering of what it read is read back the same.
      const again = parseRequest(p.wire(), dir, 'gw', 1, 0);
      assert.ok(!isParseError(again), `re-rendered request refused: ${JSON.stringify(again).slice(0, 300)}`);
      assert.equal(again.constructor, p.constructor);
      assert.deepEqual(again.body(), p.body());
    },
  });
});

test('fuzz msgin5g-response: mutated responses are read or refused with a 4xx, never a crash', async () => {
  await runFuzz({
    name: 'msgin5g-response',
    cases: 300,
    timeBoundMs: 250,
    generate: (rng) => {
      const [req, wire] = pick(rng, RESPONSES);
      return { req, text: mutateHttp(rng, wire) };
    },
    show: (x) => JSON.stringify(x.text.slice(0, 300)),
    check: ({ req, text }) => {
      const p = parseResponse(text, req);
      if (isParseError(p)) return checkRefusal(p);
      assert.equal(typeof p.status, 'number');
      p.wire(); // renders without throwing
      if (p instanceof BulkResponse) {
        const body = p.body() as { responses?: unknown[] };
        const fault = checkBulkResponse(p.op, body, undefined);
        if (fault !== undefined) assert.ok(fault.length <= 400, `a detail of ${fault.length} chars`);
        else for (const e of body.responses ?? []) {
          const f = checkResultEntry(p.op, e);
          if (f !== undefined) assert.ok(f.length <= 400, `a detail of ${f.length} chars`);
        }
      }
    },
  });
});
