import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS } from '../../sim/kernel/time.ts';
import { DEREG, REG } from '../../sim/msgin5g/ies.ts';
import { causeCode } from '../../sim/msgin5g/causes.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  OBS_AFTER,
  OBS_PROCESSED,
  ProblemResponse,
  RawHttpRequest,
  RegistrationRequest,
  RegistrationResponse,
  UeAuthRequest,
} from '../../sim/msgin5g/messages.ts';
import { NO_SIGNALS, type Signals } from '../../sim/net/signals.ts';
import type { Message } from '../../sim/net/message.ts';
import { serverHarness } from './harness.ts';

type H = ReturnType<typeof serverHarness>;

function registerAll(h: H, ues: number[]): void {
  const r = h.exchange(new BulkRequest(REG, h.ch, Int32Array.from(ues), 1, 0, undefined)) as BulkResponse;
  assert.ok(r.results.every((x) => x === 0));
}

function snapshot(h: H): string {
  return `${Array.from(h.server.registered).join('')}|${Array.from(h.server.profile).join(',')}`;
}

function bulkText(h: H, op: 0 | 1, body: unknown): RawHttpRequest {
  const head = new BulkRequest(op, h.ch, Int32Array.of(1), 1, 0, undefined).wire();
  const b = typeof body === 'string' ? body : JSON.stringify(body);
  return new RawHttpRequest(head.slice(0, head.indexOf('\r\n\r\n') + 4).replace(/Content-Length: \d+/, `Content-Length: ${Buffer.byteLength(b)}`) + b, 9, 0);
}

const id = (n: number) => `ue${n}@msgin5g.example.net`;

test('a bulk whose count disagrees with its list is refused as a whole (400 BULK_COUNT_MISMATCH); nobody’s state changes', () => {
  const h = serverHarness(20);
  registerAll(h, [1, 2, 3]);
  const before = snapshot(h);
  const r = h.exchange(bulkText(h, REG, { bulkRegistrationIndicator: true, numberOfRequests: 3, requests: [{ ueServiceId: id(5), ueCredential: h.dir.expectedCredential(5) }] }));
  assert.ok(r instanceof BulkResponse);
  assert.equal(r.status, 400);
  assert.deepEqual(r.body(), { status: 400, cause: 'BULK_COUNT_MISMATCH', detail: 'numberOfRequests is 3 but the list holds 1 entries' });
  assert.match(r.wire(), /Content-Type: application\/problem\+json/);
  assert.equal(snapshot(h), before);
  // The same, built as a structured message (a mutated trace or a buggy gateway): the same answer.
  const m = new BulkRequest(REG, h.ch, Int32Array.of(5), 2, 0, undefined, { bulkRegistrationIndicator: true, numberOfRequests: 2, requests: [{ ueServiceId: id(5), ueCredential: 'x' }] });
  const r2 = h.exchange(m) as BulkResponse;
  assert.equal((r2.body() as { cause: string }).cause, 'BULK_COUNT_MISMATCH');
  assert.equal(snapshot(h), before);
});

test('an entry without UE Service ID fails alone (INVALID_ENTRY, no ID to echo); the other entries are processed in order', () => {
  const h = serverHarness(20);
  const requests = [
    { ueServiceId: id(4), ueCredential: h.dir.expectedCredential(4) },
    { ueCredential: 'abc' },
    { ueServiceId: id(6), ueCredential: h.dir.expectedCredential(6) },
  ];
  const r = h.exchange(bulkText(h, REG, { bulkRegistrationIndicator: true, numberOfRequests: 3, requests })) as BulkResponse;
  assert.equal(r.status, 200);
  assert.deepEqual((r.body() as { responses: unknown[] }).responses, [
    { ueServiceId: id(4), registrationResult: 'SUCCESS' },
    { registrationResult: 'FAILURE', failureCause: 'INVALID_ENTRY' },
    { ueServiceId: id(6), registrationResult: 'SUCCESS' },
  ]);
  assert.equal(r.bytes, Buffer.byteLength(r.wire()));
  assert.deepEqual([h.server.registered[4], h.server.registered[5], h.server.registered[6]], [1, 0, 1]);
});

