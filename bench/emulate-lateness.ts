/**
 * The emulation lab's lateness target (issue 12): 1,000 subscribers of learn/ics-detach-with-call's
 * topology emulated on loopback — MSC, I-CSCF, S-CSCF, HSS on real sockets (SIP/UDP, TCP above
 * 1300 bytes; Diameter Cx over TCP) — each with its whole §6.3.3 registration (REGISTER, UAR,
 * SAR, 200, SUBSCRIBE/NOTIFY reg event) and §6.3.6.2 deregistration. Target: lateness p99 < 5 ms,
 * max < 50 ms.
 *
 *   npm run bench -- emulate-lateness [--subs 1000] [--runs 3] [--window 5s]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { loadScenarioFile } from '../sim/scenario/load.ts';
import { runEmulation } from '../sim/emulate/emulate.ts';

const { values } = parseArgs({
  options: { subs: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' }, window: { type: 'string', default: '5s' }, 'udp-buffer': { type: 'string' } },
});
// --udp-buffer BYTES (0: the OS default) for an A/B of the receive buffer; default: the lab's.
const udpReceiveBuffer = values['udp-buffer'] === undefined ? undefined : Number(values['udp-buffer']);
const file = join(fileURLToPath(new URL('..', import.meta.url)), 'scenarios/emulate/ims-core-ics-detach.yaml');
const subs = Number(values.subs);
const sets = [
  `population.size=${subs}`,
  'ims.sessions.share=0',
  `workload[0].pattern={"kind":"uniform","start":"0s","window":"${values.window}"}`,
  `workload[1].pattern={"kind":"uniform","start":"7s","window":"${values.window}"}`,
  'duration=14s',
  'observe.watch.first=10',
];
console.log(`emulate-lateness: ${subs} subscribers, attach spread over ${values.window} from 0 s, detach over ${values.window} from 7 s; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('run  events  p50 ms  p99 ms  max ms  registered  deregistered  wire sent  rules failed  udp drops  cpu %  load');
for (let i = 1; i <= Number(values.runs); i++) {
  const sc = loadScenarioFile(file, { set: sets });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runEmulation(sc, { udpReceiveBuffer });
  const c = process.cpuUsage(cpu0);
  // CPU this process used over the wall time: far below 100% with high lateness means the machine starved it.
  const cpuPct = ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100;
  const p = r.summary.procedures;
  const l = r.lateness;
  console.log(
    `${String(i).padStart(3)}  ${String(l.events).padStart(6)}  ${l.p50Ms.toFixed(3).padStart(6)}  ${l.p99Ms.toFixed(3).padStart(6)}  ${l.maxMs.toFixed(3).padStart(6)}  ` +
      `${String(p['ics-registration']?.completed ?? 0).padStart(10)}  ${String(p['ics-deregistration']?.completed ?? 0).padStart(12)}  ${String(r.wire.sent).padStart(9)}  ${String(r.summary.rules.failed).padStart(12)}  ${String(r.wire.udpDrops ?? '-').padStart(9)}  ${cpuPct.toFixed(0).padStart(5)}  ${loadavg()[0].toFixed(1)}`,
  );
}
