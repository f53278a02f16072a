import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';
import { evaluateRules } from '../../sim/observe/rules.ts';
import type { TraceEntry } from '../../sim/observe/recorder.ts';
import { MSGIN5G_RULES } from '../../sim/msgin5g/rules.ts';
import { DEREG, REG } from '../../sim/msgin5g/ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  OBS_AFTER,
  OBS_AUTHENTICATED,
  OBS_BEFORE,
  RegistrationRequest,
} from '../../sim/msgin5g/messages.ts';
import type { Message } from '../../sim/net/message.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

async function run(name: string): Promise<RunResult> {
  return runScenario(loadScenarioFile(`${ROOT}scenarios/learn/${name}.yaml`));
}

function verdicts(trace: readonly TraceEntry[]): Record<string, string> {
  return Object.fromEntries(evaluateRules(MSGIN5G_RULES, trace).map((r) => [r.id, r.status]));
}

/** A copy of the trace with the first entry matching `pick` carrying another message. */
function mutate(trace: readonly TraceEntry[], pick: (e: TraceEntry) => boolean, make: (m: Message) => Message): TraceEntry[] {
  let done = false;
  return trace.map((e) => {
    if (done || !pick(e)) return e;
    done = true;
    return { rec: { ...e.rec }, msg: make(e.msg as Message) };
  });
}

const isBulkReq = (op: number) => (e: TraceEntry) => e.msg instanceof BulkRequest && e.msg.op === op;
const isBulkRes = (op: number) => (e: TraceEntry) => e.msg instanceof BulkResponse && e.msg.op === op;

let bulk: RunResult;
test('the learn scenarios pass every applicable rule', async () => {
  bulk = await run('msgin5g-bulk');
  assert.deepEqual(verdicts(bulk.entries), {
    '23.554:8.2.4/2': 'passed',
    '23.554:8.2.4/3': 'passed',
    '23.554:8.2.4/4': 'passed',
    '23.554:8.2.X/1': 'passed',
    '23.554:8.2.X/2': 'passed',
    '23.554:8.2.X/3': 'passed',
    '23.554:8.2.X/4': 'passed',
  });
  const dereg = await run('msgin5g-deregister');
  const v = verdicts(dereg.entries);
  assert.equal(v['23.554:8.2.4/2'], 'passed');
  assert.equal(v['23.554:8.2.4/3'], 'passed');
  assert.equal(v['23.554:8.2.4/4'], 'passed');
  assert.equal(v['23.554:8.2.X/2'], 'not-applicable');
  const fail = await run('msgin5g-bulk-auth-failure');
  assert.ok(Object.values(verdicts(fail.entries)).every((s) => s !== 'failed'));
  assert.equal(verdicts(fail.entries)['23.554:8.2.X/3'], 'passed', 'the failed entry left the store as it was');
});

function expectFail(trace: TraceEntry[], id: string, re: RegExp): void {
  const r = evaluateRules(MSGIN5G_RULES, trace).find((x) => x.id === id)!;
  assert.equal(r.status, 'failed', `${id} should fail: ${r.detail}`);
  assert.match(r.detail, re);
  assert.ok(r.evidence.length > 0);
}

test('mutation: count ≠ list length, a missing UE Service ID, credential or indicator fail 8.2.X/2', () => {
  const base = (m: Message) => m as BulkRequest;
  const cases: [(b: BulkRequest) => Record<string, unknown>, RegExp][] = [
    [(b) => ({ ...b.body(), numberOfRequests: b.subs.length + 1 }), /numberOfRequests is 6 but the list holds 5/],
    [
      (b) => {
        const body = b.body() as { requests: Record<string, unknown>[] };
        const requests = body.requests.map((e) => ({ ...e }));
        delete requests[2].ueServiceId;
        return { ...body, requests };
      },
      /entry 2: UE Service ID \(M\) is missing/,
    ],
    [
      (b) => {
        const body = b.body() as { requests: Record<string, unknown>[] };
        return { ...body, requests: body.requests.map((e, i) => (i === 1 ? { ueServiceId: e.ueServiceId } : e)) };
      },
      /entry 1: UE credential information \(M\) is missing/,
    ],
    [(b) => ({ ...b.body(), bulkRegistrationIndicator: undefined }), /bulkRegistrationIndicator is missing/],
    [(b) => ({ ...b.body(), bulkRegistrationIndicator: false }), /bulkRegistrationIndicator is false/],
    [
      (b) => {
        const body = b.body() as { requests: Record<string, unknown>[] };
        return { ...body, requests: body.requests.map((e, i) => (i === 0 ? { ...e, clientProfile: { maxSegmentSize: -1 } } : e)) };
      },
      /entry 0: Supported Maximum MSGin5G segment size/,
    ],
    [
      (b) => {
        const body = b.body() as { requests: Record<string, unknown>[] };
        return { ...body, requests: body.requests.map((e, i) => (i === 4 ? { ...e, urgency: 'high' } : e)) };
      },
      /entry 4: unknown IE 'urgency'/,
    ],
  ];
  for (const [body, re] of cases) {
    const t = mutate(bulk.entries, isBulkReq(REG), (m) => {
      const b = base(m);
      return new BulkRequest(REG, b.ch, b.subs, b.tx, b.conn, b.policy, body(b) as never);
    });
    expectFail(t, '23.554:8.2.X/2', re);
  }
});

