import type { TraceEntry } from '../observe/recorder.ts';
import type { PcapFrame } from '../observe/pcapng.ts';
import { CxMessage } from './cx.ts';
import { RawSip } from './raw-sip.ts';
import { ImsSip } from './sip-message.ts';

/** Diameter's port (RFC 6733); the requesting side uses an ephemeral port. */
const DIAMETER_PORT = 3868;
const DIAMETER_CLIENT_PORT = 45000;

/**
 * The IMS contribution to trace.pcapng: SIP on port 5060 — over UDP, or TCP where the hop's Via says
 * TCP (stream links) — with the exact wire text as payload; Cx as Diameter over TCP port 3868 with
 * the real encoding, so Wireshark dissects both (checked with tshark in test/ims/).
 */
export function imsPcapFrames(e: TraceEntry, addressOf: (nodeId: string) => string): PcapFrame[] {
  const m = e.msg;
  const src = addressOf(e.rec.from);
  const dst = addressOf(e.rec.to);
  if (m instanceof CxMessage) {
    const req = m.request;
    return [
      {
        t: e.rec.t,
        src: { ip: src, port: req ? DIAMETER_CLIENT_PORT : DIAMETER_PORT },
        dst: { ip: dst, port: req ? DIAMETER_PORT : DIAMETER_CLIENT_PORT },
        transport: 'tcp',
        payload: m.encode(),
      },
    ];
  }
  if (e.rec.proto !== 'sip') return [];
  let payload: Uint8Array;
  let tcp = false;
  if (m instanceof ImsSip) {
    payload = Buffer.from(m.wire(), 'utf8');
    tcp = m.via !== null && m.via.tcp;
  } else if (m instanceof RawSip) payload = m.data;
  else {
    const w = (m as { wireBytes?: () => Uint8Array }).wireBytes;
    payload = w ? w.call(m) : Buffer.from(m.wire?.() ?? '', 'utf8');
  }
  return [{ t: e.rec.t, src: { ip: src, port: 5060 }, dst: { ip: dst, port: 5060 }, transport: tcp ? 'tcp' : 'udp', payload }];
}
