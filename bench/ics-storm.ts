/**
 * The ICS deregistration storm (issue 3's performance target): scenarios/sizing/ics-msc-restart-1m.yaml
 * — 1 million pre-registered subscribers, every one deregistered after an MSC restart (TS 24.292
 * §6.3.6.2 in full: BYE for the 10% with a session, REGISTER expiry 0, UAR/UAA, SAR/SAA, NOTIFY,
 * 200 OK, exact byte counts, wire text only for the 3 watched subscribers).
 *
 * Target: ≤ 15 s wall and ≤ 2 GB peak RSS for 1 million. Reports deregistrations simulated per
 * wall second.
 *
 * Each run is a fresh child process (so peak RSS is the run's own), running the scenario exactly
 * as `reglab run` does (runScenario; the run directory is not written — `--cli` times the real
 * command with its files instead). The median of the runs is printed.
 *
 *   node --import tsx bench/ics-storm.ts [--runs 3] [--population 1000000] [--spread 60s] [--cli]
 *   node --import tsx bench/ics-storm.ts --sizes     exact sizes by arithmetic vs by rendering
 *   node --import tsx bench/ics-storm.ts --stack     one REGISTER transaction pair through two SIP stacks
 *
 * The machine is shared: each run prints its CPU time (user + system, GC threads included) and the
 * load average before it; the medians of wall and CPU are printed at the end.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { loadScenarioFile } from '../sim/scenario/load.ts';
import { runScenario } from '../sim/scenario/run.ts';
import { ImsContext } from '../sim/ims/context.ts';
import { DEFAULT_IMS_CONFIG } from '../sim/ims/config.ts';
import { CallKind, ImsSip, Ruri, Shape, Via } from '../sim/ims/sip-message.ts';
import { SipStack, type ServerTransaction, type StackNode, type StackUser } from '../sim/ims/sip-stack.ts';
import { TimerService } from '../sim/node/timer-service.ts';
import { Simulator } from '../sim/kernel/simulator.ts';
import { sipTimers } from '../sim/sip/timers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = join(ROOT, 'scenarios/sizing/ics-msc-restart-1m.yaml');

interface RunFigures {
  population: number;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  events: number;
  messages: number;
  deregistrations: number;
  deregPerWallSecond: number;
  simulatedS: number;
  rulesFailed: number;
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

function sets(population: number, spread: string | undefined): string[] {
  const s = [`population.size=${population}`];
  if (spread) s.push(`nodes[0].params.sweepSpread=${spread}`);
  return s;
}

async function child(): Promise<void> {
  const population = Number(arg('population', '1000000'));
  const spread = arg('spread', '');
  const sc = loadScenarioFile(SCENARIO, { set: sets(population, spread || undefined) });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runScenario(sc);
  const wallMs = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  const dereg = r.summary.procedures['ics-deregistration']?.completed ?? 0;
  const out: RunFigures = {
    population,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cu.user + cu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    events: r.summary.events,
    messages: r.summary.messages.delivered,
    deregistrations: dereg,
    deregPerWallSecond: Math.round(dereg / (wallMs / 1000)),
    simulatedS: r.summary.simulatedNs / 1e9,
    rulesFailed: r.summary.rules.failed,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function cliRun(population: number, spread: string): RunFigures {
  const dir = mkdtempSync(join(tmpdir(), 'ics-storm-'));
  const setArgs = sets(population, spread || undefined).flatMap((s) => ['--set', s]);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, join(ROOT, 'bin/reglab.mjs'), 'run', SCENARIO, ...setArgs, '--out', join(dir, 'run'), '--quiet'], {
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`reglab run failed: ${r.stderr}`);
  const [kb, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(dir, { recursive: true, force: true });
  return {
    population,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((user + sys) * 1000),
    maxRssMb: Math.round(kb / 1024),
    events: 0,
    messages: 0,
    deregistrations: population,
    deregPerWallSecond: Math.round(population / (wallMs / 1000)),
    simulatedS: 0,
    rulesFailed: 0,
  };
}

/** An IMS context for the micro-benchmarks: five nodes, the default identities. */
function benchContext(): ImsContext {
  const ids = ['msc', 'icscf', 'scscf', 'hss', 'far'];
  return new ImsContext(DEFAULT_IMS_CONFIG, 1_000_000, { size: ids.length, nameOf: (i) => ids[i], indexOf: (id) => ids.indexOf(id) });
}

/** The MSC's deregistration REGISTER for subscriber i (as msc-registration.ts builds it), unsealed. */
function deregisterRequest(ctx: ImsContext, i: number, ids: { branch: number; fromTag: number; token: number }): ImsSip {
  const m = new ImsSip(ctx, i, 'REGISTER', Shape.Register);
  m.ruri = Ruri.Home;
  m.via = new Via(0, ids.branch, true, null);
  m.maxForwards = 70;
  m.fromTag = ids.fromTag;
  m.callKind = CallKind.Registration;
  m.callToken = ids.token;
  m.callHost = 0;
  m.cseq = 2;
  m.contactNode = 0;
  m.contactInstance = i;
  m.contactIcs = true;
  m.expires = 0;
  m.authDone = true;
  return m;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/**
 * What exact sizes without rendering buy: 300 k deregistration REGISTERs built with their size
 * computed by arithmetic, by the renderer's LengthSink pass, and by rendering the text (median of 5).
 */
function sizes(): void {
  const ctx = benchContext();
  const N = 300_000;
  const build = (i: number) => deregisterRequest(ctx, i, { branch: i, fromTag: i | 1, token: i });
  const ways: Record<string, (i: number) => number> = {
    'build + computeLength()': (i) => build(i).seal(undefined, undefined).bytes,
    'build + LengthSink pass over the renderer': (i) => build(i).renderedLength(),
    'build + wire() + Buffer.byteLength': (i) => Buffer.byteLength(build(i).wire()),
  };
  for (const [name, f] of Object.entries(ways)) {
    const per: number[] = [];
    let total = 0;
    for (let rep = 0; rep < 5; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) total += f(i);
      per.push(((performance.now() - t0) / N) * 1e6);
    }
    console.log(`${name}: ${median(per).toFixed(0)} ns per message (total ${total} bytes)`);
  }
}