test('malformed JSON is refused with 400 MALFORMED_REQUEST problem details; the server keeps serving and nothing changes', () => {
  const h = serverHarness(20);
  registerAll(h, [0, 1]);
  const before = snapshot(h);
  const r = h.exchange(bulkText(h, REG, '{"bulkRegistrationIndicator": true, "numberOfRequests": 1, "requests": [')) as ProblemResponse;
  assert.ok(r instanceof ProblemResponse);
  assert.equal(r.status, 400);
  assert.equal(r.problem.cause, 'MALFORMED_REQUEST');
  assert.match(String(r.problem.detail), /not JSON/);
  assert.equal(snapshot(h), before);
  for (const text of ['', 'garbage\r\n\r\n', 'POST / HTTP/1.1\r\n\r\n']) {
    const x = h.exchange(new RawHttpRequest(text, 1, 0));
    assert.ok(x instanceof ProblemResponse, `answered ${JSON.stringify(text)}`);
  }
  registerAll(h, [7]);
  assert.equal(h.server.registered[7], 1, 'still serving after bad input');
});

test('a bulk without its indicator, an empty list or too many entries is refused as a whole', () => {
  const h = serverHarness(3000);
  const noInd = h.exchange(bulkText(h, REG, { numberOfRequests: 0, requests: [] })) as BulkResponse;
  assert.equal((noInd.body() as { cause: string }).cause, 'MALFORMED_REQUEST');
  assert.match(String((noInd.body() as { detail: string }).detail), /bulkRegistrationIndicator \(M\) is missing/);
  const empty = h.exchange(new BulkRequest(REG, h.ch, new Int32Array(0), 1, 0, undefined)) as BulkResponse;
  assert.equal(empty.status, 400);
  const big = h.exchange(new BulkRequest(REG, h.ch, Int32Array.from({ length: 1001 }, (_, i) => i), 1, 0, undefined)) as BulkResponse;
  assert.equal(big.status, 413);
  assert.equal((big.body() as { cause: string }).cause, 'BULK_TOO_LARGE');
  assert.equal(h.server.registeredCount(), 0);
});

test('de-registration of an unknown UE: 404 UNKNOWN_UE_SERVICE_ID individually, a per-entry failure in a bulk; the others are deleted', () => {
  const h = serverHarness(20, { ues: { profileShare: 1 } });
  registerAll(h, [1, 2, 3]);
  const one = h.exchange(new DeregistrationRequest(h.ch, 9, 1, 0, 'bulking-off')) as DeregistrationResponse;
  assert.equal(one.status, 404);
  assert.deepEqual(one.body(), { ueServiceId: id(9), deregistrationResult: 'FAILURE', failureCause: 'UNKNOWN_UE_SERVICE_ID' });
  const unprovisioned = h.exchange(
    new DeregistrationRequest(h.ch, -1, 1, 0, 'test', { ueServiceId: 'stranger@elsewhere' }),
  ) as DeregistrationResponse;
  assert.deepEqual(unprovisioned.body(), { ueServiceId: 'stranger@elsewhere', deregistrationResult: 'FAILURE', failureCause: 'UNKNOWN_UE_SERVICE_ID' });
  const bulk = h.exchange(new BulkRequest(DEREG, h.ch, Int32Array.of(1, 9, 3), 1, 0, undefined)) as BulkResponse;
  assert.deepEqual(Array.from(bulk.results), [0, causeCode('UNKNOWN_UE_SERVICE_ID'), 0]);
  assert.deepEqual([h.server.registered[1], h.server.registered[2], h.server.registered[3]], [0, 1, 0]);
  assert.deepEqual([h.server.profile[1], h.server.profile[3]], [0, 0], 'profiles deleted with the UE Service IDs (§8.2.4 step 3)');
  assert.notEqual(h.server.profile[2], 0, 'UE 2 keeps its profile');
  assert.equal(bulk.observed![0] & OBS_AFTER, 0);
  assert.ok(bulk.observed![0] & OBS_PROCESSED);
});

