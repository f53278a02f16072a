/**
 * Real peers as the yardstick (issue 17, "Performance, side by side"): SIPp (Debian sip-tester)
 * registers then deregisters subscribers (test/fixtures/sipp/ics-register-deregister.xml), the call
 * rate stepped up until more than 1 % of calls fail or the response time p99 exceeds 200 ms,
 * against
 *   (a) Kamailio's registrar alone (test/fixtures/kamailio/registrar.cfg, usrloc in memory),
 *   (b) RegLab's emulated S-CSCF alone (SIPp → S-CSCF; its SAR to the emulated HSS over Diameter),
 *   (c) RegLab's emulated I-CSCF + S-CSCF + HSS (UAR and SAR over real Diameter/TCP),
 *   (n) a bare Node UDP responder (bench/interop-node-floor.mjs): what one Node process pays per
 *       REGISTER before doing anything,
 * each step on a freshly started target, all on 127.0.0.1, targets alternated within a step.
 * RegLab runs as `reglab emulate` in its own process; SIPp in its own. Beside each step: the
 * target's CPU time per REGISTER transaction (its whole process group, from /proc: Kamailio's
 * main process and workers), SIPp's CPU, and the datagrams dropped in the target's full UDP
 * receive queues — on a shared machine CPU per transaction is the figure the load distorts least.
 *
 *   npm run bench -- interop-sipp [--steps 200,400,800,1600,3200] [--seconds 5] [--targets a,b,c,n]
 *                                 [--cpu-prof DIR]   (RegLab's targets write V8 CPU profiles there)
 *                                 [--root DIR]       (RegLab's targets run DIR's bin/reglab.mjs: another
 *                                                     checkout, for alternated A/B runs)
 *                                 [--window N]       (SIPp's -l: at most N calls open at once — a closed
 *                                                     loop: on a loaded machine the rate drops instead of
 *                                                     the target drowning in retransmissions, so the CPU
 *                                                     per transaction stays comparable between runs)
 *
 * Prints a table per target and the highest sustained REGISTER transactions/s (2 per call).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kamailio } from '../test/interop/kamailio.ts';
import { PeerProcess, waitFor } from '../test/interop/peer-process.ts';
import { freePorts } from '../test/interop/ports.ts';
import { runSipp, reglabCoreYaml, type SippResult } from '../test/interop/sipp.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values: opt } = parseArgs({
  options: {
    steps: { type: 'string', default: '250,500,1000,2000,4000' },
    seconds: { type: 'string', default: '5' },
    targets: { type: 'string', default: 'a,b,c,n' },
    'cpu-prof': { type: 'string' },
    window: { type: 'string' },
    root: { type: 'string' },
  },
});
const STEPS = opt.steps!.split(',').map(Number);
const SECONDS = Number(opt.seconds);
const TARGETS = opt.targets!.split(',');
const REGLAB_ROOT = opt.root !== undefined ? resolve(opt.root) : ROOT;
const WINDOW = opt.window !== undefined ? Number(opt.window) : undefined;

interface Target {
  /** SIPp's destination. */
  port: number;
  /** Process groups whose CPU time is the target's (Kamailio: main + workers; RegLab: its process). */
  groups: number[];
  /** SIPp's local port, when the target must know it beforehand (RegLab's external MSC address). */
  sippPort?: number;
  /** The UDP ports SIPp's traffic reaches the target on (their receive-queue drops are counted). */
  udpPorts: number[];
  /** Resolves with a note on how the target kept up (RegLab: its lateness line). */
  stop(): Promise<string>;
}

async function kamailio(): Promise<Target> {
  const k = await Kamailio.start({ transports: ['udp'], shmMb: 256 });
  return { port: k.port, groups: [k.proc.pid!], udpPorts: [k.port], stop: async () => (await k.stop(), '') };
}

