import type { TraceEntry } from '../observe/recorder.ts';
import type { PcapFrame } from '../observe/pcapng.ts';
import { HTTP_PORT } from './http.ts';
import { isMsgin5gRequest, isMsgin5gResponse, ProblemResponse, RawHttpRequest, UeAuthRequest, UeAuthResponse } from './messages.ts';

/** First client port of a gateway's connections to a server: connection k uses CLIENT_PORT + k. */
export const CLIENT_PORT = 49152;
/** First client port of a server's connections to a gateway (per-UE authentication). */
export const AUTH_CLIENT_PORT = 40000;

/**
 * Capture frames of a watched MSGin5G message: HTTP/1.1 over TCP, as the encoding is. Each of a
 * gateway's connections to a server is its own TCP connection (client port 49152 + k, server port
 * 8080), so one connection carries one request at a time, as HTTP/1.1 without pipelining does;
 * the server's per-UE authentication requests to the gateway use the server's own client port.
 * sim/observe/pcapng.ts builds the streams (handshake, segmentation, sequence numbers).
 */
export function msgin5gFrames(e: TraceEntry, addressOf: (nodeId: string) => string): PcapFrame[] {
  const m = e.msg;
  const src = addressOf(e.rec.from);
  const dst = addressOf(e.rec.to);
  const payload = Buffer.from(e.rec.wire, 'utf8');
  const t = e.rec.t;
  const port = (conn: number, base: number) => base + (((conn % 16000) + 16000) % 16000);
  if (isMsgin5gRequest(m) || m instanceof RawHttpRequest) {
    return [{ t, transport: 'tcp', src: { ip: src, port: port(m.conn, CLIENT_PORT) }, dst: { ip: dst, port: HTTP_PORT }, payload }];
  }
  if (isMsgin5gResponse(m) || m instanceof ProblemResponse) {
    return [{ t, transport: 'tcp', src: { ip: src, port: HTTP_PORT }, dst: { ip: dst, port: port(m.conn, CLIENT_PORT) }, payload }];
  }
  if (m instanceof UeAuthRequest) {
    return [{ t, transport: 'tcp', src: { ip: src, port: port(m.conn, AUTH_CLIENT_PORT) }, dst: { ip: dst, port: HTTP_PORT }, payload }];
  }
  if (m instanceof UeAuthResponse) {
    return [{ t, transport: 'tcp', src: { ip: src, port: HTTP_PORT }, dst: { ip: dst, port: port(m.conn, AUTH_CLIENT_PORT) }, payload }];
  }
  return [];
}
