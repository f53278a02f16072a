// A UDP relay between SIPp and a RegLab SIP endpoint, for bench/interop-sipp.ts only.
//
// Why: SIPp matches answers to its calls by its own Call-ID (-cid_str, whose only counter is the
// decimal call number: reg-5ea1ab1e-00000<k>@192.0.2.10), while RegLab's decoder reads the
// subscriber part as hex and renders it back as 6 hex digits (call 10 → "000010", SIPp wrote
// "0000010"). The relay restores SIPp's spelling in RegLab's answers and changes nothing else; it
// runs in its own process, and the benchmark measures its cost by putting it in front of Kamailio
// too (docs/emulation.md, BENCHMARKS.md).
//
// usage: node bench/interop-callid-relay.mjs TARGET_PORT   → prints "relay SIPP_FACING_PORT RELAY_SOURCE_PORT"
import { createSocket } from 'node:dgram';

const target = Number(process.argv[2]);
const front = createSocket('udp4'); // SIPp sends here
const back = createSocket('udp4'); // RegLab sees this address as the MSC (its external address)
let sipp = null;
const CALLID = /^(Call-ID:[ \t]*reg-[0-9a-f]{8}-)0*([0-9a-f]+)(@)/im;

front.on('message', (m, from) => {
  sipp = from;
  back.send(m, target, '127.0.0.1');
});
back.on('message', (m) => {
  if (sipp === null) return;
  // RegLab's 6-hex rendering → SIPp's "00000" + decimal call number (the call number IS those digits).
  const text = m.toString('latin1').replace(CALLID, (_, a, digits, at) => `${a}00000${digits}${at}`);
  front.send(Buffer.from(text, 'latin1'), sipp.port, sipp.address);
});
front.bind(0, '127.0.0.1', () =>
  back.bind(0, '127.0.0.1', () => {
    process.stdout.write(`relay ${front.address().port} ${back.address().port}\n`);
  }),
);
process.on('SIGTERM', () => process.exit(0));
