/**
 * The simulation world (test/worlds/world.ts): virtual time and the in-process network, bound to
 * the node ports as `reglab run` binds them (sim/scenario/build.ts simulationPorts).
 *
 * `reparse: true` wraps the transport so that every SIP message reaches its receiver as a new
 * ImsSip re-made from its fields, with a new Via chain — the sender's objects are never shared,
 * as when a message is parsed from its wire text. Nodes must match transactions by value (branch,
 * sent-by, method: RFC 3261 §17.1.3 / §17.2.3), not by object identity, to pass in it.
 */
import { Simulator } from '../../sim/kernel/simulator.ts';
import { InProcessNetwork } from '../../sim/net/network.ts';
import { DEFAULT_LINK } from '../../sim/net/link.ts';
import { NO_SIGNALS } from '../../sim/net/signals.ts';
import type { Message } from '../../sim/net/message.ts';
import type { FaultableTransport } from '../../sim/node/ports.ts';
import { ImsSip, Via } from '../../sim/ims/sip-message.ts';
import { simulationPorts, type BindPorts } from '../../sim/scenario/simulation-ports.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import type { OpenOptions, OpenWorld, World } from './world.ts';

export function simulationWorld(opts: { reparse?: boolean } = {}): World {
  const bind: BindPorts = opts.reparse
    ? (sim, net) => {
        const ports = simulationPorts(sim, net);
        return { ...ports, transport: reparsingTransport(ports.transport) };
      }
    : simulationPorts;
  return {
    name: opts.reparse ? 'simulation, messages re-made at each hop' : 'simulation',
    async runScenario(file, o = {}) {
      return runScenario(loadScenarioFile(file, { seed: o.seed, set: o.set }), { bind });
    },
    async open(o: OpenOptions = {}): Promise<OpenWorld> {
      const sim = new Simulator(o.seed ?? 1);
      const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, ...o.link }, o.signals ?? NO_SIGNALS, sim.stream('net'));
      return {
        ports: bind(sim, net),
        async run(until?: number) {
          sim.run(until ?? Infinity);
        },
        tolerance: 0,
        async close() {},
      };
    },
  };
}

/** The transport, with each SIP message re-made from its fields on its way (see the file comment). */
function reparsingTransport(inner: FaultableTransport): FaultableTransport {
  return {
    attach: (node) => inner.attach(node),
    path: (from, to) => inner.path(from, to),
    send: (from, to, msg) => inner.send(from, to, msg instanceof ImsSip ? remade(msg) : msg),
    get interceptor() {
      return inner.interceptor;
    },
    set interceptor(i) {
      inner.interceptor = i;
    },
  };
}

function remade(m: ImsSip): Message {
  const c = m.copy();
  c.via = cloneVias(m.via);
  c.sentAt = m.sentAt;
  c.seal(m.procedure, m.rules);
  if (c.bytes !== m.bytes || c.kind !== m.kind) throw new Error(`re-made ${m.kind} differs: ${c.kind}, ${c.bytes} bytes vs ${m.bytes}`);
  return c;
}

function cloneVias(v: Via | null): Via | null {
  return v === null ? null : new Via(v.node, v.branch, v.tcp, cloneVias(v.next));
}
