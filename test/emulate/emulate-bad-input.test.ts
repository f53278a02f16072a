import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { encodeCer, encodePdu, readPdu, avpU32, avpText, type DiameterPdu } from '../../sim/emulate/diameter.ts';
import type { EndpointInfo } from '../../sim/emulate/wire-network.ts';
import { shortImsCore } from './lab.ts';

const portOf = (eps: EndpointInfo[], node: string, proto: string) => Number(/:(\d+)[;]/.exec(eps.find((e) => e.node === node && e.proto === proto)!.url)![1]);

/** Sends one datagram from a fresh socket and returns the first answer (or '' after 1.5 s). */
function udpAsk(port: number, text: string | Uint8Array): Promise<string> {
  return new Promise((res) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => (s.close(), res('')), 1500);
    s.on('message', (m) => (clearTimeout(t), s.close(), res(m.toString('utf8'))));
    s.send(typeof text === 'string' ? Buffer.from(text) : text, port, '127.0.0.1');
  });
}

/** Writes bytes on a new TCP connection; resolves with everything read until the peer closes or 1.5 s pass. */
function tcpAsk(port: number, chunks: Uint8Array[], until: (got: Buffer) => boolean): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let closed = false;
    const done = () => (clearTimeout(t), s.destroy(), res({ data, closed }));
    const t = setTimeout(done, 1500);
    s.on('data', (d) => {
      data = Buffer.concat([data, d]);
      if (until(data)) done();
    });
    s.on('end', () => ((closed = true), done()));
    s.on('error', () => done());
    for (const c of chunks) s.write(c);
  });
}

function pdus(b: Buffer): DiameterPdu[] {
  const out: DiameterPdu[] = [];
  let i = 0;
  while (i + 20 <= b.length) {
    const len = b.readUInt32BE(i) & 0xffffff;
    const r = readPdu(new Uint8Array(b.subarray(i, i + len)));
    if (r.ok) out.push(r.pdu);
    i += len;
  }
  return out;
}

const REGISTER_TRUNCATED =
  'REGISTER sip:ics.mnc015.mcc234.3gppnetwork.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbad1\r\nMax-Forwards: 70\r\n' +
  'From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: bad-1\r\nCSeq: 1 REGISTER\r\nContent-Length: 500\r\n\r\nshort';
const OPTIONS =
  'OPTIONS sip:192.0.2.12:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKok1\r\nMax-Forwards: 70\r\n' +
  'From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: ok-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

test('bad wire input on every transport gets the protocol’s error, is counted, and the nodes keep serving the procedure', async () => {
  const answers: Record<string, string> = {};
  let dia: DiameterPdu[] = [];
  let diaGarbage: { data: Buffer; closed: boolean } | undefined;
  let probes: Promise<void> | undefined;
  const r = await runEmulation(shortImsCore(), {
    verify: true,
    onStarted: (eps) => {
      const sip = portOf(eps, 'scscf', 'sip');
      const hss = portOf(eps, 'hss', 'diameter');
      probes = (async () => {
        answers.garbage = await udpAsk(sip, new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]));
        answers.truncated = await udpAsk(sip, REGISTER_TRUNCATED);
        const big = await tcpAsk(sip, [Buffer.from(OPTIONS.replace('Content-Length: 0', 'Content-Length: 200000'))], (b) => b.includes('\r\n\r\n'));
        answers.oversize = big.data.toString('utf8');
        const noLength = await tcpAsk(sip, [Buffer.from(OPTIONS.replace('Content-Length: 0\r\n', ''))], (b) => b.includes('\r\n\r\n'));
        answers.noLength = noLength.data.toString('utf8');
        answers.options = await udpAsk(sip, OPTIONS);
        const id = { originHost: 'probe.test', originRealm: 'test', hostIp: '127.0.0.1' };
        const unknown = encodePdu({ command: 999, flags: 0x80, app: 16777216, hopByHop: 7, endToEnd: 7 }, []);
        const got = await tcpAsk(hss, [encodeCer(id, 1, 1), unknown], (b) => pdus(b).length >= 2);
        dia = pdus(got.data);
        const bad = new Uint8Array(20);
        bad[0] = 2; // Diameter version 2
        bad[3] = 20;
        bad[4] = 0x80;
        diaGarbage = await tcpAsk(hss, [bad], () => false);
      })();
    },
  });
  await probes;
  // SIP over UDP: garbage has no Via to answer to (RFC 3261 §18.2.2): dropped and counted; a
  // truncated body (Content-Length beyond the datagram) → 400 with a reason.
  assert.equal(answers.garbage, '');
  assert.ok((r.wire.byReason['sip.malformed-unanswerable'] ?? 0) >= 1, JSON.stringify(r.wire.byReason));
  assert.match(answers.truncated, /^SIP\/2\.0 400 [^\r]*\r\n[\s\S]*Warning: 399 scscf "[^"]+"/);
  // SIP over TCP: oversize → 513 Message Too Large; no Content-Length (framing lost, RFC 3261 §18.3) → 400.
  assert.match(answers.oversize, /^SIP\/2\.0 513 /);
  assert.match(answers.noLength, /^SIP\/2\.0 400 [\s\S]*Content-Length is mandatory/);
  // A well-formed request after all that is still served (the IMS model implements no OPTIONS: 501).
  assert.match(answers.options, /^SIP\/2\.0 501 /);
  // Diameter: CER → CEA DIAMETER_SUCCESS; an unknown command → error answer 3001 with the E bit.
  assert.equal(dia.length, 2, 'CEA and the error answer');
  assert.equal(dia[0].command, 257);
  assert.equal(avpU32(dia[0].avps, 268), 2001);
  assert.equal(dia[1].command, 999);
  assert.equal(dia[1].flags & 0x20, 0x20, 'E bit');
  assert.equal(avpU32(dia[1].avps, 268), 3001);
  assert.match(avpText(dia[1].avps, 281) ?? '', /command code 999/);
  // A PDU of another version cannot be framed: answered with an error, then the connection closes.
  assert.ok(diaGarbage!.closed, 'the connection was closed');
  const g = pdus(diaGarbage!.data);
  assert.equal(g.length, 1);
  assert.equal(g[0].flags & 0x20, 0x20);
  // All of it counted, and the procedure ran through it: every rule passed.
  assert.ok(r.wire.rejected >= 5, JSON.stringify(r.wire));
  assert.equal(r.summary.rules.failed, 0);
  assert.equal(r.summary.procedures['ics-deregistration'].completed, 1);
  assert.equal(r.wire.decodeMismatch, 0);
});
