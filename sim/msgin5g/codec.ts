import type { FailureCause } from './causes.ts';
import { causeCode, isCause } from './causes.ts';
import { API_ROOT, ENCODING_HEADER, GW_API_ROOT, PATH, type Channel } from './http.ts';
import { DEREG, REG, type Op } from './ies.ts';
import type { BulkDeregistrationBody, BulkRegistrationBody, DeregistrationEntry, RegistrationEntry, ProblemBody } from './ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationRequest,
  DeregistrationResponse,
  RegistrationRequest,
  RegistrationResponse,
  type Msgin5gRequest,
  type Msgin5gResponse,
} from './messages.ts';
import type { UeDirectory } from './ue-directory.ts';

/**
 * The strict reader of RegLab's (non-standard) MSGin5G HTTP/1.1 encoding. Everything a node
 * receives as text goes through here before it is trusted (DESIGN principle 7): the head must be
 * HTTP/1.1 with a Content-Length matching the body, the body JSON. What it yields is a message
 * with explicit IEs; whether those IEs are complete and consistent (count vs list, mandatory IEs)
 * is judged by validate.ts, so the server answers a parsed and a built message the same way.
 */

export interface ParsedHead {
  method?: string;
  path?: string;
  status?: number;
  /** Header names lower-cased; a repeated header keeps its first value (Content-Length may not repeat). */
  headers: Map<string, string>;
  body: string;
}

export interface ParseError {
  readonly parseError: true;
  status: number;
  cause: FailureCause;
  detail: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Splits an HTTP/1.1 message into start line, headers and body; errors name what is wrong. */
export function parseHead(text: string, kind: 'request' | 'response'): ParsedHead | ParseError {
  const bad = (detail: string): ParseError => perr(400, 'MALFORMED_REQUEST', detail);
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return bad('the head does not end with an empty line (CRLF CRLF)');
  const lines = text.slice(0, end).split('\r\n');
  const body = text.slice(end + 4);
  const out: ParsedHead = { headers: new Map(), body };
  const start = lines[0];
  if (kind === 'request') {
    const m = /^([A-Z]+) (\/[^ ]*) HTTP\/1\.1$/.exec(start);
    if (!m) return bad(`request line '${start.slice(0, 80)}' is not 'METHOD /path HTTP/1.1'`);
    out.method = m[1];
    out.path = m[2];
  } else {
    const m = /^HTTP\/1\.1 ([1-5][0-9][0-9]) [^\r\n]*$/.exec(start);
    if (!m) return bad(`status line '${start.slice(0, 80)}' is not 'HTTP/1.1 NNN Reason'`);
    out.status = Number(m[1]);
  }
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    const c = l.indexOf(':');
    if (c <= 0 || !TOKEN.test(l.slice(0, c))) return bad(`header line ${i} '${l.slice(0, 80)}' is not 'Name: value'`);
    const name = l.slice(0, c).toLowerCase();
    const value = l.slice(c + 1).trim();
    if (out.headers.has(name)) {
      if (name === 'content-length') return bad('Content-Length appears more than once');
      continue;
    }
    out.headers.set(name, value);
  }
  const cl = out.headers.get('content-length');
  const bodyBytes = Buffer.byteLength(body, 'utf8');
  if (cl === undefined) {
    if (bodyBytes > 0) return perr(411, 'MALFORMED_REQUEST', 'a body without Content-Length');
  } else {
    if (!/^[0-9]{1,9}$/.test(cl)) return bad(`Content-Length '${cl}' is not a number`);
    if (Number(cl) !== bodyBytes) return bad(`Content-Length says ${cl} bytes but the body has ${bodyBytes}`);
  }
  return out;
}

function isError(x: unknown): x is ParseError {
  return typeof x === 'object' && x !== null && (x as { parseError?: unknown }).parseError === true;
}

function perr(status: number, cause: FailureCause, detail: string): ParseError {
  // A detail quotes what was received (a Content-Type, a path, a method): a hostile one must not make it kilobytes long.
  const d = detail.length > 300 ? detail.slice(0, 200) + ' ... ' + detail.slice(-60) : detail;
  return { parseError: true, status, cause, detail: d };
}