test('registration: 201 for a new UE, 200 for a refresh; the profile is stored; a duplicate in one bulk is answered DUPLICATE_ENTRY', () => {
  const h = serverHarness(20, { ues: { profileShare: 1 } });
  const a = h.exchange(new RegistrationRequest(h.ch, 4, 1, 0, 'urgent')) as RegistrationResponse;
  assert.equal(a.status, 201);
  assert.equal(h.server.profile[4], h.dir.profileIndex(4));
  const b = h.exchange(new RegistrationRequest(h.ch, 4, 2, 0, 'urgent')) as RegistrationResponse;
  assert.equal(b.status, 200);
  const d = h.exchange(new BulkRequest(REG, h.ch, Int32Array.of(5, 6, 5), 1, 0, undefined)) as BulkResponse;
  assert.deepEqual(Array.from(d.results), [0, 0, causeCode('DUPLICATE_ENTRY')]);
  // A profile outside the catalogue is kept as received.
  const custom = { maxSegmentSize: 77 };
  const c = h.exchange(new RegistrationRequest(h.ch, 8, 1, 0, 'test', { ueServiceId: id(8), ueCredential: h.dir.expectedCredential(8), clientProfile: custom })) as RegistrationResponse;
  assert.equal(c.status, 201);
  assert.deepEqual(h.server.customProfiles.get(8), custom);
});

test('authentication, authorisation and the gateway’s own token are checked per entry / per request', () => {
  const h = serverHarness(20, { ues: { badCredentials: [3], unauthorised: [4] } });
  const r = h.exchange(new BulkRequest(REG, h.ch, Int32Array.of(2, 3, 4), 1, 0, undefined)) as BulkResponse;
  assert.deepEqual(
    (r.body() as { responses: { failureCause?: string }[] }).responses.map((e) => e.failureCause ?? 'OK'),
    ['OK', 'AUTHENTICATION_FAILED', 'NOT_AUTHORISED'],
  );
  const bad = h.exchange(new RegistrationRequest({ ...h.ch, token: 'gw.0000000000000000' }, 5, 1, 0, 'urgent')) as RegistrationResponse;
  assert.equal(bad.status, 401);
  assert.equal(bad.body().failureCause, 'GATEWAY_AUTHENTICATION_FAILED');
  assert.equal(h.server.registered[5], 0);
  // A gateway presenting another gateway's token is refused.
  const other = h.exchange(new DeregistrationRequest({ ...h.ch, token: 'gw.other' }, 2, 1, 0, 'urgent')) as DeregistrationResponse;
  assert.equal(other.status, 401);
  // A second gateway, authenticated as itself, may not de-register what the first one registered.
  const b = h.otherGateway('gw-b');
  b.probe.sendTo(h.server.index, new DeregistrationRequest(b.ch, 2, 1, 0, 'urgent'));
  h.sim.run();
  const nb = b.probe.received.pop() as DeregistrationResponse;
  assert.equal(nb.status, 403);
  assert.equal(nb.body().failureCause, 'NOT_AUTHORISED');
  assert.equal(h.server.registered[2], 1);
});

test('per-ue authentication: one challenge round trip per entry; a wrong answer fails that entry; no answer times out', () => {
  const h = serverHarness(20, { ues: { badCredentials: [3] }, server: { authentication: 'per-ue', authTimeout: 100 * MS } });
  const before = h.gw.received.length;
  const r = h.exchange(new BulkRequest(REG, h.ch, Int32Array.of(1, 2, 3), 1, 0, undefined)) as BulkResponse;
  assert.equal(h.gw.received.length, before + 1, 'challenges were answered by the probe, not kept');
  assert.deepEqual(Array.from(r.results), [0, 0, causeCode('AUTHENTICATION_FAILED')]);
  h.gw.answerChallenges = false;
  const t0 = h.sim.now();
  const r2 = h.exchange(new RegistrationRequest(h.ch, 7, 2, 0, 'urgent')) as RegistrationResponse;
  assert.equal(r2.body().failureCause, 'AUTHENTICATION_TIMEOUT');
  assert.ok(h.sim.now() - t0 >= 100 * MS);
  assert.equal(h.server.registered[7], 0);
});

