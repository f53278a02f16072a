import type { Message } from '../net/message.ts';
import { causeOf, type FailureCause } from './causes.ts';
import {
  PATH,
  PROBLEM_TYPE,
  requestHead,
  requestHeadLength,
  responseHead,
  responseHeadLength,
  type Channel,
  type ResponseHeadOptions,
} from './http.ts';
import {
  PROCEDURE,
  REG,
  DEREG,
  type BulkDeregistrationBody,
  type BulkDeregistrationResultBody,
  type BulkRegistrationBody,
  type BulkRegistrationResultBody,
  type DeregistrationEntry,
  type DeregistrationResultEntry,
  type Op,
  type ProblemBody,
  type RegistrationEntry,
  type RegistrationResultEntry,
} from './ies.ts';
import { CREDENTIAL_LENGTH } from './ue-directory.ts';
import type { WireMark } from '../observe/records.ts';
import { fieldMarks } from './wire-marks.ts';

/**
 * The MSGin5G messages of RegLab (proto 'msgin5g'): one class per message of the tables, each
 * carrying exactly that table's IEs (`body()`), its exact size on the wire (`bytes`, computed
 * without rendering on the hot path) and its HTTP/1.1 text (`wire()`, on demand).
 *
 * A message built by the model derives its IEs from UE indices (`sub`/`subs`) and the channel's
 * UE directory, so a bulk of 1000 holds an Int32Array, not 1000 objects. A message built from
 * explicit IEs (a parsed request, a bad-input test, a mutated trace) holds them as given and
 * computes its size by rendering: that path is rare and never on a million-UE run.
 *
 * Fields that are not IEs and not on the wire are labelled: `tx`/`conn` pair a response with its
 * request as an HTTP/1.1 connection does (the capture puts each `conn` on its own TCP connection);
 * `observed` (responses) and `why`/`policy` (requests) are observations for the rule checker,
 * explained in docs/msgin5g.md ("What the rules can see").
 */

export const RULES = {
  individualReg: ['23.554:8.2.X/1'],
  individualDereg: ['23.554:8.2.4/2'],
  deregResponse: ['23.554:8.2.4/3', '23.554:8.2.4/4'],
  bulkReg: ['23.554:8.2.X/1', '23.554:8.2.X/2'],
  bulkRegResponse: ['23.554:8.2.X/3', '23.554:8.2.X/4'],
  bulkDereg: ['23.554:8.2.X/1', '23.554:8.2.X/2', '23.554:8.2.4/2'],
  bulkDeregResponse: ['23.554:8.2.X/3', '23.554:8.2.X/4', '23.554:8.2.4/3', '23.554:8.2.4/4'],
  authReg: ['23.554:8.2.X/3'],
  authDereg: ['23.554:8.2.4/3'],
  none: [] as string[],
} as const satisfies Record<string, readonly string[]>;

/** Why the gateway sent a registration or de-registration individually (§8.2.X step 1) — an observation, not on the wire. */
export type IndividualReason = 'urgent' | 'bulking-off' | 'below-min-size' | 'retry' | 'split' | 'test';

/** The bulking policy in force when a bulk was formed — an observation for rule 8.2.X/1. */
export interface BulkPolicySnapshot {
  maxSize: number;
  minSize: number;
}

// Per-entry observations the server attaches to its responses (not on the wire): its store read
// back after the entry was processed, and what the per-entry steps decided.
/** The UE was registered before this entry was processed. */
export const OBS_BEFORE = 1;
/** The UE is registered after this entry was processed (read from the store). */
export const OBS_AFTER = 2;
/** The entry was authenticated (credential or per-UE round trip). */
export const OBS_AUTHENTICATED = 4;
/** The UE was authorised. */
export const OBS_AUTHORISED = 8;
/** The stored profile equals the entry's (registration), or nothing is stored (de-registration). */
export const OBS_PROFILE_OK = 16;
/** The entry went through the per-entry steps (split and processed individually). */
export const OBS_PROCESSED = 32;

