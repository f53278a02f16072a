import { Simulator } from '../kernel/simulator.ts';
import { InProcessNetwork } from '../net/network.ts';
import { DEFAULT_LINK, type LinkParams } from '../net/link.ts';
import type { Signals } from '../net/signals.ts';
import type { Node } from '../node/node.ts';
import { simulationPorts, type BindPorts } from './simulation-ports.ts';
import { FROM_WORKLOAD } from '../net/message.ts';
import type { CapacityConfig, ServiceCost } from '../node/capacity.ts';
import { Recorder } from '../observe/recorder.ts';
import type { Rule } from '../observe/rules.ts';
import type { TraceRecord } from '../observe/records.ts';
import { generateTriggers, type Triggers, type WorkloadPattern } from '../population/workload.ts';
import { Trigger } from '../population/trigger.ts';
import { NODE_TYPE_BY_NAME, loadNodeTypes } from './node-types.ts';
import { FaultInjector } from '../faults/fault-injector.ts';
import type { FaultRule } from '../faults/fault-rules.ts';
import type { NodeType } from './node-type.ts';
import type { Scenario } from './load.ts';
import type { ScenarioDoc } from './schema.ts';

/** A scenario turned into a running topology: kernel, network, nodes, recorder, workload feeds. */
export interface Topology {
  sim: Simulator;
  net: InProcessNetwork;
  nodes: Node[];
  nodeTypes: NodeType[];
  recorder: Recorder;
  watched: Uint8Array;
  rules: Rule[];
  faults: FaultInjector | undefined;
}

export async function buildTopology(sc: Scenario, onTrace?: (rec: TraceRecord) => void, bind: BindPorts = simulationPorts): Promise<Topology> {
  const doc = sc.doc;
  await loadNodeTypes(doc.nodes.map((n) => n.type));
  const sim = new Simulator(sc.seed);
  const population = doc.population.size;
  const watched = watchSet(doc, population);

  // The recorder is the nodes' Signals, called directly on the hot path (no forwarding closure);
  // it gets the node list now and the nodes themselves as they are created.
  const nodes: Node[] = [];
  const recorder = new Recorder({
    nodes,
    nodeCount: doc.nodes.length,
    nodeTypes: doc.nodes.map((n) => n.type),
    population,
    watched,
    traceLimit: doc.observe.traceLimit,
    onTrace,
  });
  const signals: Signals = recorder;

  const net = new InProcessNetwork(sim, linkParams(doc.network.defaults, DEFAULT_LINK), signals, sim.stream('net/links'));
  for (const l of doc.network.links) {
    net.setLink(l.between[0], l.between[1], linkParams(l, linkParams(doc.network.defaults, DEFAULT_LINK)));
  }

  const ports = bind(sim, net);
  const nodeTypes: NodeType[] = [];
  const env = {
    indexOf: (id: string) => net.indexOf(id),
    population,
    seed: sc.seed,
    section: (name: string) => (doc as Record<string, unknown>)[name],
  };
  for (const def of doc.nodes) {
    const type = NODE_TYPE_BY_NAME.get(def.type)!;
    const node = type.create(def.id, { ...ports, signals, capacity: capacity(def) }, def.params, env);
    nodes.push(node);
    nodeTypes.push(type);
  }

  for (const n of nodes) n.start();

  const faults = doc.faults.length
    ? new FaultInjector(
        ports,
        nodes,
        signals,
        doc.faults.map((f, i) => ({ ...f, name: f.name ?? `${f.kind}-${i + 1}` }) as FaultRule),
      )
    : undefined;

  doc.workload.forEach((w, i) => {
    const from = w.subscribers.from;
    const count = w.subscribers.count ?? population - from;
    const pattern: WorkloadPattern =
      w.pattern.kind === 'csv' ? { kind: 'replay', rows: sc.replays.get(i)! } : w.pattern;
    const triggers = generateTriggers(pattern, from, count, sim.stream(`workload/${i}`));
    if (triggers.length > 0) {
      const feed = new Feed(sim, nodes[net.indexOf(w.target)], triggers, w.event, signals);
      sim.post(triggers.times[0], fireFeed, feed);
    }
  });

  const rules: Rule[] = [];
  const seen = new Set<string>();
  for (const t of nodeTypes) for (const r of t.rules ?? []) if (!seen.has(r.id)) (seen.add(r.id), rules.push(r));

  return { sim, net, nodes, nodeTypes, recorder, watched, rules, faults };
}

/** Feeds one workload's sorted triggers to its target, one pending kernel event at a time. */
class Feed {
  i = 0;
  constructor(
    readonly sim: Simulator,
    readonly node: Node,
    readonly trig: Triggers,
    readonly event: string,
    readonly signals: Signals,
  ) {}
}

function fireFeed(f: Feed): void {
  const k = f.i++;
  const e = f.trig.events[k];
  const msg = new Trigger(e >= 0 ? f.trig.eventNames[e] : f.event, f.trig.subs[k]);
  f.signals.triggered(f.sim.now(), f.node.index, msg);
  f.node.receive(msg, FROM_WORKLOAD);
  if (f.i < f.trig.length) f.sim.post(f.trig.times[f.i], fireFeed, f);
}

function watchSet(doc: ScenarioDoc, population: number): Uint8Array {
  const w = new Uint8Array(population);
  const spec = doc.observe.watch;
  if (spec.first !== undefined) w.fill(1, 0, Math.min(spec.first, population));
  for (const id of spec.ids ?? []) if (id < population) w[id] = 1;
  if (spec.every !== undefined) for (let i = 0; i < population; i += spec.every) w[i] = 1;
  return w;
}

type LinkDoc = Partial<{ delay: number; jitter: number; bandwidth: number; loss: number; transport: 'datagram' | 'stream' }>;

function linkParams(d: LinkDoc, base: LinkParams): LinkParams {
  return {
    delay: d.delay ?? base.delay,
    jitter: d.jitter ?? base.jitter,
    bandwidth: d.bandwidth ?? base.bandwidth,
    loss: d.loss ?? base.loss,
    transport: d.transport ?? base.transport,
  };
}

function capacity(def: ScenarioDoc['nodes'][number]): CapacityConfig {
  const byKind: Record<string, ServiceCost> = {};
  let defaultCost: ServiceCost = { perMessage: 0, perEntry: 0, perByte: 0 };
  for (const [kind, c] of Object.entries(def.costs)) {
    if (kind === 'default') defaultCost = c;
    else byKind[kind] = c;
  }
  return {
    workers: def.workers,
    queueLimit: def.queueLimit === 'none' ? Infinity : def.queueLimit,
    defaultCost,
    byKind,
  };
}
