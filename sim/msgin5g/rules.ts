import { perMessageRule, type Rule } from '../observe/rules.ts';
import type { TraceEntry } from '../observe/recorder.ts';
import { CAUSES, isCause } from './causes.ts';
import { DEREG, REG, type Op } from './ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  OBS_AFTER,
  OBS_AUTHENTICATED,
  OBS_AUTHORISED,
  OBS_BEFORE,
  OBS_PROCESSED,
  OBS_PROFILE_OK,
  RegistrationRequest,
  RegistrationResponse,
  isMsgin5gRequest,
  type Exchange,
} from './messages.ts';
import { checkBulkResponse, checkEntry, checkResultEntry, checkServiceId, checkRegistrationEntry } from './validate.ts';

/**
 * The spec rules of TS 23.554 §8.2.4 and §8.2.X, checked on the watched trace with the message
 * objects themselves (TraceEntry.msg), so each rule inspects the IEs, not text.
 *
 * What a rule cannot see on the wire it reads from observations the nodes attach to messages (not
 * on the wire; docs/msgin5g.md, "What the rules can see"): the server reads its store back after
 * each entry and attaches the flags to its response (rules 8.2.4/3 and 8.2.X/3); the gateway
 * attaches the bulking policy in force to each bulk and, to each individual request, why it was
 * not bulked (rule 8.2.X/1).
 */

const delivered = (e: TraceEntry) => e.rec.event === 'delivered';

/** The request a response answers: same gateway (the response's addressee), same tx. */
function requestOf(trace: readonly TraceEntry[], e: TraceEntry): TraceEntry | undefined {
  const tx = (e.msg as unknown as Exchange).tx;
  for (let i = e.rec.seq - 1; i >= 0; i--) {
    const x = trace[i];
    if (x.rec.from !== e.rec.to || x.rec.to !== e.rec.from || x.rec.event !== 'delivered') continue;
    const m = x.msg;
    if (isMsgin5gRequest(m) && m.tx === tx) return x;
  }
  return undefined;
}

/** Causes a response entry may carry and still have been processed per entry (not refused before the per-entry steps). */
const EARLY = new Set(['INVALID_ENTRY', 'UNKNOWN_UE_SERVICE_ID', 'DUPLICATE_ENTRY', 'AUTHENTICATION_TIMEOUT']);

/**
 * One processed entry's observation, checked against its result (§8.2.X step 3, §8.2.4 step 3):
 * success ⇒ authenticated, authorised, and the store holds the UE (registration) with its profile,
 * or no longer holds it (de-registration); failure ⇒ the store is as it was.
 */
function entryObservationProblem(op: Op, ok: boolean, cause: string | undefined, obs: number): string | undefined {
  // Refused before the per-entry steps (malformed, unknown, duplicate, or the whole request refused): nothing to check.
  if (cause !== undefined && (EARLY.has(cause) || (isCause(cause) && CAUSES[cause].scope === 'request')) && (obs & OBS_PROCESSED) === 0) return undefined;
  if ((obs & OBS_PROCESSED) === 0) return 'the server did not process this entry individually (no per-entry observation)';
  const before = (obs & OBS_BEFORE) !== 0;
  const after = (obs & OBS_AFTER) !== 0;
  if (ok) {
    if (!(obs & OBS_AUTHENTICATED)) return 'SUCCESS without the entry being authenticated';
    if (!(obs & OBS_AUTHORISED)) return 'SUCCESS without the UE being authorised';
    if (op === REG && !after) return 'SUCCESS but the store does not hold the UE afterwards';
    if (op === DEREG && after) return 'SUCCESS but the store still holds the UE afterwards';
    if (!(obs & OBS_PROFILE_OK)) return op === REG ? 'SUCCESS but the stored profile differs from the request' : 'SUCCESS but a profile is still stored';
    return undefined;
  }
  if (before !== after) return `FAILURE (${cause}) but the store changed (registered ${before} → ${after})`;
  if (cause === 'AUTHENTICATION_FAILED' && obs & OBS_AUTHENTICATED) return 'AUTHENTICATION_FAILED although the entry was authenticated';
  if (cause === 'NOT_AUTHORISED' && obs & OBS_AUTHORISED) return 'NOT_AUTHORISED although the UE was authorised';
  return undefined;
}

function resultKey(op: Op): 'registrationResult' | 'deregistrationResult' {
  return op === REG ? 'registrationResult' : 'deregistrationResult';
}

/** The first entry of a bulk's list that `check` faults, as 'entry k: why'; undefined when every entry passes. */
function firstEntryProblem(list: readonly unknown[], check: (entry: unknown, k: number) => string | undefined): string | undefined {
  for (let k = 0; k < list.length; k++) {
    const v = check(list[k], k);
    if (v) return `entry ${k}: ${v}`;
  }
  return undefined;
}

