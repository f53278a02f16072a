import { REASON } from './causes.ts';
import { digits, type UeDirectory } from './ue-directory.ts';

/**
 * RegLab's own HTTP/1.1 encoding of MSGin5G-2/4 registration — NON-STANDARD: 3GPP defines no
 * stage-3 API for a Message Gateway registering Non-MSGin5G UEs (REFERENCE.md §4), so this API is
 * modelled on the style of TS 29.538 (JSON bodies, POST to a collection, DELETE of a resource) and
 * says so in a header of every message, in the OpenAPI file (docs/openapi/msgin5g-gateway.yaml)
 * and in docs/msgin5g.md.
 *
 * Header order is fixed, so a message's size is a sum of constants plus the lengths of the few
 * variable parts: messages compute `bytes` without rendering, and tests check the two agree.
 */
export const ENCODING_HEADER = 'X-RegLab-Encoding';
export const ENCODING_LABEL = 'non-standard (no 3GPP stage-3 API for MSGin5G-2/4 registration)';

/** API root of the server's registration API (ours). */
export const API_ROOT = '/reglab-msgin5g/v1';
/** API root of the gateway's per-UE authentication API (ours, used only by the per-ue policy). */
export const GW_API_ROOT = '/reglab-msgin5g-gw/v1';

export const PATH = {
  registrations: `${API_ROOT}/registrations`,
  bulkRegistrations: `${API_ROOT}/bulk-registrations`,
  bulkDeregistrations: `${API_ROOT}/bulk-deregistrations`,
  ueAuthentications: `${GW_API_ROOT}/ue-authentications`,
} as const;

export const HTTP_PORT = 8080;
export const JSON_TYPE = 'application/json';
export const PROBLEM_TYPE = 'application/problem+json';

/**
 * Who talks to whom: what a request's head needs besides its body. One per gateway→server (and
 * server→gateway) direction, shared by every message on it.
 */
export interface Channel {
  /** Host header: the addressee's node id and port. */
  host: string;
  /** User-Agent: names the sender and its reference point (MSGin5G-2 or MSGin5G-4). */
  userAgent: string;
  /** Bearer token authenticating the sending gateway per request (absent on server→gateway requests). */
  token?: string;
  /** Node id of the gateway this channel belongs to. */
  gateway: string;
  /** The UE facts that render UE Service IDs, credentials and profiles. */
  dir: UeDirectory;
}

const CRLF = '\r\n';
const ENC_LINE = `${ENCODING_HEADER}: ${ENCODING_LABEL}${CRLF}`;

/** The request head (start line + headers + blank line). `contentLength` < 0: no body headers. */
export function requestHead(method: string, path: string, ch: Channel, contentLength: number): string {
  let h = `${method} ${path} HTTP/1.1${CRLF}Host: ${ch.host}${CRLF}User-Agent: ${ch.userAgent}${CRLF}`;
  if (ch.token !== undefined) h += `Authorization: Bearer ${ch.token}${CRLF}`;
  if (contentLength >= 0) h += `Content-Type: ${JSON_TYPE}${CRLF}Content-Length: ${contentLength}${CRLF}`;
  return h + ENC_LINE + CRLF;
}

/** Length of requestHead() without building it. */
export function requestHeadLength(method: string, pathLength: number, ch: Channel, contentLength: number): number {
  let n = method.length + 1 + pathLength + ' HTTP/1.1\r\n'.length;
  n += 'Host: '.length + ch.host.length + 2 + 'User-Agent: '.length + ch.userAgent.length + 2;
  if (ch.token !== undefined) n += 'Authorization: Bearer '.length + ch.token.length + 2;
  if (contentLength >= 0) n += `Content-Type: ${JSON_TYPE}\r\nContent-Length: \r\n`.length + digits(contentLength);
  return n + ENC_LINE.length + 2;
}

export interface ResponseHeadOptions {
  /** Location of a created resource (201). */
  location?: string;
  /** Retry-After in whole seconds (503). */
  retryAfterS?: number;
  contentType?: string;
}

export function responseHead(status: number, contentLength: number, o: ResponseHeadOptions = {}): string {
  let h = `HTTP/1.1 ${status} ${REASON[status] ?? 'Unknown'}${CRLF}`;
  h += `Content-Type: ${o.contentType ?? JSON_TYPE}${CRLF}Content-Length: ${contentLength}${CRLF}`;
  if (o.location !== undefined) h += `Location: ${o.location}${CRLF}`;
  if (o.retryAfterS !== undefined) h += `Retry-After: ${o.retryAfterS}${CRLF}`;
  return h + ENC_LINE + CRLF;
}

/** Length of responseHead() without building it; the Location header is given by its length. */
export function responseHeadLength(status: number, contentLength: number, o: { locationLength?: number; retryAfterS?: number; contentType?: string } = {}): number {
  let n = 'HTTP/1.1 000 \r\n'.length + (REASON[status] ?? 'Unknown').length;
  n += 'Content-Type: \r\nContent-Length: \r\n'.length + (o.contentType ?? JSON_TYPE).length + digits(contentLength);
  if (o.locationLength !== undefined) n += 'Location: \r\n'.length + o.locationLength;
  if (o.retryAfterS !== undefined) n += 'Retry-After: \r\n'.length + digits(o.retryAfterS);
  return n + ENC_LINE.length + 2;
}

/** The bearer token a gateway presents (ours: a fixed-length digest of its node id). */
export function gatewayToken(gatewayId: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < gatewayId.length; i++) {
    h1 = Math.imul(h1 ^ gatewayId.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ gatewayId.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  return `gw.${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

/** The reference point a gateway kind serves (TS 23.554 §5.3.4). */
export function referencePoint(kind: 'legacy-3gpp' | 'non-3gpp'): string {
  return kind === 'legacy-3gpp' ? 'MSGin5G-2' : 'MSGin5G-4';
}
