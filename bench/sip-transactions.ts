/**
 * Micro-benchmark: non-INVITE client transactions in a storm. N REGISTER transactions start on a
 * TransactionLayer (UDP: Timer E and F armed each), all are in flight at once, then each gets its
 * 200 (Timer K armed), then virtual time runs until every transaction has terminated.
 * Reports time per transaction for each phase and heap per transaction in flight (transaction
 * object + its Map entry + two kernel Timers; the requests themselves are prebuilt and not counted).
 *
 *   node --expose-gc --import tsx bench/sip-transactions.ts [N]
 */
import { Simulator } from '../sim/kernel/simulator.ts';
import { SipMessage, type SipHeader } from '../sim/sip/message.ts';
import { TransactionLayer } from '../sim/sip/transaction-layer.ts';
import type { ClientTransactionUser } from '../sim/sip/transaction.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const common: SipHeader[] = [
  ['Max-Forwards', '70'],
  ['From', '<sip:msc@example.net>;tag=1'],
  ['To', '<sip:msc@example.net>'],
  ['Call-ID', 'c@example.net'],
  ['CSeq', '1 REGISTER'],
];
const requests: SipMessage[] = new Array(N);
const responses: SipMessage[] = new Array(N);
for (let i = 0; i < N; i++) {
  const via: SipHeader = ['Via', `SIP/2.0/UDP msc.example.net;branch=z9hG4bK${i.toString(36)}`];
  requests[i] = SipMessage.request('REGISTER', 'sip:example.net', [via, ...common]);
  responses[i] = SipMessage.response(200, 'OK', 'REGISTER', [via, ...common]);
  requests[i].branch; // warm the branch cache: the layer's cost, not the message's, is measured here
  responses[i].branch;
}

let sent = 0;
let answered = 0;
let ended = 0;
const tu: ClientTransactionUser = {
  onResponse: () => void answered++,
  onTimeout: () => {
    throw new Error('unexpected Timer F');
  },
  onTerminated: () => void ended++,
};
const sim = new Simulator(1);
const layer = new TransactionLayer(sim, () => void sent++, { onRequest() {} }, { reliable: false });

gc();
const heap0 = process.memoryUsage().heapUsed;
// CPU time (user + system), not wall time: on a shared 2-core machine waiting for a core is not our cost.
const cpuNs = (c: NodeJS.CpuUsage) => (c.user + c.system) * 1000;
let t0 = process.cpuUsage();
for (let i = 0; i < N; i++) layer.sendRequest(requests[i], 1, tu);
const tStart = cpuNs(process.cpuUsage(t0)) / N;
gc();
const heap1 = process.memoryUsage().heapUsed;

t0 = process.cpuUsage();
for (let i = 0; i < N; i++) layer.receive(responses[i], 1);
const tResp = cpuNs(process.cpuUsage(t0)) / N;

t0 = process.cpuUsage();
sim.run();
const tRun = cpuNs(process.cpuUsage(t0)) / N;

if (answered !== N || ended !== N || layer.clientCount !== 0 || sent !== N) throw new Error(`bad run: ${answered} ${ended} ${layer.clientCount} ${sent}`);
console.log(`${N} non-INVITE client transactions (UDP), CPU time`);
console.log(`start (send, arm E and F)   ${tStart.toFixed(0).padStart(5)} ns/tx`);
console.log(`response (match, arm K)     ${tResp.toFixed(0).padStart(5)} ns/tx`);
console.log(`run to the end (timers)     ${tRun.toFixed(0).padStart(5)} ns/tx`);
console.log(`total                       ${(tStart + tResp + tRun).toFixed(0).padStart(5)} ns/tx`);
console.log(`heap per transaction in flight: ${((heap1 - heap0) / N).toFixed(0)} bytes${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc)'}`);