/** Each entry's result of a bulk response against what the server observed of its store (8.2.4/3, 8.2.X/3). */
function bulkObservationProblem(b: BulkResponse): string | undefined {
  const list = b.list() ?? [];
  const observed = b.observed;
  if (!observed || observed.length !== list.length) return 'the response carries no per-entry observation of the store';
  const key = resultKey(b.op);
  return firstEntryProblem(list, (ent, k) => {
    const r = ent as Record<string, unknown>;
    return entryObservationProblem(b.op, r[key] === 'SUCCESS', r.failureCause as string | undefined, observed[k]);
  });
}

const isDeregRequest = (e: TraceEntry) =>
  delivered(e) && (e.msg instanceof DeregistrationRequest || (e.msg instanceof BulkRequest && e.msg.op === DEREG));

export const MSGIN5G_RULES: readonly Rule[] = [
  perMessageRule({
    id: '23.554:8.2.4/2',
    title: 'The Message Gateway sends a Non-MSGin5G UE de-registration request that includes the UE Service ID (Table 8.2.4-1)',
    applies: isDeregRequest,
    violation: (e) => {
      if (e.msg instanceof DeregistrationRequest) {
        const v = checkServiceId(e.msg.body().ueServiceId);
        return v;
      }
      const list = (e.msg as BulkRequest).list();
      if (!list) return 'the bulk de-registration has no list of individual requests';
      return firstEntryProblem(list, (ent) => checkServiceId((ent as { ueServiceId?: unknown } | undefined)?.ueServiceId));
    },
    notApplicable: 'no de-registration request in the watched trace',
  }),
  perMessageRule({
    id: '23.554:8.2.4/3',
    title: 'The MSGin5G Server deletes the UE Service ID and associated MSGin5G Client Profile it has stored (checked on the store read back after each entry)',
    applies: (e) =>
      delivered(e) &&
      ((e.msg instanceof DeregistrationResponse && e.msg.explicit === undefined) ||
        (e.msg instanceof BulkResponse && e.msg.op === DEREG && !e.msg.isProblem && e.msg.explicit === undefined)),
    violation: (e) => {
      const m = e.msg;
      if (m instanceof DeregistrationResponse) {
        const body = m.body();
        return entryObservationProblem(DEREG, body.deregistrationResult === 'SUCCESS', body.failureCause as string | undefined, m.observed);
      }
      return bulkObservationProblem(m as BulkResponse);
    },
    notApplicable: 'no de-registration response in the watched trace',
  }),
  perMessageRule({
    id: '23.554:8.2.4/4',
    title: 'The de-registration response carries the UE Service ID, the de-registration result and, on failure, a Failure Cause (Table 8.2.4-2)',
    applies: (e) => delivered(e) && (e.msg instanceof DeregistrationResponse || (e.msg instanceof BulkResponse && e.msg.op === DEREG && !e.msg.isProblem)),
    violation: (e, trace) => {
      if (e.msg instanceof DeregistrationResponse) {
        const req = requestOf(trace, e);
        const hadId = !(req?.msg instanceof DeregistrationRequest) || typeof req.msg.body().ueServiceId === 'string';
        return checkResultEntry(DEREG, e.msg.body(), hadId);
      }
      const list = (e.msg as BulkResponse).list();
      if (!list) return 'no list of individual de-registration responses';
      return firstEntryProblem(list, (ent) => checkResultEntry(DEREG, ent, false));
    },
    notApplicable: 'no de-registration response in the watched trace',
  }),
  {
    id: '23.554:8.2.X/1',
    title:
      'Step 1: the Message Gateway checks whether requests can be bulked — bulks respect its bulking policy and hold no urgent request; requests that cannot be bulked use the individual procedure of §8.2.3 / §8.2.4',
    check(trace) {
      const applicable: number[] = [];
      const bad: number[] = [];
      let first = '';
      // Urgent triggers of watched UEs, as the workload stated them: [sub, time].
      const urgentAt = new Map<number, number>();
      for (const e of trace) {
        const m = e.msg;
        if (e.rec.proto === 'trigger' && e.rec.kind.endsWith('-urgent')) urgentAt.set(m.sub, e.rec.t);
        if (!delivered(e)) continue;
        let problem: string | undefined;
        if (m instanceof BulkRequest && m.explicit === undefined) {
          applicable.push(e.rec.seq);
          const n = m.subs.length;
          const p = m.policy;
          if (p === undefined) problem = 'no bulking policy recorded with the bulk';
          else if (n > p.maxSize) problem = `${n} entries exceed the policy's maxSize ${p.maxSize}`;
          else if (n < Math.max(2, p.minSize)) problem = `${n} entries, below the policy's minSize ${Math.max(2, p.minSize)}`;
          else {
            for (let k = 0; k < n && !problem; k++) {
              const ue = m.subs[k];
              if (m.ch.dir.urgent(ue)) problem = `entry ${k} (UE ${ue}) is configured urgent and must not be bulked`;
              else if (urgentAt.has(ue)) problem = `entry ${k} (UE ${ue}) was triggered urgent at ${urgentAt.get(ue)} ns and must not be bulked`;
            }
          }
        } else if ((m instanceof RegistrationRequest || m instanceof DeregistrationRequest) && m.explicit === undefined) {
          applicable.push(e.rec.seq);
          const urgent = m.ch.dir.urgent(m.sub) || urgentAt.has(m.sub);
          if (m.why === 'urgent' && !urgent) problem = `sent individually as urgent, but UE ${m.sub} was not triggered or configured urgent`;
          else if (m instanceof RegistrationRequest) {
            const v = checkRegistrationEntry(m.body());
            if (v) problem = `the individual request (§8.2.3, Table 8.2.3-1) is malformed: ${v}`;
          }
        }
        if (problem !== undefined) {
          if (bad.length === 0) first = `record ${e.rec.seq} (${e.rec.kind} ${e.rec.from}→${e.rec.to}): ${problem}`;
          bad.push(e.rec.seq);
        }
      }
      if (applicable.length === 0) return { status: 'not-applicable', detail: 'no registration or de-registration request from a Message Gateway in the watched trace', evidence: [] };
      if (bad.length) return { status: 'failed', detail: `${bad.length} of ${applicable.length} violate it; first: ${first}`, evidence: bad };
      return { status: 'passed', detail: `${applicable.length} request(s) checked`, evidence: applicable.slice(0, 5) };
    },
  },
  perMessageRule({
    id: '23.554:8.2.X/2',
    title:
      'Step 2: the bulk request carries the bulk indicator, the number of individual requests equal to the length of the list, and a list whose every element is a well-formed Table 8.2.3-1 (8.2.4-1) request',
    applies: (e) => delivered(e) && e.msg instanceof BulkRequest,
    violation: (e) => {
      const m = e.msg as BulkRequest;
      const b = m.body() as Record<string, unknown>;
      const ind = m.op === REG ? 'bulkRegistrationIndicator' : 'bulkDeregistrationIndicator';
      if (b[ind] !== true) return `${ind} is ${b[ind] === undefined ? 'missing' : JSON.stringify(b[ind])}`;
      const list = m.list();
      if (!list) return 'no list of individual requests';
      if (b.numberOfRequests !== list.length) return `numberOfRequests is ${JSON.stringify(b.numberOfRequests)} but the list holds ${list.length}`;
      return firstEntryProblem(list, (ent) => checkEntry(m.op, ent));
    },
    notApplicable: 'no bulk request in the watched trace',
  }),
  perMessageRule({
    id: '23.554:8.2.X/3',
    title:
      'Step 3: the MSGin5G Server splits the bulk and authenticates, authorises and stores (deletes) each entry individually — every entry processed on its own, its result matching what the store holds afterwards',
    applies: (e) => delivered(e) && e.msg instanceof BulkResponse && !e.msg.isProblem && e.msg.explicit === undefined,
    violation: (e) => bulkObservationProblem(e.msg as BulkResponse),
    notApplicable: 'no bulk response in the watched trace',
  }),
  perMessageRule({
    id: '23.554:8.2.X/4',
    title:
      'Step 4: the bulk response carries the bulk response indicator, the number of responses equal to the list and to the request, and one well-formed Table 8.2.1-4 entry per request entry, in the request order',
    applies: (e) => delivered(e) && e.msg instanceof BulkResponse,
    violation: (e, trace) => {
      const m = e.msg as BulkResponse;
      const req = requestOf(trace, e);
      if (m.isProblem) {
        const p = m.body() as { cause?: unknown; status?: unknown };
        if (m.status === 200) return 'a whole-request error with status 200';
        if (!isCause(p.cause) || CAUSES[p.cause].scope !== 'request') return `the whole-request error carries ${JSON.stringify(p.cause)}, not a whole-request cause`;
        return undefined;
      }
      if (!req) return 'no bulk request with this transaction in the watched trace';
      const r = req.msg as BulkRequest;
      const rlist = r.list() ?? [];
      const v = checkBulkResponse(m.op, m.body(), rlist.length);
      if (v) return v;
      const list = m.list()!;
      for (let k = 0; k < list.length; k++) {
        const reqId = (rlist[k] as { ueServiceId?: unknown } | undefined)?.ueServiceId;
        const hadId = typeof reqId === 'string';
        const w = checkResultEntry(m.op, list[k], hadId);
        if (w) return `entry ${k}: ${w}`;
        if (hadId && list[k].ueServiceId !== reqId) return `entry ${k} answers ${list[k].ueServiceId}, but request entry ${k} is ${reqId} (order must match)`;
      }
      return undefined;
    },
    notApplicable: 'no bulk response in the watched trace',
  }),
];

/** The individual registration response, checked with 8.2.X/1's fallback: used by tests. */
export function registrationResponseProblem(m: RegistrationResponse): string | undefined {
  return checkResultEntry(REG, m.body());
}