const L = (s: string) => s.length;
const J_ID = L('{"ueServiceId":"');
const J_CRED = L('","ueCredential":"');
const J_PROFILE = L(',"clientProfile":');
const J_REGRES = L('","registrationResult":"');
const J_DEREGRES = L('","deregistrationResult":"');
const J_CAUSE = L(',"failureCause":"');
const RESULT_LEN = 7; // SUCCESS, FAILURE
const J_DEREG_ENTRY = L('{"ueServiceId":""}');

/** Length of a UE's registration entry (Table 8.2.3-1) as JSON. */
function regEntryLength(ch: Channel, ue: number): number {
  const pl = ch.dir.profileLength(ue);
  return J_ID + ch.dir.serviceId.length(ue) + J_CRED + CREDENTIAL_LENGTH + 2 + (pl > 0 ? J_PROFILE + pl : 0);
}

/** A UE's registration entry as the gateway sends it. */
export function regEntry(ch: Channel, ue: number): RegistrationEntry {
  const e: RegistrationEntry = { ueServiceId: ch.dir.serviceId.render(ue), ueCredential: ch.dir.gatewayCredential(ue) };
  const p = ch.dir.profile(ue);
  if (p !== undefined) e.clientProfile = p;
  return e;
}

function resultEntryLength(idLen: number, resultKeyLen: number, cause: number): number {
  return J_ID + idLen + resultKeyLen + RESULT_LEN + 2 + (cause > 0 ? J_CAUSE + causeOf(cause).length + 1 : 0);
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Transport association of a request and its response (not IEs): connection slot and request number. */
export interface Exchange {
  readonly tx: number;
  readonly conn: number;
}

// ---- individual registration (Table 8.2.3-1 → Table 8.2.1-4) ------------------------------------

export class RegistrationRequest implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind = 'registration';
  readonly entries = 1;
  readonly procedure = PROCEDURE[REG];
  readonly rules = RULES.individualReg;
  readonly bytes: number;
  readonly method = 'POST';
  readonly path = PATH.registrations;

  constructor(
    readonly ch: Channel,
    /** The UE, or -1 when the request names none the model knows (parsed input). */
    readonly sub: number,
    readonly tx: number,
    readonly conn: number,
    readonly why: IndividualReason,
    /** Explicit IEs (parsed or test input); otherwise derived from the UE. */
    readonly explicit?: RegistrationEntry,
  ) {
    const len = explicit ? byteLength(JSON.stringify(explicit)) : regEntryLength(ch, sub);
    this.bytes = requestHeadLength('POST', this.path.length, ch, len) + len;
  }

  body(): RegistrationEntry {
    return this.explicit ?? regEntry(this.ch, this.sub);
  }

  wire(): string {
    const b = JSON.stringify(this.body());
    return requestHead('POST', this.path, this.ch, byteLength(b)) + b;
  }
}

