// The floor of a single Node process answering SIP over UDP, for bench/interop-sipp.ts only
// (target "n"): every REGISTER answered 200 OK at once — no parser, no model, no state, no trace.
// What this costs per REGISTER transaction is what any one-process Node registrar pays before it
// does anything (the event loop's wake-up, the datagram in, the datagram out), to set beside
// Kamailio's CPU per transaction and RegLab's.
//
// usage: node bench/interop-node-floor.mjs  → prints "floor PORT"
import { createSocket } from 'node:dgram';

const sock = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
const COPY = /^(Via|From|To|Call-ID|CSeq|Contact):.*$/gim;
sock.on('message', (m, from) => {
  const text = m.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const lines = head.match(COPY) ?? [];
  const out = ['SIP/2.0 200 OK', ...lines.map((l) => (/^To:/i.test(l) && !/;tag=/.test(l) ? `${l};tag=f100r` : l)), 'Content-Length: 0', '', ''].join('\r\n');
  sock.send(out, from.port, from.address);
});
sock.bind(0, '127.0.0.1', () => process.stdout.write(`floor ${sock.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
