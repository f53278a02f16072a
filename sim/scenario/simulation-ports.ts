import type { Simulator } from '../kernel/simulator.ts';
import type { InProcessNetwork } from '../net/network.ts';
import type { FaultableTransport, NodePorts } from '../node/ports.ts';

/**
 * The simulation world's binding of the node ports (sim/node/ports.ts): the Simulator is the clock
 * and the random streams, the in-process network the transport and the address book — the objects
 * themselves, so the hot paths call them directly. A module of its own (not in build.ts) so that
 * whoever builds nodes by hand (the kernel bench, the node tests) does not load every node type.
 */
export function simulationPorts(sim: Simulator, net: InProcessNetwork): NodePorts & { transport: FaultableTransport } {
  return { clock: sim, transport: net, streams: sim, addresses: net };
}

/** How a world binds the node ports on the run's kernel and network (default: simulationPorts). */
export type BindPorts = (sim: Simulator, net: InProcessNetwork) => NodePorts & { transport: FaultableTransport };
