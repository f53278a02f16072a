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
const ATTEMPTS = 3;

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
      // A run that fell behind real time by more than LATE_LIMIT is no real-time run (a timer fired
      // half a T1 late retransmits what a kept-up run would not): the lab stops it (hard-limit) and
      // it is run again; a machine that cannot keep up in ATTEMPTS tries is reported as such.
      const late: string[] = [];
      for (let attempt = 1; ; attempt++) {
        const sc = load();
        const r = await runEmulation(sc, { durationNs: Math.min(sc.duration, last + QUIET_AFTER), timeScale, verify: true, lateness: { kind: 'hard-limit', limitNs: LATE_LIMIT } });
        if (r.ended !== 'error') return r;
        late.push(r.error ?? 'stopped');
        if (attempt >= ATTEMPTS) {
          throw new Error(
            `the emulated world could not keep real time on this machine (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}): ` +
              `${ATTEMPTS} runs stopped by lateness above ${LATE_LIMIT / 1e6} ms — ${late.join('; ')}. Run it on a quieter machine, or leave it out with REGLAB_EMULATED_WORLD=0.`,
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