export class RegistrationResponse implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind: string;
  readonly entries = 1;
  readonly procedure = PROCEDURE[REG];
  readonly rules = RULES.none;
  readonly bytes: number;

  constructor(
    readonly ch: Channel,
    readonly sub: number,
    readonly tx: number,
    readonly conn: number,
    readonly status: number,
    /** 0 success, else the failure cause's code. */
    readonly cause: number,
    /** Observation: the server's per-entry flags (OBS_*). */
    readonly observed: number,
    /** The UE Service ID to echo when the request's does not name a known UE (undefined: derive from sub). */
    readonly echoId?: string | null,
    readonly retryAfterS?: number,
    readonly explicit?: RegistrationResultEntry,
  ) {
    this.kind = kindOf(status, 'registration');
    const fast = !explicit && echoId === undefined;
    const idLen = fast ? ch.dir.serviceId.length(sub) : byteLength(this.ueServiceId() ?? '');
    const len = fast ? resultEntryLength(idLen, J_REGRES, cause) : byteLength(JSON.stringify(this.body()));
    // 201 Created names the new resource (as TS 29.538's registrations do).
    const locationLength = status === 201 ? PATH.registrations.length + 1 + idLen : undefined;
    this.bytes = responseHeadLength(status, len, { locationLength, retryAfterS }) + len;
  }

  private headOptions(): ResponseHeadOptions {
    return {
      location: this.status === 201 ? `${PATH.registrations}/${this.ueServiceId() ?? ''}` : undefined,
      retryAfterS: this.retryAfterS,
    };
  }

  private ueServiceId(): string | undefined {
    if (this.explicit) return typeof this.explicit.ueServiceId === 'string' ? this.explicit.ueServiceId : undefined;
    if (this.echoId !== undefined) return this.echoId ?? undefined;
    return this.sub >= 0 ? this.ch.dir.serviceId.render(this.sub) : undefined;
  }

  body(): RegistrationResultEntry {
    if (this.explicit) return this.explicit;
    const id = this.ueServiceId();
    const e: RegistrationResultEntry = {};
    if (id !== undefined) e.ueServiceId = id;
    e.registrationResult = this.cause === 0 ? 'SUCCESS' : 'FAILURE';
    if (this.cause !== 0) e.failureCause = causeOf(this.cause);
    return e;
  }

  get success(): boolean {
    return this.cause === 0 && this.status < 300;
  }

  wire(): string {
    const b = JSON.stringify(this.body());
    return responseHead(this.status, byteLength(b), this.headOptions()) + b;
  }
}

// ---- individual de-registration (Table 8.2.4-1 → Table 8.2.4-2) ----------------------------------

export class DeregistrationRequest implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind = 'deregistration';
  readonly entries = 1;
  readonly procedure = PROCEDURE[DEREG];
  readonly rules = RULES.individualDereg;
  readonly bytes: number;
  readonly method = 'DELETE';

  constructor(
    readonly ch: Channel,
    readonly sub: number,
    readonly tx: number,
    readonly conn: number,
    readonly why: IndividualReason,
    readonly explicit?: DeregistrationEntry,
  ) {
    // §8.2.4 step 2: the UE Service ID is the resource the DELETE names; the request has no body.
    const idLen = explicit ? byteLength(explicit.ueServiceId ?? '') : ch.dir.serviceId.length(sub);
    this.bytes = requestHeadLength('DELETE', PATH.registrations.length + 1 + idLen, ch, -1);
  }

  body(): DeregistrationEntry {
    return this.explicit ?? { ueServiceId: this.ch.dir.serviceId.render(this.sub) };
  }

  get path(): string {
    return `${PATH.registrations}/${this.body().ueServiceId ?? ''}`;
  }

  wire(): string {
    return requestHead('DELETE', this.path, this.ch, -1);
  }

  /** 23.554:8.2.4/2: the UE Service ID (Table 8.2.4-1) is the path segment the DELETE names. */
  wireMarked(): { wire: string; marks: readonly WireMark[] } {
    const wire = this.wire();
    const id = this.body().ueServiceId ?? '';
    const start = 'DELETE '.length + PATH.registrations.length + 1;
    return { wire, marks: id ? [{ rule: '23.554:8.2.4/2', start, end: start + id.length }] : [] };
  }
}

