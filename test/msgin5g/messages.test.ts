import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomStream } from '../../sim/kernel/random.ts';
import { CAUSE_LIST, causeCode } from '../../sim/msgin5g/causes.ts';
import { ENCODING_HEADER, ENCODING_LABEL } from '../../sim/msgin5g/http.ts';
import { DEREG, REG } from '../../sim/msgin5g/ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  ProblemResponse,
  RawHttpRequest,
  RegistrationRequest,
  RegistrationResponse,
  UeAuthRequest,
  UeAuthResponse,
  problem,
} from '../../sim/msgin5g/messages.ts';
import { IdTemplate, UeDirectory } from '../../sim/msgin5g/ue-directory.ts';
import { channel, directory } from './harness.ts';

const UES = [0, 1, 9, 10, 99, 100, 999, 12345, 99999, 100000, 999999];

/** Every message's `bytes` is the exact length of its wire text, and its head says so. */
function checkExact(m: { bytes: number; wire(): string; kind: string }): void {
  const w = m.wire();
  assert.equal(m.bytes, Buffer.byteLength(w), `${m.kind}: bytes ${m.bytes} vs wire ${Buffer.byteLength(w)}\n${w}`);
  const [head, body] = [w.slice(0, w.indexOf('\r\n\r\n')), w.slice(w.indexOf('\r\n\r\n') + 4)];
  assert.ok(head.includes(`\r\n${ENCODING_HEADER}: ${ENCODING_LABEL}`), `${m.kind}: non-standard label missing`);
  const cl = /\r\nContent-Length: (\d+)/.exec(head);
  if (cl) assert.equal(Number(cl[1]), Buffer.byteLength(body), `${m.kind}: Content-Length`);
  else assert.equal(body, '', `${m.kind}: a body without Content-Length`);
  if (body) JSON.parse(body);
}

const DIRS: [string, UeDirectory][] = [
  ['default', directory(1_000_000)],
  ['no profiles', directory(1_000_000, { profileShare: 0 })],
  ['all profiles, padded ids', directory(1_000_000, { profileShare: 1, serviceIdTemplate: 'nmue-{n:8}.gw1@operator.example', triggerIdTemplate: 'ext-{n}@iot.example' })],
  ['bad credentials', directory(1_000_000, { badCredentialShare: 0.5, profileShare: 1 })],
];

test('individual registration and de-registration: exact bytes for every UE shape, profile and status', () => {
  for (const [name, dir] of DIRS) {
    const ch = channel(dir);
    for (const ue of UES) {
      checkExact(new RegistrationRequest(ch, ue, 7, 3, 'urgent'));
      checkExact(new DeregistrationRequest(ch, ue, 7, 3, 'bulking-off'));
      for (const [status, cause] of [
        [201, 0],
        [200, 0],
        [403, causeCode('AUTHENTICATION_FAILED')],
        [404, causeCode('UNKNOWN_UE_SERVICE_ID')],
        [503, causeCode('SERVER_OVERLOADED')],
      ]) {
        checkExact(new RegistrationResponse(ch, ue, 1, 0, status, cause, 0, undefined, status === 503 ? 2 : undefined));
        checkExact(new DeregistrationResponse(ch, ue, 1, 0, status, cause, 0, undefined, status === 503 ? 12 : undefined));
      }
    }
    assert.ok(true, name);
  }
});

test('bulk requests and responses: exact bytes for sizes 1 to 1000 with mixed results', () => {
  const rng = new RandomStream(3, 'msgin5g-bytes');
  for (const [, dir] of DIRS) {
    const ch = channel(dir);
    for (const n of [1, 2, 9, 10, 11, 100, 1000]) {
      const subs = Int32Array.from({ length: n }, () => rng.int(1_000_000));
      for (const op of [REG, DEREG] as const) {
        checkExact(new BulkRequest(op, ch, subs, 1, 0, { maxSize: 1000, minSize: 2 }));
        const results = Uint8Array.from({ length: n }, () => (rng.chance(0.3) ? 1 + rng.int(6) : 0));
        checkExact(new BulkResponse(op, ch, 200, subs, results, 1, 0, new Uint8Array(n)));
        checkExact(new BulkResponse(op, ch, 503, subs, new Uint8Array(0), 1, 0, undefined, problem('SERVER_OVERLOADED', 503, 'queue full'), undefined, 1));
        // An entry that named no known UE echoes what it named, or nothing.
        const echo: (string | null | undefined)[] = new Array(n).fill(undefined);
        echo[0] = null;
        if (n > 1) echo[n - 1] = 'nobody@example.net';
        const s2 = subs.slice();
        s2[0] = -1;
        if (n > 1) s2[n - 1] = -1;
        checkExact(new BulkResponse(op, ch, 200, s2, results, 1, 0, new Uint8Array(n), undefined, echo));
      }
    }
  }
});