test('per-ue authentication sends exactly one UeAuthRequest per well-formed, known entry', () => {
  const seen: Message[] = [];
  const signals: Signals = { ...NO_SIGNALS, sent: (_t, _f, _to, m) => void seen.push(m) };
  const h = serverHarness(20, { server: { authentication: 'per-ue' }, signals });
  h.exchange(new BulkRequest(DEREG, h.ch, Int32Array.of(1, 2, 2), 1, 0, undefined));
  // UE 2 twice: the duplicate is refused before its round trip.
  assert.equal(seen.filter((m) => m instanceof UeAuthRequest).length, 2);
});

test('overload: with the queue full a request is answered 503 with Retry-After at once', () => {
  const h = serverHarness(20, { server: { retryAfter: 2500 * MS } });
  h.server.queueLimit = 0;
  h.server.costs.set(undefined, { perMessage: 10 * MS, perEntry: 0, perByte: 0 });
  h.gw.sendTo(h.server.index, new RegistrationRequest(h.ch, 1, 1, 0, 'urgent'));
  h.gw.sendTo(h.server.index, new RegistrationRequest(h.ch, 2, 2, 1, 'urgent'));
  h.sim.run();
  const statuses = h.gw.received.map((m) => (m as RegistrationResponse).status).sort();
  assert.deepEqual(statuses, [201, 503]);
  const o = h.gw.received.find((m) => (m as RegistrationResponse).status === 503) as RegistrationResponse;
  assert.equal(o.retryAfterS, 3);
  assert.equal(o.body().failureCause, 'SERVER_OVERLOADED');
});

test('fuzz: truncated and corrupted requests always get exactly one answer, never a crash; only SUCCESS entries touch the store', async () => {
  const { RandomStream } = await import('../../sim/kernel/random.ts');
  const h = serverHarness(50, { ues: { profileShare: 1 } });
  registerAll(h, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const rng = new RandomStream(11, 'msgin5g-fuzz');
  const seeds = [
    new BulkRequest(REG, h.ch, Int32Array.of(10, 11, 12), 1, 0, undefined).wire(),
    new BulkRequest(DEREG, h.ch, Int32Array.of(1, 2, 3), 1, 0, undefined).wire(),
    new RegistrationRequest(h.ch, 20, 1, 0, 'urgent').wire(),
    new DeregistrationRequest(h.ch, 4, 1, 0, 'urgent').wire(),
  ];
  const junk = '{}[]":,\\\r\n 0aZ\u00e9';
  for (let k = 0; k < 600; k++) {
    let t = seeds[k % seeds.length];
    const how = rng.int(4);
    if (how === 0) t = t.slice(0, rng.int(t.length));
    else if (how === 1) {
      const i = rng.int(t.length);
      t = t.slice(0, i) + junk[rng.int(junk.length)] + t.slice(i + 1);
    } else if (how === 2) {
      const i = rng.int(t.length);
      t = t.slice(0, i) + junk[rng.int(junk.length)] + t.slice(i);
    } else {
      // Corrupt the body but keep Content-Length right, so the JSON layer is what gets tested.
      const at = t.indexOf('\r\n\r\n') + 4;
      let body = t.slice(at);
      const i = rng.int(Math.max(1, body.length));
      body = body.slice(0, i) + junk[rng.int(junk.length)] + body.slice(i + 1);
      t = t.slice(0, at).replace(/Content-Length: \d+/, `Content-Length: ${Buffer.byteLength(body)}`) + body;
    }
    const before = Array.from(h.server.registered);
    const r = h.exchange(new RawHttpRequest(t, k, 0)) as unknown as { body(): unknown; status: number };
    assert.ok(r.status >= 200 && r.status < 600);
    const ok = new Set<number>();
    const b = r.body() as { responses?: { ueServiceId?: string; registrationResult?: string; deregistrationResult?: string }[]; ueServiceId?: string; registrationResult?: string; deregistrationResult?: string };
    for (const e of b.responses ?? [b]) if ((e.registrationResult ?? e.deregistrationResult) === 'SUCCESS') ok.add(h.dir.ueOf(e.ueServiceId));
    const after = Array.from(h.server.registered);
    for (let ue = 0; ue < 50; ue++) if (before[ue] !== after[ue]) assert.ok(ok.has(ue), `UE ${ue} changed without a SUCCESS for it: ${JSON.stringify(t)}`);
  }
});