test('mutation: reordered, missing or malformed response entries fail 8.2.X/4', () => {
  const cases: [(r: BulkResponse) => BulkResponse, RegExp][] = [
    [(r) => new BulkResponse(r.op, r.ch, 200, r.subs.slice().reverse(), r.results, r.tx, r.conn, r.observed), /entry 0 answers ue\d+@msgin5g\.example\.net, but request entry 0 is/],
    [(r) => new BulkResponse(r.op, r.ch, 200, r.subs.slice(0, 4), r.results.slice(0, 4), r.tx, r.conn, r.observed), /4 responses for 5 request entries/],
    [(r) => new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, r.observed, undefined, undefined, undefined, { ...(r.body() as object), numberOfResponses: 9 } as never), /numberOfResponses is 9/],
    [(r) => new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, r.observed, undefined, undefined, undefined, { ...(r.body() as object), bulkRegistrationResponseIndicator: undefined } as never), /Indicator \(M\) is missing/],
    [
      (r) => {
        const body = r.body() as { responses: Record<string, unknown>[] };
        return new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, r.observed, undefined, undefined, undefined, {
          ...body,
          responses: body.responses.map((e, i) => (i === 3 ? { ueServiceId: e.ueServiceId, registrationResult: 'FAILURE' } : e)),
        } as never);
      },
      /entry 3: the result is FAILURE but no Failure Cause/,
    ],
    [
      (r) => {
        const body = r.body() as { responses: Record<string, unknown>[] };
        return new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, r.observed, undefined, undefined, undefined, {
          ...body,
          responses: body.responses.map((e, i) => (i === 1 ? { registrationResult: 'SUCCESS' } : e)),
        } as never);
      },
      /entry 1: UE Service ID \(M\) is missing/,
    ],
  ];
  for (const [make, re] of cases) {
    const t = mutate(bulk.entries, isBulkRes(REG), (m) => make(m as BulkResponse));
    expectFail(t, '23.554:8.2.X/4', re);
  }
});

test('mutation: a response whose results disagree with the server’s store fails 8.2.X/3 (entries processed individually)', () => {
  // Claims SUCCESS for an entry whose store was never written.
  const t1 = mutate(bulk.entries, isBulkRes(REG), (m) => {
    const r = m as BulkResponse;
    const obs = r.observed!.slice();
    obs[2] &= ~OBS_AFTER;
    return new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, obs);
  });
  expectFail(t1, '23.554:8.2.X/3', /entry 2: SUCCESS but the store does not hold the UE afterwards/);
  // No per-entry observation at all: nothing shows the bulk was split.
  const t2 = mutate(bulk.entries, isBulkRes(REG), (m) => {
    const r = m as BulkResponse;
    return new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, undefined);
  });
  expectFail(t2, '23.554:8.2.X/3', /no per-entry observation/);
  // A failure that nevertheless changed the store.
  const t3 = mutate(bulk.entries, isBulkRes(REG), (m) => {
    const r = m as BulkResponse;
    const res = r.results.slice();
    res[0] = 2; // AUTHENTICATION_FAILED
    const obs = r.observed!.slice();
    obs[0] &= ~OBS_AUTHENTICATED;
    return new BulkResponse(r.op, r.ch, 200, r.subs, res, r.tx, r.conn, obs);
  });
  expectFail(t3, '23.554:8.2.X/3', /entry 0: FAILURE \(AUTHENTICATION_FAILED\) but the store changed/);
});