/**
 * What the SIP layer costs the storm per transaction: 300 k deregistration REGISTERs, each through a
 * client transaction at node 0 (Timer F scheduled in its FIFO lane, then cancelled), a server
 * transaction at node 1 answering 200 at once, and the response matched back — on a reliable link, as
 * in the storm, with the messages built and sized as the nodes do. CPU time, median of 7.
 */
function stack(): void {
  const ctx = benchContext();
  const sim = new Simulator(1);
  const timers = sipTimers({});
  const wire: { msg: ImsSip; dest: number }[] = [];
  const node = (index: number): StackNode => ({
    clock: new TimerService(sim, [64 * timers.T1, timers.T4]),
    index,
    transmit: (msg, dest) => void wire.push({ msg: msg as ImsSip, dest }),
    linkTo: () => ({ params: { transport: 'stream', loss: 0 } }),
  });
  let answered = 0;
  const client: StackUser = { onRequest() {}, onResponse: () => void answered++, onTimeout() {} };
  const server: StackUser = {
    onRequest: (req: ImsSip, _from: number, tx: ServerTransaction | undefined) => tx!.respond(req.response(200, 'OK', Shape.RegisterResponse, 7).seal(req.procedure, undefined)),
    onResponse() {},
    onTimeout() {},
  };
  const s0 = new SipStack(node(0), timers, client);
  const s1 = new SipStack(node(1), timers, server);
  const build = (i: number) => {
    const m = deregisterRequest(ctx, i, { branch: s0.nextBranch(), fromTag: (i * 2654435761) >>> 0, token: (i * 40503 + 7) >>> 0 });
    return m.seal('ics-deregistration', undefined);
  };
  const N = 300_000;
  const cpuNs = (c: NodeJS.CpuUsage) => (c.user + c.system) * 1000;
  const ways: Record<string, () => void> = {
    'REGISTER + its 200, built and sized (no transactions)': () => {
      for (let i = 0; i < N; i++) {
        const q = build(i);
        q.response(200, 'OK', Shape.RegisterResponse, 7).seal(q.procedure, undefined);
      }
    },
    'the same through client + server transactions': () => {
      for (let i = 0; i < N; i++) {
        s0.request(build(i), 1, i);
        const req = wire.pop()!.msg;
        s1.receive(req, 0);
        const resp = wire.pop()!.msg;
        s0.receive(resp, 1);
      }
    },
  };
  for (const [name, f] of Object.entries(ways)) {
    const per: number[] = [];
    for (let rep = 0; rep < 7; rep++) {
      const c0 = process.cpuUsage();
      f();
      per.push(cpuNs(process.cpuUsage(c0)) / N);
    }
    console.log(`${name}: ${median(per).toFixed(0)} ns CPU per pair`);
  }
  if (answered !== 7 * N || s0.clientCount !== 0 || s1.serverCount !== 0) throw new Error(`bad run: ${answered} answered, ${s0.clientCount}/${s1.serverCount} left`);
}

function main(): void {
  if (process.argv.includes('--sizes')) {
    sizes();
    return;
  }
  if (process.argv.includes('--stack')) {
    stack();
    return;
  }
  if (process.argv.includes('--child')) {
    void child();
    return;
  }
  const runs = Number(arg('runs', '3'));
  const population = Number(arg('population', '1000000'));
  const spread = arg('spread', '');
  const cli = process.argv.includes('--cli');
  const results: RunFigures[] = [];
  for (let i = 0; i < runs; i++) {
    const load = loadavg()[0].toFixed(1);
    let f: RunFigures;
    if (cli) f = cliRun(population, spread);
    else {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', '--population', String(population), ...(spread ? ['--spread', spread] : [])], {
        encoding: 'utf8',
        cwd: ROOT,
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) throw new Error(`run ${i + 1} failed: ${r.stderr}`);
      f = JSON.parse(r.stdout.trim().split('\n').pop()!);
    }
    results.push(f);
    console.log(
      `run ${i + 1}: ${f.population} subscribers, ${(f.wallMs / 1000).toFixed(2)} s wall, ${(f.cpuMs / 1000).toFixed(2)} s CPU, ` +
        `${f.maxRssMb} MB peak RSS, ${f.deregPerWallSecond} deregistrations/s, load ${load}` +
        (cli ? ' (reglab run, files written)' : `, ${f.events} events, ${f.messages} messages, ${f.rulesFailed} rules failed`),
    );
  }
  const wall = median(results.map((r) => r.wallMs));
  const cpu = median(results.map((r) => r.cpuMs));
  const rss = median(results.map((r) => r.maxRssMb));
  const rate = median(results.map((r) => r.deregPerWallSecond));
  console.log(
    `median of ${runs}: ${(wall / 1000).toFixed(2)} s wall (target ≤ 15 s: ${wall <= 15000 ? 'met' : 'MISSED'}), ${(cpu / 1000).toFixed(2)} s CPU, ` +
      `${rss} MB peak RSS (target ≤ 2048 MB: ${rss <= 2048 ? 'met' : 'MISSED'}), ${rate} deregistrations simulated per wall second`,
  );
}

main();
