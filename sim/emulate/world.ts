import { Simulator } from '../kernel/simulator.ts';
import type { Ns } from '../kernel/time.ts';
import { InProcessNetwork } from '../net/network.ts';
import { DEFAULT_LINK, type LinkParams } from '../net/link.ts';
import { NO_SIGNALS, type Signals } from '../net/signals.ts';
import type { FaultableTransport, NodePorts } from '../node/ports.ts';
import type { RunResult } from '../scenario/run.ts';
import { runScenario } from '../scenario/run.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { runEmulation } from './emulate.ts';
import { RealTimeDriver } from './realtime-driver.ts';
import { loadavg } from 'node:os';

/**
 * The emulated world for the both-worlds suites (test/worlds/, ns-3's one-suite-per-implementation
 * habit): a scenario's nodes on the real-time clock and real sockets, or bare ports on the real-time
 * clock for nodes built by hand. Same shape as the suites' World.
 */
export interface EmulatedWorld {
  readonly name: string;
  runScenario(file: string, opts?: { seed?: number; set?: string[] }): Promise<RunResult>;
  open(opts?: { seed?: number; link?: Partial<LinkParams>; signals?: Signals }): Promise<{
    readonly ports: NodePorts & { transport: FaultableTransport };
    run(until?: Ns): Promise<void>;
    readonly tolerance: Ns;
    close(): Promise<void>;
  }>;
}

/** How long after the last message the emulation keeps listening (late retransmissions, stray answers). */
const QUIET_AFTER: Ns = 1_000_000_000;
/** Lateness beyond which a run is not comparable (a fifth of T1, half the smallest race margin compared). */
const LATE_LIMIT: Ns = 100_000_000;
/** Runs at time scale 1, 2, 4, 8: a machine too loaded to keep real time runs the same experiment slower. */
const ATTEMPTS = 4;

/**
 * Requests sent again byte for byte on the same link (RFC 3261 retransmissions, Timer A/E): the
 * simulation has exactly those its faults cause (loss); a real-time run with more fell behind on the
 * wire — the real hops took longer than a retransmission timer, which an idle machine's do not.
 */
function repeats(r: RunResult): number {
  const seen = new Set<string>();
  let n = 0;
  for (const t of r.trace) {
    if (t.proto !== 'sip' || /^\d/.test(t.kind)) continue;
    const k = `${t.from}>${t.to}>${t.wire}`;
    if (seen.has(k)) n++;
    else seen.add(k);
  }
  return n;
}

export function emulationWorld(opts: { timeScale?: number } = {}): EmulatedWorld {
  const timeScale = opts.timeScale ?? 1;
  return {
    name: timeScale === 1 ? 'emulation (real time, real sockets)' : `emulation (real sockets, time scale ${timeScale})`,
    async runScenario(file, o = {}) {
      const load = () => loadScenarioFile(file, { seed: o.seed, set: o.set });
      // A scenario's duration is often far beyond its last message (learn scenarios leave room
      // for the reader): the emulation runs until its activity would be over, found in virtual time.
      const probe = await runScenario(load());
      const last = probe.trace.reduce((m, r) => Math.max(m, r.t), 0);
      const expected = repeats(probe);
      // A run that fell behind real time is no real-time run: an event more than LATE_LIMIT late
      // (a timer fired half a T1 late retransmits what a kept-up run would not; the lab stops it,
      // hard-limit), or real hops slow enough for a retransmission timer to fire (measured: more
      // retransmissions than the simulation's). It is run again at twice the time scale — the same
      // experiment, slower, so the host's delays weigh half as much in virtual time; a machine that
      // cannot keep up at the last scale is reported as such, with what was measured.
      const late: string[] = [];
      for (let attempt = 1, scale = timeScale; ; attempt++, scale *= 2) {
        const sc = load();
        const r = await runEmulation(sc, { durationNs: Math.min(sc.duration, last + QUIET_AFTER), timeScale: scale, verify: true, lateness: { kind: 'hard-limit', limitNs: LATE_LIMIT } });
        const extra = r.ended === 'error' ? 0 : repeats(r) - expected;
        if (r.ended !== 'error' && extra <= 0) return r;
        late.push(`time scale ${scale}: ${r.ended === 'error' ? (r.error ?? 'stopped') : `${extra} retransmission(s) more than in simulation (lateness p99 ${r.lateness.p99Ms} ms, max ${r.lateness.maxMs} ms)`}`);
        if (attempt >= ATTEMPTS) {
          throw new Error(
            `the emulated world could not keep real time on this machine (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}): ` +
              `${ATTEMPTS} runs fell behind (lateness above ${LATE_LIMIT / 1e6} ms, or real hops slower than a retransmission timer) — ${late.join('; ')}. Run it on a quieter machine, or leave it out with REGLAB_EMULATED_WORLD=0.`,
          );
        }
      }
    },
    async open(o = {}) {
      // Hand-built nodes have no codec the lab knows: real-time clock, in-process transport.
      const sim = new Simulator(o.seed ?? 1);
      const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, ...o.link }, o.signals ?? NO_SIGNALS, sim.stream('net'));
      const driver = new RealTimeDriver(sim, timeScale);
      let failure: Error | undefined;
      driver.onError = (e) => (failure = e);
      let started = false;
      return {
        ports: { clock: sim, transport: net, streams: sim, addresses: net },
        tolerance: 20_000_000 * timeScale,
        async run(until?: Ns) {
          if (!started) (started = true), driver.start();
          // Wait on the wall clock: until the time asked for, or until nothing is left to do.
          for (;;) {
            if (failure) throw failure;
            const now = driver.wallNow();
            // Past `until` on the wall clock AND every event due by then has run (a late start must not skip them).
            if (until !== undefined ? now >= until && sim.nextTime() > until : sim.nextTime() === Infinity) break;
            await new Promise((r) => setImmediate(r));
          }
        },
        async close() {
          driver.stop();
        },
      };
    },
  };
}