export class DeregistrationResponse implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind: string;
  readonly entries = 1;
  readonly procedure = PROCEDURE[DEREG];
  readonly rules = RULES.deregResponse;
  readonly bytes: number;

  constructor(
    readonly ch: Channel,
    readonly sub: number,
    readonly tx: number,
    readonly conn: number,
    readonly status: number,
    readonly cause: number,
    readonly observed: number,
    readonly echoId?: string | null,
    readonly retryAfterS?: number,
    readonly explicit?: DeregistrationResultEntry,
  ) {
    this.kind = kindOf(status, 'deregistration');
    const len = explicit || echoId !== undefined ? byteLength(JSON.stringify(this.body())) : resultEntryLength(ch.dir.serviceId.length(sub), J_DEREGRES, cause);
    this.bytes = responseHeadLength(status, len, { retryAfterS }) + len;
  }

  body(): DeregistrationResultEntry {
    if (this.explicit) return this.explicit;
    const id = this.echoId !== undefined ? (this.echoId ?? undefined) : this.sub >= 0 ? this.ch.dir.serviceId.render(this.sub) : undefined;
    const e: DeregistrationResultEntry = {};
    if (id !== undefined) e.ueServiceId = id;
    e.deregistrationResult = this.cause === 0 ? 'SUCCESS' : 'FAILURE';
    if (this.cause !== 0) e.failureCause = causeOf(this.cause);
    return e;
  }

  get success(): boolean {
    return this.cause === 0 && this.status < 300;
  }

  wire(): string {
    const b = JSON.stringify(this.body());
    return responseHead(this.status, byteLength(b), { retryAfterS: this.retryAfterS }) + b;
  }

  /** 23.554:8.2.4/4: UE Service ID, De-registration result and Failure Cause of Table 8.2.4-2. */
  wireMarked(): { wire: string; marks: readonly WireMark[] } {
    const wire = this.wire();
    const step4 = ['23.554:8.2.4/4'];
    return { wire, marks: fieldMarks(wire, wire.indexOf('\r\n\r\n') + 4, { ueServiceId: step4, deregistrationResult: step4, failureCause: step4 }) };
  }
}

// ---- bulk registration and de-registration (Tables 8.2.X-1 / 8.2.X-2) ----------------------------

/** A bulk request, registration or de-registration: one message, `entries` = n, `subs` = the n UEs. */
export class BulkRequest implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind: 'bulk-registration' | 'bulk-deregistration';
  readonly entries: number;
  readonly sub = -1;
  readonly procedure: string;
  readonly rules: readonly string[];
  readonly bytes: number;
  readonly method = 'POST';
  readonly path: string;

  constructor(
    readonly op: Op,
    readonly ch: Channel,
    /** The UEs of the list, in list order (-1 for an entry naming no known UE in parsed input). */
    readonly subs: Int32Array,
    readonly tx: number,
    readonly conn: number,
    /** Observation: the bulking policy the gateway applied (rule 8.2.X/1). */
    readonly policy: BulkPolicySnapshot | undefined,
    readonly explicit?: BulkRegistrationBody | BulkDeregistrationBody,
  ) {
    this.kind = op === REG ? 'bulk-registration' : 'bulk-deregistration';
    this.procedure = PROCEDURE[op];
    this.rules = op === REG ? RULES.bulkReg : RULES.bulkDereg;
    this.path = op === REG ? PATH.bulkRegistrations : PATH.bulkDeregistrations;
    const list = explicit?.requests;
    this.entries = Array.isArray(list) ? list.length : explicit ? 0 : subs.length;
    let len: number;
    if (explicit) len = byteLength(JSON.stringify(explicit));
    else {
      const n = subs.length;
      // {"bulkRegistrationIndicator":true,"numberOfRequests":N,"requests":[e1,…,en]}
      len = L(`{"${op === REG ? 'bulkRegistrationIndicator' : 'bulkDeregistrationIndicator'}":true,"numberOfRequests":`) + digitsOf(n) + L(',"requests":[]}') + (n > 0 ? n - 1 : 0);
      if (op === REG) for (let i = 0; i < n; i++) len += regEntryLength(ch, subs[i]);
      else for (let i = 0; i < n; i++) len += J_DEREG_ENTRY + ch.dir.serviceId.length(subs[i]);
    }
    this.bytes = requestHeadLength('POST', this.path.length, ch, len) + len;
  }

  body(): BulkRegistrationBody | BulkDeregistrationBody {
    if (this.explicit) return this.explicit;
    const n = this.subs.length;
    if (this.op === REG) {
      const requests: RegistrationEntry[] = new Array(n);
      for (let i = 0; i < n; i++) requests[i] = regEntry(this.ch, this.subs[i]);
      return { bulkRegistrationIndicator: true, numberOfRequests: n, requests };
    }
    const requests: DeregistrationEntry[] = new Array(n);
    for (let i = 0; i < n; i++) requests[i] = { ueServiceId: this.ch.dir.serviceId.render(this.subs[i]) };
    return { bulkDeregistrationIndicator: true, numberOfRequests: n, requests };
  }

  /** The bulk indicator IE (registration or de-registration form). */
  indicator(): unknown {
    const b = this.body() as Record<string, unknown>;
    return this.op === REG ? b.bulkRegistrationIndicator : b.bulkDeregistrationIndicator;
  }

  /** The list IE, or undefined when absent or not a list. */
  list(): (RegistrationEntry | DeregistrationEntry)[] | undefined {
    const r = (this.body() as { requests?: unknown }).requests;
    return Array.isArray(r) ? r : undefined;
  }

  wire(): string {
    const b = JSON.stringify(this.body());
    return requestHead('POST', this.path, this.ch, byteLength(b)) + b;
  }

  /** 23.554:8.2.X/2: Table 8.2.X-1's indicator, count and list (for de-registration, each entry is Table 8.2.4-1's). */
  wireMarked(): { wire: string; marks: readonly WireMark[] } {
    const wire = this.wire();
    const step2 = ['23.554:8.2.X/2'];
    const list = this.op === REG ? step2 : ['23.554:8.2.X/2', '23.554:8.2.4/2'];
    const fields = { bulkRegistrationIndicator: step2, bulkDeregistrationIndicator: step2, numberOfRequests: step2, requests: list };
    return { wire, marks: fieldMarks(wire, wire.indexOf('\r\n\r\n') + 4, fields) };
  }
}

