/**
 * The emulated world (sim/emulate/world.ts): the scenario's nodes on the real-time clock and real
 * loopback sockets; bare ports on the real-time clock for hand-built nodes. Opt-in
 * (REGLAB_EMULATED_WORLD=1) because real time costs real time: the IMS learn scenarios take 11–24 s
 * each. `node test/run.mjs emulate` runs the fast part of it on every test run.
 */
import { emulationWorld } from '../../sim/emulate/world.ts';
import type { World } from './world.ts';

export const emulatedWorld: World = emulationWorld();