test('per-UE authentication, raw text and problem responses: exact bytes', () => {
  const dir = directory(1_000_000);
  const ch = channel(dir);
  for (const ue of UES) {
    checkExact(new UeAuthRequest({ ...ch, token: undefined }, ue, 3, 0, 1, REG, 0xdeadbeef));
    checkExact(new UeAuthResponse(ch, ue, 3, 0, 1, DEREG, UeDirectory.challengeResponse(dir.gatewayCredential(ue), 77)));
  }
  for (const c of CAUSE_LIST) checkExact(new ProblemResponse(400, problem(c, 400, 'détail with ünïcode'), 1, 0));
  const raw = new RawHttpRequest('POST /x HTTP/1.1\r\nHost: é\r\n\r\n', 1, 0);
  assert.equal(raw.bytes, Buffer.byteLength(raw.wire()));
});

test('explicit IEs (parsed or test input) are sized by rendering them', () => {
  const dir = directory(100);
  const ch = channel(dir);
  const m = new RegistrationRequest(ch, -1, 1, 0, 'test', { ueServiceId: 'ünknown@x', ueCredential: 'c' });
  checkExact(m);
  const b = new BulkRequest(REG, ch, new Int32Array(2), 1, 0, undefined, { bulkRegistrationIndicator: true, numberOfRequests: 3, requests: [{}, { ueServiceId: 'ue1@msgin5g.example.net' }] });
  checkExact(b);
  assert.equal(b.entries, 2, 'entries counts the list, not the (wrong) count IE');
  checkExact(new RegistrationResponse(ch, 5, 1, 0, 201, 0, 0, undefined, undefined, { ueServiceId: 'ue5@msgin5g.example.net', registrationResult: 'SUCCESS' }));
});

test('each message carries exactly its table IEs', () => {
  const dir = directory(1000, { profileShare: 1 });
  const ch = channel(dir);
  // Table 8.2.3-1: UE Service ID (M), UE credential information (M), MSGin5G Client Profile (O).
  assert.deepEqual(Object.keys(new RegistrationRequest(ch, 42, 1, 0, 'urgent').body()), ['ueServiceId', 'ueCredential', 'clientProfile']);
  const noProfile = channel(directory(1000, { profileShare: 0 }));
  assert.deepEqual(Object.keys(new RegistrationRequest(noProfile, 42, 1, 0, 'urgent').body()), ['ueServiceId', 'ueCredential']);
  // Table 8.2.4-1: UE Service ID only — the DELETE's resource; no body on the wire.
  const d = new DeregistrationRequest(ch, 42, 1, 0, 'urgent');
  assert.deepEqual(d.body(), { ueServiceId: 'ue42@msgin5g.example.net' });
  assert.match(d.wire(), /^DELETE \/reglab-msgin5g\/v1\/registrations\/ue42@msgin5g\.example\.net HTTP\/1\.1\r\n/);
  assert.ok(d.wire().endsWith('\r\n\r\n'));
  // Table 8.2.1-4 / 8.2.4-2: UE Service ID, result, Failure Cause only on failure.
  assert.deepEqual(new RegistrationResponse(ch, 42, 1, 0, 201, 0, 0).body(), { ueServiceId: 'ue42@msgin5g.example.net', registrationResult: 'SUCCESS' });
  assert.deepEqual(new DeregistrationResponse(ch, 42, 1, 0, 404, causeCode('UNKNOWN_UE_SERVICE_ID'), 0).body(), {
    ueServiceId: 'ue42@msgin5g.example.net',
    deregistrationResult: 'FAILURE',
    failureCause: 'UNKNOWN_UE_SERVICE_ID',
  });
  // Tables 8.2.X-1 / 8.2.X-2: indicator, count, list.
  const subs = Int32Array.of(3, 1, 2);
  assert.deepEqual(Object.keys(new BulkRequest(REG, ch, subs, 1, 0, undefined).body()), ['bulkRegistrationIndicator', 'numberOfRequests', 'requests']);
  assert.deepEqual(Object.keys(new BulkRequest(DEREG, ch, subs, 1, 0, undefined).body()), ['bulkDeregistrationIndicator', 'numberOfRequests', 'requests']);
  const r = new BulkResponse(REG, ch, 200, subs, Uint8Array.of(0, causeCode('NOT_AUTHORISED'), 0), 1, 0, undefined).body() as { responses: unknown[] };
  assert.deepEqual(Object.keys(r), ['bulkRegistrationResponseIndicator', 'numberOfResponses', 'responses']);
  assert.deepEqual(r.responses[1], { ueServiceId: 'ue1@msgin5g.example.net', registrationResult: 'FAILURE', failureCause: 'NOT_AUTHORISED' });
  // A 201 names the created resource; a 503 says when to retry.
  assert.match(new RegistrationResponse(ch, 42, 1, 0, 201, 0, 0).wire(), /\r\nLocation: \/reglab-msgin5g\/v1\/registrations\/ue42@msgin5g\.example\.net\r\n/);
  assert.match(new RegistrationResponse(ch, 42, 1, 0, 503, causeCode('SERVER_OVERLOADED'), 0, undefined, 3).wire(), /\r\nRetry-After: 3\r\n/);
});