/**
 * A bulk response: 200 with one entry per request entry in the request's order (Table 8.2.X-2), or
 * a whole-request error (problem details with our cause) when the bulk as a whole was refused.
 */
export class BulkResponse implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind: string;
  readonly entries: number;
  readonly sub = -1;
  readonly procedure: string;
  readonly rules: readonly string[];
  readonly bytes: number;

  constructor(
    readonly op: Op,
    readonly ch: Channel,
    readonly status: number,
    /** The UEs of the response list, in list order (the request's, for a well-behaved server). */
    readonly subs: Int32Array,
    /** Per entry: 0 success, else the cause code. Empty for a whole-request error. */
    readonly results: Uint8Array,
    readonly tx: number,
    readonly conn: number,
    /** Observation: per-entry OBS_* flags, the server's store read back after each entry. */
    readonly observed: Uint8Array | undefined,
    /** Whole-request error: the problem. */
    readonly problem?: ProblemBody,
    /** Per entry: the UE Service ID to echo when it names no known UE (null: the entry had none). */
    readonly echoIds?: readonly (string | null | undefined)[],
    readonly retryAfterS?: number,
    readonly explicit?: BulkRegistrationResultBody | BulkDeregistrationResultBody,
  ) {
    this.kind = kindOf(status, op === REG ? 'bulk-registration' : 'bulk-deregistration');
    this.procedure = PROCEDURE[op];
    this.rules = op === REG ? RULES.bulkRegResponse : RULES.bulkDeregResponse;
    const list = explicit?.responses;
    this.entries = Array.isArray(list) ? list.length : explicit ? 0 : problem ? Math.max(1, subs.length) : subs.length;
    let len: number;
    if (explicit || problem || echoIds) len = byteLength(JSON.stringify(this.body()));
    else {
      const n = subs.length;
      const key = op === REG ? J_REGRES : J_DEREGRES;
      len = L(`{"${op === REG ? 'bulkRegistrationResponseIndicator' : 'bulkDeregistrationResponseIndicator'}":true,"numberOfResponses":`) + digitsOf(n) + L(',"responses":[]}') + (n > 0 ? n - 1 : 0);
      for (let i = 0; i < n; i++) len += resultEntryLength(ch.dir.serviceId.length(subs[i]), key, results[i]);
    }
    this.bytes = responseHeadLength(status, len, this.headOptions()) + len;
  }

  private headOptions(): ResponseHeadOptions {
    return { retryAfterS: this.retryAfterS, contentType: this.problem ? PROBLEM_TYPE : undefined };
  }

  get isProblem(): boolean {
    return this.problem !== undefined;
  }

  body(): BulkRegistrationResultBody | BulkDeregistrationResultBody | ProblemBody {
    if (this.explicit) return this.explicit;
    if (this.problem) return this.problem;
    const n = this.subs.length;
    const responses: (RegistrationResultEntry | DeregistrationResultEntry)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const e: Record<string, string> = {};
      const echo = this.echoIds?.[i];
      const id = echo !== undefined ? echo : this.subs[i] >= 0 ? this.ch.dir.serviceId.render(this.subs[i]) : null;
      if (id !== null) e.ueServiceId = id;
      e[this.op === REG ? 'registrationResult' : 'deregistrationResult'] = this.results[i] === 0 ? 'SUCCESS' : 'FAILURE';
      if (this.results[i] !== 0) e.failureCause = causeOf(this.results[i]);
      responses[i] = e;
    }
    return this.op === REG
      ? { bulkRegistrationResponseIndicator: true, numberOfResponses: n, responses }
      : { bulkDeregistrationResponseIndicator: true, numberOfResponses: n, responses };
  }

  indicator(): unknown {
    const b = this.body() as Record<string, unknown>;
    return this.op === REG ? b.bulkRegistrationResponseIndicator : b.bulkDeregistrationResponseIndicator;
  }

  list(): (RegistrationResultEntry | DeregistrationResultEntry)[] | undefined {
    const r = (this.body() as { responses?: unknown }).responses;
    return Array.isArray(r) ? r : undefined;
  }

  wire(): string {
    const b = JSON.stringify(this.body());
    return responseHead(this.status, byteLength(b), this.headOptions()) + b;
  }

  /** 23.554:8.2.X/4: Table 8.2.X-2's indicator, count and list of individual responses. */
  wireMarked(): { wire: string; marks: readonly WireMark[] } {
    const wire = this.wire();
    const step4 = ['23.554:8.2.X/4'];
    const list = this.op === REG ? step4 : ['23.554:8.2.X/4', '23.554:8.2.4/4'];
    const fields = { bulkRegistrationResponseIndicator: step4, bulkDeregistrationResponseIndicator: step4, numberOfResponses: step4, responses: list };
    return { wire, marks: fieldMarks(wire, wire.indexOf('\r\n\r\n') + 4, fields) };
  }
}

