/**
 * Micro-benchmark: SipMessage construction + exact byte count, the hot path of a million-subscriber
 * storm (≈10–14 SIP messages per subscriber). Each figure is the median of 7 runs, in CPU ns per op:
 *   model     SipMessage.request over a prebuilt header array (the model's own cost: the byte count)
 *   build     the header strings of one subscriber's deregistration REGISTER, then SipMessage.request
 *             (what an IMS node pays per message)
 *   response  createResponse(request, 200) — copies Via/From/To/Call-ID/CSeq, adds a To tag
 *   branch    .branch on a fresh message (the transaction layer's per-message key read)
 * Also: wire() rendering (what only watched subscribers pay) and parseSip (emulation / torture only).
 *
 *   node --import tsx bench/sip-message.ts [iterations]
 */
import { SipMessage, type SipHeader } from '../sim/sip/message.ts';
import { createResponse } from '../sim/sip/response.ts';
import { parseSip } from '../sim/sip/parser.ts';
import { contactValue, cseqValue, fromToValue, viaValue } from '../sim/sip/headers.ts';

const N = Math.round(Number(process.argv[2] ?? 300_000));
const HOME = 'sip:ics.mnc015.mcc234.3gppnetwork.org';
const INSTANCE = '<urn:gsma:imei:35209900-176148-0>';

function headersFor(i: number): SipHeader[] {
  const imsi = String(234150000000000 + i);
  const impu = `sip:${imsi}@ics.mnc015.mcc234.3gppnetwork.org`;
  return [
    ['Via', viaValue({ host: 'msc1.mnc015.mcc234.3gppnetwork.org', port: 5060, branch: 'z9hG4bKmsc1-' + i.toString(36) })],
    ['Max-Forwards', '70'],
    ['From', fromToValue(impu, 't' + i.toString(36))],
    ['To', fromToValue(impu)],
    ['Call-ID', `reg-${imsi}@msc1.mnc015.mcc234.3gppnetwork.org`],
    ['CSeq', cseqValue(3, 'REGISTER')],
    ['Contact', contactValue({ uri: 'sip:msc1.mnc015.mcc234.3gppnetwork.org:5060', params: { '+sip.instance': INSTANCE, 'g.3gpp.ics': '"server"', expires: 0 } })],
    ['Expires', '0'],
    ['Authorization', `Digest username="${imsi}@ics.mnc015.mcc234.3gppnetwork.org", realm="ics.mnc015.mcc234.3gppnetwork.org", nonce="", uri="${HOME}", response="", integrity-protected="auth-done"`],
    ['P-Visited-Network-ID', '"msc1.mnc015.mcc234.3gppnetwork.org"'],
  ];
}

let sink = 0;

function time(label: string, fn: (i: number) => void, n = N): number {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn(i); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    // CPU time (user + system), not wall time: on a shared 2-core machine waiting for a core is not our cost.
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn(i);
    const c = process.cpuUsage(c0);
    runs.push(((c.user + c.system) * 1000) / n);
  }
  runs.sort((a, b) => a - b);
  const med = runs[3];
  console.log(`${label.padEnd(10)} ${med.toFixed(0).padStart(6)} ns/op   (min ${runs[0].toFixed(0)}, max ${runs[6].toFixed(0)}; n=${n})`);
  return med;
}

const prebuilt = headersFor(1);
const sample = SipMessage.request('REGISTER', HOME, prebuilt, { sub: 1 });
console.log(`deregistration REGISTER: ${sample.bytes} bytes, ${prebuilt.length + 1} header lines`);

time('model', (i) => {
  sink += SipMessage.request('REGISTER', HOME, prebuilt, { sub: i }).bytes;
});
time('build', (i) => {
  sink += SipMessage.request('REGISTER', HOME, headersFor(i), { sub: i, procedure: 'deregistration' }).bytes;
});
const reqs = Array.from({ length: 1024 }, (_, i) => SipMessage.request('REGISTER', HOME, headersFor(i), { sub: i }));
time('response', (i) => {
  sink += createResponse(reqs[i & 1023], 200, { toTag: 'scscf1' }).bytes;
});
time('branch', (i) => {
  sink += SipMessage.request('REGISTER', HOME, prebuilt, { sub: i }).branch.length;
});
time('wire()', (i) => {
  sink += reqs[i & 1023].wire().length;
}, Math.round(N / 3));
const text = sample.wire();
time('parseSip', () => {
  const r = parseSip(text);
  sink += r.ok ? r.consumed : 0;
}, Math.round(N / 30));

const keep: SipMessage[] = new Array(200_000);
globalThis.gc?.();
const mem0 = process.memoryUsage().heapUsed;
for (let i = 0; i < keep.length; i++) keep[i] = SipMessage.request('REGISTER', HOME, prebuilt, { sub: i });
globalThis.gc?.();
const mem1 = process.memoryUsage().heapUsed;
console.log(`heap per SipMessage (shared headers): ~${((mem1 - mem0) / keep.length).toFixed(0)} bytes${globalThis.gc ? '' : ' (run with --expose-gc for a steadier figure)'}`);
if (sink === 42) console.log('');