function parseJson(h: ParsedHead): { value: unknown } | ParseError {
  const ct = (h.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (ct !== 'application/json' && ct !== 'application/problem+json') {
    return perr(415, 'MALFORMED_REQUEST', `Content-Type '${ct || '(none)'}' — the API takes application/json`);
  }
  try {
    return { value: JSON.parse(h.body) as unknown };
  } catch (err) {
    return perr(400, 'MALFORMED_REQUEST', `the body is not JSON: ${(err as Error).message}`);
  }
}

/** The channel a parsed request arrived on: its Host, User-Agent and bearer token as sent. */
function channelOf(h: ParsedHead, dir: UeDirectory, gateway: string): Channel {
  const auth = h.headers.get('authorization');
  const m = auth ? /^Bearer (\S+)$/.exec(auth) : null;
  const ch: Channel = { host: h.headers.get('host') ?? '', userAgent: h.headers.get('user-agent') ?? '', gateway, dir };
  if (m) ch.token = m[1];
  return ch;
}

/**
 * Reads a request to the server's API into a message with explicit IEs, or says why it cannot:
 * unknown resource (404/405), no JSON (415/400), a broken head (400/411).
 */
export function parseRequest(text: string, dir: UeDirectory, gateway: string, tx: number, conn: number): Msgin5gRequest | ParseError {
  const h = parseHead(text, 'request');
  if (isError(h)) return h;
  const ch = channelOf(h, dir, gateway);
  const path = h.path!;
  const method = h.method!;
  const known = [PATH.registrations, PATH.bulkRegistrations, PATH.bulkDeregistrations];
  if (path.startsWith(`${PATH.registrations}/`)) {
    if (method !== 'DELETE') return perr(405, 'UNKNOWN_RESOURCE', `${method} on a registration: only DELETE is allowed`);
    if (h.body.length > 0) return perr(400, 'MALFORMED_REQUEST', 'a de-registration (DELETE) carries no body');
    const id = decodeSegment(path.slice(PATH.registrations.length + 1));
    const entry: DeregistrationEntry = id === '' ? {} : { ueServiceId: id };
    return new DeregistrationRequest(ch, dir.ueOf(entry.ueServiceId), tx, conn, 'test', entry);
  }
  if (!known.includes(path as (typeof known)[number])) {
    return perr(404, 'UNKNOWN_RESOURCE', `no resource ${path.slice(0, 80)} (the API root is ${API_ROOT})`);
  }
  if (method !== 'POST') return perr(405, 'UNKNOWN_RESOURCE', `${method} ${path}: only POST is allowed`);
  const j = parseJson(h);
  if (isError(j)) return j;
  const v = j.value;
  if (path === PATH.registrations) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return perr(400, 'MALFORMED_REQUEST', 'the body is not a JSON object');
    const e = v as RegistrationEntry;
    return new RegistrationRequest(ch, dir.ueOf(e.ueServiceId), tx, conn, 'test', e);
  }
  const op: Op = path === PATH.bulkRegistrations ? REG : DEREG;
  // Whether indicator, count and list are right is the server's judgement (validate.ts checkBulk).
  const body = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { requests: v }) as BulkRegistrationBody | BulkDeregistrationBody;
  const list: unknown[] = Array.isArray(body.requests) ? body.requests : [];
  const subs = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as { ueServiceId?: unknown } | null;
    subs[i] = e && typeof e === 'object' && typeof e.ueServiceId === 'string' ? dir.ueOf(e.ueServiceId) : -1;
  }
  return new BulkRequest(op, ch, subs, tx, conn, undefined, body);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Reads the response to `req` (HTTP/1.1 pairs them by connection order) into a message with explicit IEs. */
export function parseResponse(text: string, req: Msgin5gRequest): Msgin5gResponse | ParseError {
  const h = parseHead(text, 'response');
  if (isError(h)) return h;
  if (!h.headers.has(ENCODING_HEADER.toLowerCase())) {
    return perr(400, 'MALFORMED_REQUEST', `no ${ENCODING_HEADER} header: not RegLab's non-standard encoding`);
  }
  const j = parseJson(h);
  if (isError(j)) return j;
  // Every response body RegLab reads is an object: a string, number or list cannot be read as IEs.
  if (typeof j.value !== 'object' || j.value === null || Array.isArray(j.value)) return perr(400, 'MALFORMED_REQUEST', 'the response body is not a JSON object');
  const v = j.value as Record<string, unknown>;
  const status = h.status!;
  const retry = h.headers.get('retry-after');
  const retryAfterS = retry !== undefined && /^[0-9]+$/.test(retry) ? Number(retry) : undefined;
  const { ch, tx, conn } = req;
  const ctype = (h.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (req instanceof BulkRequest) {
    if (ctype === 'application/problem+json') {
      const p = v as unknown as ProblemBody;
      return new BulkResponse(req.op, ch, status, req.subs, new Uint8Array(0), tx, conn, undefined, p, undefined, retryAfterS);
    }
    const list = Array.isArray(v?.responses) ? (v.responses as { ueServiceId?: unknown }[]) : [];
    const subs = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) subs[i] = typeof list[i]?.ueServiceId === 'string' ? ch.dir.ueOf(list[i].ueServiceId as string) : -1;
    return new BulkResponse(req.op, ch, status, subs, new Uint8Array(list.length), tx, conn, undefined, undefined, undefined, retryAfterS, v as never);
  }
  // The result code the gateway acts on: 0 only for an explicit SUCCESS; an unreadable failure is 255.
  const result = v?.registrationResult ?? v?.deregistrationResult;
  const code = result === 'SUCCESS' ? 0 : isCause(v?.failureCause) ? causeCode(v.failureCause) : 255;
  if (req instanceof RegistrationRequest) {
    return new RegistrationResponse(ch, req.sub, tx, conn, status, code, 0, undefined, retryAfterS, v as never);
  }
  return new DeregistrationResponse(ch, req.sub, tx, conn, status, code, 0, undefined, retryAfterS, v as never);
}

/** Path of the gateway's authentication API, for routing in the emulation lab. */
export const GATEWAY_PATHS = [PATH.ueAuthentications, GW_API_ROOT] as const;

export function isParseError(x: unknown): x is ParseError {
  return isError(x);
}