// ---- per-UE authentication round trip (the 'per-ue' authentication policy; ours) -----------------

/**
 * The server's challenge to the gateway on behalf of one Non-MSGin5G UE (§8.2.4 step 3, §8.2.X
 * step 3: "executes the authentication procedures with the Message Gateway on behalf of the
 * Non-MSGin5G Client"). TS 33.501 Annex Y leaves the exchange to the transport; RegLab models it
 * as one HTTP round trip per UE on the gateway's own (non-standard) API.
 */
export class UeAuthRequest implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind = 'ue-authentication';
  readonly entries = 1;
  readonly bytes: number;
  readonly procedure: string;
  readonly rules: readonly string[];
  readonly method = 'POST';
  readonly path = PATH.ueAuthentications;

  constructor(
    readonly ch: Channel,
    readonly sub: number,
    /** The server's pending request this challenge belongs to, and the entry in it. */
    readonly tx: number,
    readonly conn: number,
    readonly entry: number,
    readonly op: Op,
    readonly challenge: number,
  ) {
    this.procedure = PROCEDURE[op];
    this.rules = op === REG ? RULES.authReg : RULES.authDereg;
    const len = L('{"ueServiceId":"","challenge":""}') + ch.dir.serviceId.length(sub) + 8;
    this.bytes = requestHeadLength('POST', this.path.length, ch, len) + len;
  }

  body(): { ueServiceId: string; challenge: string } {
    return { ueServiceId: this.ch.dir.serviceId.render(this.sub), challenge: (this.challenge >>> 0).toString(16).padStart(8, '0') };
  }

  wire(): string {
    const b = JSON.stringify(this.body());
    return requestHead('POST', this.path, this.ch, b.length) + b;
  }
}

