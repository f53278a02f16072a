/**
 * The emulated world (sim/emulate/world.ts): the scenario's nodes on the real-time clock and real
 * loopback sockets; bare ports on the real-time clock for hand-built nodes. On in every test run;
 * real time costs real time, so the learn suite compresses the IMS scenarios' timelines
 * (learn-scenarios.test.ts; REGLAB_EMULATED_WORLD=full runs them as written, =0 leaves this world out).
 */
import { emulationWorld } from '../../sim/emulate/world.ts';
import type { World } from './world.ts';

export const emulatedWorld: World = emulationWorld();
