/**
 * One suite, every world (DESIGN principle 1; ns-3 registers one test case per scheduler
 * implementation): the node and procedure suites in this folder are written once against `World`
 * and registered once per entry of WORLDS. A world is where nodes run — the simulator (virtual
 * time, in-process network) or the emulation lab (real-time clock, real sockets) — and the suites
 * must not care which.
 *
 * To add a world: implement World in test/worlds/<name>.ts and append it to WORLDS below. What a
 * world must provide:
 * - runScenario: a scenario file run to its end, with what `reglab run` reports (rule verdicts,
 *   the watched trace with each message's from / to / kind, the summary). The learn suites compare
 *   verdicts and per-subscriber message sequences with the simulation's.
 * - open: a bare world for nodes built by hand (the node lifecycle and capacity suite): the node
 *   ports, a way to let time pass, and the world's timing precision.
 *
 * Times in the suites are a few milliseconds: exact in virtual time, and well above the scheduling
 * noise of a real-time world (whose `tolerance` says how far an event may run late).
 */
import type { Ns } from '../../sim/kernel/time.ts';
import type { LinkParams } from '../../sim/net/link.ts';
import type { Signals } from '../../sim/net/signals.ts';
import type { FaultableTransport, NodePorts } from '../../sim/node/ports.ts';
import type { RunResult } from '../../sim/scenario/run.ts';
import { simulationWorld } from './simulation.ts';
import { emulatedWorld } from './emulation.ts';

export interface ScenarioOptions {
  seed?: number;
  /** `--set path=value` overrides, as the CLI takes them. */
  set?: string[];
}

export interface OpenOptions {
  seed?: number;
  /** The default link between any two nodes (delay, transport, …); a real-time world may approximate. */
  link?: Partial<LinkParams>;
  /** Where the nodes' signals go (drops, procedures, counters); default: nowhere. */
  signals?: Signals;
}

export interface OpenWorld {
  /** The node ports to build nodes with (new SomeNode(id, { ...ports, signals, capacity })). */
  readonly ports: NodePorts & { transport: FaultableTransport };
  /**
   * Lets time pass until `until` ns after the world opened (or, without it, until nothing is left
   * to do). Virtual time runs the due events at once; real time waits for them.
   */
  run(until?: Ns): Promise<void>;
  /** How late (ns) an event may run in this world: 0 in virtual time. Compare times within it. */
  readonly tolerance: Ns;
  /** Releases what the world holds (sockets, timers). */
  close(): Promise<void>;
}

export interface World {
  /** Shown in test names. */
  readonly name: string;
  /** Runs a scenario file to its end in this world. */
  runScenario(file: string, opts?: ScenarioOptions): Promise<RunResult>;
  /** A bare world for nodes built by hand. */
  open(opts?: OpenOptions): Promise<OpenWorld>;
}

/**
 * Every world the suites run in. The simulation world twice: as the simulator runs, and with every
 * SIP message delivered as a fresh object re-made from its fields (what a parser of its wire text
 * gives: no object shared with the sender), which is what the emulation lab hands the nodes; and
 * the emulated world (real time, real sockets) — in `npm test` with the learn scenarios' timelines
 * compressed, REGLAB_EMULATED_WORLD=full as written, =0 without it.
 */
export const WORLDS: World[] = [simulationWorld(), simulationWorld({ reparse: true }), ...(process.env.REGLAB_EMULATED_WORLD === '0' ? [] : [emulatedWorld])];

/** The reference the other worlds are compared with. */
export const REFERENCE: World = WORLDS[0];