test('a bulk is one message: entries = n, subs = the n UEs, sub = -1; response kinds show the status', () => {
  const ch = channel(directory(1000));
  const subs = Int32Array.of(5, 6, 7, 8);
  const b = new BulkRequest(REG, ch, subs, 1, 0, undefined);
  assert.equal(b.entries, 4);
  assert.equal(b.sub, -1);
  assert.deepEqual(Array.from(b.subs), [5, 6, 7, 8]);
  assert.equal(b.kind, 'bulk-registration');
  assert.equal(new BulkResponse(DEREG, ch, 200, subs, new Uint8Array(4), 1, 0, undefined).kind, '200 bulk-deregistration');
  assert.equal(new RegistrationResponse(ch, 1, 1, 0, 201, 0, 0).kind, '201 registration');
  assert.equal(b.procedure, 'msgin5g-registration');
  assert.deepEqual(b.rules, ['23.554:8.2.X/1', '23.554:8.2.X/2']);
});

test('UE Service ID templates render, measure and parse back, canonical form only', () => {
  for (const t of ['ue{n}@x', '{n:6}', 'a{n:3}b']) {
    const tp = new IdTemplate(t);
    for (const n of [0, 7, 42, 999, 1000, 123456789]) {
      assert.equal(tp.length(n), tp.render(n).length);
      assert.equal(tp.parse(tp.render(n)), n);
    }
  }
  const tp = new IdTemplate('ue{n}@x');
  assert.equal(tp.parse('ue007@x'), -1, 'leading zeros are not the canonical id');
  assert.equal(tp.parse('ue@x'), -1);
  assert.equal(tp.parse('uex@x'), -1);
  assert.throws(() => new IdTemplate('no-slot'), /exactly one \{n\}/);
  assert.throws(() => new IdTemplate('{n}{n}'), /exactly one/);
  const dir = directory(100);
  assert.equal(dir.ueOf('ue99@msgin5g.example.net'), 99);
  assert.equal(dir.ueOf('ue100@msgin5g.example.net'), -1, 'outside the population');
});

test('UE facts are stable functions of the index: shares hold, credentials differ only for bad-credential UEs', () => {
  const dir = directory(100_000, { profileShare: 0.3, urgentShare: 0.1, badCredentialShare: 0.05, unauthorised: [7] });
  let prof = 0;
  let urgent = 0;
  let bad = 0;
  for (let ue = 0; ue < 100_000; ue++) {
    if (dir.profileIndex(ue) > 0) prof++;
    if (dir.urgent(ue)) urgent++;
    if (dir.hasBadCredential(ue)) {
      bad++;
      assert.notEqual(dir.gatewayCredential(ue), dir.expectedCredential(ue));
    } else assert.equal(dir.gatewayCredential(ue), dir.expectedCredential(ue));
    if (ue < 50) assert.equal(dir.profileLength(ue), dir.profile(ue) ? JSON.stringify(dir.profile(ue)).length : 0);
  }
  assert.ok(Math.abs(prof / 1e5 - 0.3) < 0.01, `profile share ${prof}`);
  assert.ok(Math.abs(urgent / 1e5 - 0.1) < 0.01, `urgent share ${urgent}`);
  assert.ok(Math.abs(bad / 1e5 - 0.05) < 0.01, `bad credential share ${bad}`);
  assert.equal(dir.authorised(7), false);
  assert.equal(dir.authorised(8), true);
});