export class UeAuthResponse implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind = '200 ue-authentication';
  readonly entries = 1;
  readonly bytes: number;
  readonly procedure: string;
  readonly rules = RULES.none;

  constructor(
    readonly ch: Channel,
    readonly sub: number,
    readonly tx: number,
    readonly conn: number,
    readonly entry: number,
    readonly op: Op,
    readonly response: string,
  ) {
    this.procedure = PROCEDURE[op];
    const len = L('{"ueServiceId":"","challengeResponse":""}') + ch.dir.serviceId.length(sub) + response.length;
    this.bytes = responseHeadLength(200, len) + len;
  }

  body(): { ueServiceId: string; challengeResponse: string } {
    return { ueServiceId: this.ch.dir.serviceId.render(this.sub), challengeResponse: this.response };
  }

  wire(): string {
    const b = JSON.stringify(this.body());
    return responseHead(200, b.length) + b;
  }
}

// ---- raw text (bad input, emulation) -------------------------------------------------------------

/**
 * An HTTP request as text, for input the model did not build (a bad-input test, a fault, the
 * emulation lab). The server runs it through the strict parser (codec.ts) before anything else.
 */
export class RawHttpRequest implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind = 'http-request';
  readonly entries = 1;
  readonly sub: number;
  readonly bytes: number;
  constructor(
    readonly text: string,
    readonly tx: number,
    readonly conn: number,
    sub = -1,
  ) {
    this.sub = sub;
    this.bytes = byteLength(text);
  }
  wire(): string {
    return this.text;
  }
}

/** A whole-request error to a request that could not be read far enough to know what it was. */
export class ProblemResponse implements Message, Exchange {
  readonly proto = 'msgin5g';
  readonly kind: string;
  readonly entries = 1;
  readonly bytes: number;
  constructor(
    readonly status: number,
    readonly problem: ProblemBody,
    readonly tx: number,
    readonly conn: number,
    readonly sub = -1,
  ) {
    this.kind = kindOf(status, 'http-request');
    const b = JSON.stringify(problem);
    this.bytes = responseHeadLength(status, byteLength(b), { contentType: PROBLEM_TYPE }) + byteLength(b);
  }
  body(): ProblemBody {
    return this.problem;
  }
  wire(): string {
    const b = JSON.stringify(this.problem);
    return responseHead(this.status, byteLength(b), { contentType: PROBLEM_TYPE }) + b;
  }
}

export type Msgin5gRequest = RegistrationRequest | DeregistrationRequest | BulkRequest;
export type Msgin5gResponse = RegistrationResponse | DeregistrationResponse | BulkResponse;

/** A registration or de-registration request of the API, individual or bulk (not a raw or per-UE authentication one). */
export function isMsgin5gRequest(m: unknown): m is Msgin5gRequest {
  return m instanceof RegistrationRequest || m instanceof DeregistrationRequest || m instanceof BulkRequest;
}

/** An answer to a Msgin5gRequest (not a ProblemResponse to a raw request). */
export function isMsgin5gResponse(m: unknown): m is Msgin5gResponse {
  return m instanceof RegistrationResponse || m instanceof DeregistrationResponse || m instanceof BulkResponse;
}

export function problem(cause: FailureCause, status: number, detail?: string): ProblemBody {
  const p: ProblemBody = { status, cause };
  if (detail !== undefined) p.detail = detail;
  return p;
}

// Response kinds show the status, as SIP's '200 REGISTER' does; interned so no string is built per message.
const KINDS = new Map<string, string[]>();
function kindOf(status: number, what: string): string {
  let byStatus = KINDS.get(what);
  if (byStatus === undefined) KINDS.set(what, (byStatus = []));
  return (byStatus[status] ??= `${status} ${what}`);
}

function digitsOf(n: number): number {
  return n < 10 ? 1 : String(n).length;
}