test('mutation: a de-registration without UE Service ID, a store that still holds the UE, a response without result fail 8.2.4/2, /3, /4', () => {
  const t1 = mutate(bulk.entries, isBulkReq(DEREG), (m) => {
    const b = m as BulkRequest;
    const body = b.body() as { requests: Record<string, unknown>[] };
    return new BulkRequest(DEREG, b.ch, b.subs, b.tx, b.conn, b.policy, { ...body, requests: body.requests.map((e, i) => (i === 1 ? {} : e)) } as never);
  });
  expectFail(t1, '23.554:8.2.4/2', /entry 1: UE Service ID \(M\) is missing/);
  const t2 = mutate(bulk.entries, isBulkRes(DEREG), (m) => {
    const r = m as BulkResponse;
    const obs = r.observed!.slice();
    obs[3] |= OBS_AFTER;
    return new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, obs);
  });
  expectFail(t2, '23.554:8.2.4/3', /entry 3: SUCCESS but the store still holds the UE afterwards/);
  const t3 = mutate(bulk.entries, isBulkRes(DEREG), (m) => {
    const r = m as BulkResponse;
    const body = r.body() as { responses: Record<string, unknown>[] };
    return new BulkResponse(r.op, r.ch, 200, r.subs, r.results, r.tx, r.conn, r.observed, undefined, undefined, undefined, {
      ...body,
      responses: body.responses.map((e, i) => (i === 0 ? { ueServiceId: e.ueServiceId } : e)),
    } as never);
  });
  expectFail(t3, '23.554:8.2.4/4', /entry 0: De-registration result \(M\) is missing/);
});

test('mutation on the individual de-registration: no UE Service ID, state kept, result missing', async () => {
  const d = await run('msgin5g-deregister');
  const t1 = mutate(d.entries, (e) => e.msg instanceof DeregistrationRequest, (m) => {
    const r = m as DeregistrationRequest;
    return new DeregistrationRequest(r.ch, r.sub, r.tx, r.conn, r.why, {});
  });
  expectFail(t1, '23.554:8.2.4/2', /UE Service ID \(M\) is missing/);
  const t2 = mutate(d.entries, (e) => e.msg instanceof DeregistrationResponse, (m) => {
    const r = m as DeregistrationResponse;
    return new DeregistrationResponse(r.ch, r.sub, r.tx, r.conn, r.status, r.cause, r.observed | OBS_AFTER | OBS_BEFORE);
  });
  expectFail(t2, '23.554:8.2.4/3', /SUCCESS but the store still holds the UE/);
  const t3 = mutate(d.entries, (e) => e.msg instanceof DeregistrationResponse, (m) => {
    const r = m as DeregistrationResponse;
    return new DeregistrationResponse(r.ch, r.sub, r.tx, r.conn, r.status, r.cause, r.observed, undefined, undefined, { ueServiceId: 'ue0@msgin5g.example.net', deregistrationResult: 'SUCCESS', failureCause: 'NOT_AUTHORISED' });
  });
  expectFail(t3, '23.554:8.2.4/4', /SUCCESS but a Failure Cause is present/);
});

test('mutation: a bulk holding an urgent request, or larger than the policy allows, fails 8.2.X/1', () => {
  // The workload said UE 3 was urgent.
  const t1 = bulk.entries.map((e) => (e.rec.proto === 'trigger' && e.msg.sub === 3 && e.rec.kind === 'register' ? { rec: { ...e.rec, kind: 'register-urgent' }, msg: e.msg } : e));
  expectFail(t1, '23.554:8.2.X/1', /UE 3\) was triggered urgent/);
  const t2 = mutate(bulk.entries, isBulkReq(REG), (m) => {
    const b = m as BulkRequest;
    return new BulkRequest(REG, b.ch, b.subs, b.tx, b.conn, { maxSize: 4, minSize: 2 });
  });
  expectFail(t2, '23.554:8.2.X/1', /5 entries exceed the policy's maxSize 4/);
  // An individual request claiming urgency for a UE nobody made urgent.
  const t3 = mutate(bulk.entries, isBulkReq(REG), (m) => {
    const b = m as BulkRequest;
    return new RegistrationRequest(b.ch, b.subs[0], b.tx, b.conn, 'urgent');
  });
  expectFail(t3, '23.554:8.2.X/1', /sent individually as urgent/);
});

test('a rule with nothing to check says not applicable, never passed', () => {
  const r = evaluateRules(MSGIN5G_RULES, []);
  assert.ok(r.every((x) => x.status === 'not-applicable'));
  assert.equal(r.length, 7);
  assert.deepEqual(
    r.map((x) => x.id),
    ['23.554:8.2.4/2', '23.554:8.2.4/3', '23.554:8.2.4/4', '23.554:8.2.X/1', '23.554:8.2.X/2', '23.554:8.2.X/3', '23.554:8.2.X/4'],
  );
});