/** `reglab emulate` in its own process: SIPp → entry (icscf or scscf), SIPp's socket as the external MSC. */
async function reglab(entry: 'icscf' | 'scscf', calls: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-bench-interop-'));
  const [icscf, scscf, sipp] = await freePorts(3);
  const yaml = reglabCoreYaml({ calls, mscAddress: `127.0.0.1:${sipp}`, entry, ports: { icscf, scscf }, watch: 1 });
  const file = join(dir, 'core.yaml');
  writeFileSync(file, yaml);
  const prof = opt['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(opt['cpu-prof'])] : [];
  const p = new PeerProcess('reglab', process.execPath, [...prof, join(REGLAB_ROOT, 'bin/reglab.mjs'), 'emulate', file, '--out', join(dir, 'out')], { cwd: REGLAB_ROOT });
  await waitFor('reglab emulate to print its endpoints', async () => {
    if (!p.running) throw new Error(`reglab emulate exited: ${p.log()}`);
    return /\(Ctrl-C ends it early/.test(p.log()) ? true : undefined;
  }, 60_000, 100);
  return {
    port: entry === 'icscf' ? icscf : scscf,
    sippPort: sipp,
    groups: [p.pid!],
    udpPorts: [icscf, scscf],
    stop: async () => {
      await p.stop(30_000, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
      // The real-time driver's own measure of how far behind the wall clock events ran.
      return /lateness:[^\n]*/.exec(p.log())?.[0] ?? '';
    },
  };
}

/** Target n: a bare Node UDP responder (bench/interop-node-floor.mjs), the floor of one Node process. */
async function nodeFloor(): Promise<Target> {
  const proc = new PeerProcess('floor', process.execPath, [join(ROOT, 'bench/interop-node-floor.mjs')]);
  const m = await waitFor('the Node floor responder', async () => /floor (\d+)/.exec(proc.log()) ?? undefined, 10_000);
  const port = Number(m[1]);
  return { port, groups: [proc.pid!], udpPorts: [port], stop: async () => (await proc.stop(), '') };
}

function start(t: string, calls: number): Promise<Target> {
  if (t === 'n') return nodeFloor();
  if (t === 'a') return kamailio();
  if (t === 'b') return reglab('scscf', calls);
  if (t === 'c') return reglab('icscf', calls);
  throw new Error(`--targets: '${t}' is not a, b, c or n`);
}

/** Linux's USER_HZ (`getconf CLK_TCK`): /proc's CPU times are in these ticks. */
const TICK_MS = 10;

/** Fields of /proc/PID/stat after the command name: [0] is field 3 (state), so field n is [n - 3]. */
function statFields(pid: string | number): string[] | undefined {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return st.slice(st.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, ms) of every live process of these process groups: Kamailio's main
 * process and all its forked workers; RegLab's one process (its threads included).
 */
function groupCpuMs(groups: number[]): number {
  const [user, sys] = groupCpuSplitMs(groups);
  return user + sys;
}

/** groupCpuMs() as [user, system]: the kernel's share is the socket work (send, receive, wake-ups). */
function groupCpuSplitMs(groups: number[]): [number, number] {
  let user = 0;
  let sys = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(d);
    if (f && groups.includes(Number(f[2]))) {
      user += Number(f[11]);
      sys += Number(f[12]);
    }
  }
  return [user * TICK_MS, sys * TICK_MS];
}

/**
 * Datagrams the kernel dropped because a socket's receive queue was full, summed over the UDP
 * sockets bound to these 127.0.0.1 ports (/proc/net/udp, last column). A drop costs SIPp a
 * retransmission after T1 = 500 ms: the first thing a starved single process shows.
 */
function udpDrops(ports: number[]): number[] {
  const key = (p: number) => `0100007F:${p.toString(16).toUpperCase().padStart(4, '0')}`;
  const by = new Map<string, number>();
  for (const line of readFileSync('/proc/net/udp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12) by.set(f[1], (by.get(f[1]) ?? 0) + Number(f[f.length - 1]));
  }
  return ports.map((p) => by.get(key(p)) ?? 0);
}

/** CPU time of this process's exited children (cutime + cstime): SIPp's, read around its run. */
function exitedChildrenCpuMs(): number {
  const f = statFields('self')!;
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

interface Step {
  rate: number;
  calls: number;
  ok: number;
  failed: number;
  /** REGISTER transactions per second SIPp completed over the step (2 per successful call). */
  achieved: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  pass: boolean;
  /** CPU the target used while SIPp ran (ms), per REGISTER transaction completed (µs), and its share of one core. */
  cpuMs: number;
  cpuUsPerTx: number;
  cpuPct: number;
  /** The kernel's share of the target's CPU (system time ÷ user + system). */
  sysShare: number;
  sippCpuMs: number;
  udpDrops: number[];
}

interface Cpu {
  target: number;
  /** Of which in the kernel (system time). */
  sys: number;
  sipp: number;
  drops: number[];
}

function summarize(rate: number, calls: number, r: SippResult, wallS: number, cpu: Cpu): Step {
  const rtt = [...(r.rtt.get('reg') ?? []), ...(r.rtt.get('dereg') ?? [])];
  const failed = r.failed + Math.max(0, calls - r.successful - r.failed);
  const p99 = pct(rtt, 99);
  return {
    rate,
    calls,
    ok: r.successful,
    failed,
    achieved: (2 * r.successful) / wallS,
    p50: pct(rtt, 50),
    p90: pct(rtt, 90),
    p99,
    // A loop, not Math.max(...rtt): spreading 25,600+ samples overflows the call stack (step 12,800 did).
    max: rtt.length ? rtt.reduce((m, x) => (x > m ? x : m), -Infinity) : NaN,
    pass: failed <= 0.01 * calls && p99 <= 200,
    cpuMs: cpu.target,
    cpuUsPerTx: r.successful > 0 ? (1000 * cpu.target) / (2 * r.successful) : NaN,
    cpuPct: cpu.target / (10 * wallS),
    sysShare: cpu.target > 0 ? cpu.sys / cpu.target : NaN,
    sippCpuMs: cpu.sipp,
    udpDrops: cpu.drops,
  };
}

async function main(): Promise<void> {
  const results = new Map<string, Step[]>(TARGETS.map((t) => [t, []]));
  const stopped = new Set<string>();
  process.stdout.write(`interop-sipp: ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')} (shared machine)\n`);
  for (const rate of STEPS) {
    for (const t of TARGETS) {
      if (stopped.has(t)) continue;
      const calls = rate * SECONDS;
      const target = await start(t, calls);
      let step: Step;
      let note = '';
      try {
        const cpu0 = { target: groupCpuMs(target.groups), sys: groupCpuSplitMs(target.groups)[1], sipp: exitedChildrenCpuMs() };
        const t0 = performance.now();
        const r = await runSipp({ target: `127.0.0.1:${target.port}`, users: { calls }, rate, localPort: target.sippPort, limit: WINDOW ?? 20_000, timeoutS: SECONDS * 4 + 20, extra: ['-recv_timeout', '10s'] });
        const wallS = (performance.now() - t0) / 1000;
        const cpu = {
          target: groupCpuMs(target.groups) - cpu0.target,
          sys: groupCpuSplitMs(target.groups)[1] - cpu0.sys,
          sipp: exitedChildrenCpuMs() - cpu0.sipp,
          drops: udpDrops(target.udpPorts),
        };
        step = summarize(rate, calls, r, wallS, cpu);
      } finally {
        note = await target.stop();
      }
      results.get(t)!.push(step);
      process.stdout.write(
        `  ${t.padEnd(3)} rate ${String(rate).padStart(5)}/s  calls ${String(step.ok).padStart(6)}/${step.calls}  failed ${step.failed}  REGISTER/s ${step.achieved.toFixed(0).padStart(5)}  p50 ${step.p50} p90 ${step.p90} p99 ${step.p99} max ${step.max} ms  cpu ${step.cpuPct.toFixed(0)}% ${step.cpuUsPerTx.toFixed(0)} µs/tx (${(100 * step.sysShare).toFixed(0)}% in the kernel) sipp ${step.sippCpuMs} ms  udp drops ${step.udpDrops.join('/')}  ${step.pass ? 'ok' : 'LIMIT'}${note ? `  [${note}]` : ''}\n`,
      );
      if (!step.pass) stopped.add(t);
    }
  }
  process.stdout.write('\nhighest sustained (last step with ≤ 1 % failed calls and p99 ≤ 200 ms):\n');
  for (const [t, steps] of results) {
    const best = steps.filter((s) => s.pass).at(-1);
    const name = { a: 'Kamailio registrar', b: 'RegLab S-CSCF (+HSS)', c: 'RegLab I-CSCF + S-CSCF + HSS', n: 'bare Node UDP responder (the floor)' }[t] ?? t;
    process.stdout.write(
      best
        ? `  ${t.padEnd(3)} ${name.padEnd(38)} ${best.rate} calls/s = ${2 * best.rate} REGISTER/s offered, ${best.achieved.toFixed(0)} completed/s; p50 ${best.p50} p90 ${best.p90} p99 ${best.p99} ms; CPU ${best.cpuUsPerTx.toFixed(0)} µs per REGISTER transaction${steps.every((s) => s.pass) ? ' (never limited: raise --steps)' : ''}\n`
        : `  ${t.padEnd(3)} ${name.padEnd(38)} failed at the first step\n`,
    );
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
