import { Simulator } from '../../sim/kernel/simulator.ts';
import { MS } from '../../sim/kernel/time.ts';
import { InProcessNetwork } from '../../sim/net/network.ts';
import { DEFAULT_LINK } from '../../sim/net/link.ts';
import type { Message } from '../../sim/net/message.ts';
import { NO_SIGNALS, type Signals } from '../../sim/net/signals.ts';
import { Node, type NodeContext } from '../../sim/node/node.ts';
import { DEFAULT_CAPACITY } from '../../sim/node/capacity.ts';
import { gatewayToken, type Channel } from '../../sim/msgin5g/http.ts';
import { Msgin5gServer, type ServerConfig } from '../../sim/msgin5g/server.ts';
import { UeAuthRequest, UeAuthResponse } from '../../sim/msgin5g/messages.ts';
import { UeDirectory, type UeSettings } from '../../sim/msgin5g/ue-directory.ts';
import { loadScenarioText } from '../../sim/scenario/load.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';
import { simulationPorts } from '../../sim/scenario/simulation-ports.ts';
import { DEFAULT_UES } from '../../sim/scenario/types/msgin5g.ts';

/** A directory of a scenario's default UEs (DEFAULT_UES), with `ues` changed. */
export function directory(population: number, ues: Partial<UeSettings> = {}): UeDirectory {
  return new UeDirectory(population, { ...DEFAULT_UES, ...ues });
}

export function channel(dir: UeDirectory, gateway = 'gw'): Channel {
  return { host: 'server:8080', userAgent: 'RegLab-Message-Gateway/gw (MSGin5G-2)', token: gatewayToken(gateway), gateway, dir };
}

/** Stands in for a Message Gateway: sends what a test gives it, keeps what it receives, answers challenges. */
export class Probe extends Node {
  readonly received: Message[] = [];
  /** Answer per-UE challenges (as a gateway with these credentials would). */
  answerChallenges = true;
  constructor(
    id: string,
    ctx: NodeContext,
    readonly dir: UeDirectory,
  ) {
    super(id, ctx);
  }
  protected handleMessage(m: Message, from: number): void {
    if (m instanceof UeAuthRequest) {
      if (!this.answerChallenges) return;
      const r = UeDirectory.challengeResponse(this.dir.gatewayCredential(m.sub), m.challenge);
      this.send(from, new UeAuthResponse(m.ch, m.sub, m.tx, m.conn, m.entry, m.op, r));
      return;
    }
    this.received.push(m);
  }
  sendTo(to: number, m: Message): void {
    this.send(to, m);
  }
}

/** A server and a probe gateway joined by a 1 ms stream link. */
export function serverHarness(population: number, opts: { ues?: Partial<UeSettings>; server?: Partial<ServerConfig>; signals?: Signals } = {}) {
  const sim = new Simulator(1);
  const signals = opts.signals ?? NO_SIGNALS;
  const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, delay: 1 * MS, transport: 'stream' }, signals, sim.stream('net'));
  const ctx: NodeContext = { ...simulationPorts(sim, net), signals, capacity: { ...DEFAULT_CAPACITY, byKind: {} } };
  const dir = directory(population, opts.ues);
  const gw = new Probe('gw', ctx, dir);
  const server = new Msgin5gServer('server', ctx, {
    maxBulkSize: 1000,
    authTimeout: 5000 * MS,
    retryAfter: 1000 * MS,
    initiallyRegistered: false,
    store: 'persistent',
    bulkCommit: 'per-entry',
    segmentSize: 0,
    authentication: 'trusted-gateway',
    dir,
    ...opts.server,
  });
  gw.start();
  server.start();
  const ch = channel(dir);
  /** Sends a message from the probe, runs to idle and returns what came back. */
  function exchange(m: Message): Message {
    const before = gw.received.length;
    gw.sendTo(server.index, m);
    sim.run();
    if (gw.received.length !== before + 1) throw new Error(`expected one answer, got ${gw.received.length - before}`);
    return gw.received[gw.received.length - 1];
  }
  /** Another gateway on the same server, with its own id and token. */
  function otherGateway(id: string): { probe: Probe; ch: Channel } {
    const probe = new Probe(id, ctx, dir);
    probe.start();
    return { probe, ch: { ...channel(dir, id), userAgent: `RegLab-Message-Gateway/${id} (MSGin5G-4)` } };
  }
  return { sim, net, gw, server, dir, ch, exchange, otherGateway };
}

/** Runs a scenario given as YAML text (file name only for messages). */
export async function runYaml(yaml: string, set: string[] = []): Promise<RunResult> {
  const sc = loadScenarioText(yaml, '/tmp/reglab-msgin5g-test.yaml', { set });
  return runScenario(sc);
}

/** A gateway and a server in a scenario, for behaviour tests; `extra` is appended YAML. */
export function scenarioYaml(o: {
  population: number;
  msgin5g?: string;
  gateway?: string;
  server?: string;
  serverCosts?: string;
  link?: string;
  workload: string;
  watch?: number;
  duration?: string;
  extra?: string;
}): string {
  return `description: test
seed: 1
duration: ${o.duration ?? '60s'}
network:
  links:
    - { between: [gateway, server], ${o.link ?? 'delay: 5ms, transport: stream'} }
nodes:
  - id: gateway
    type: message-gateway
    params: { servers: [server]${o.gateway ? `, ${o.gateway}` : ''} }
  - id: server
    type: msgin5g-server
    costs:
      default: ${o.serverCosts ?? '{ perMessage: 1ms, perEntry: 0.1ms }'}
    params: { ${o.server ?? 'maxBulkSize: 1000'} }
population: { size: ${o.population} }
${o.msgin5g ? `msgin5g:\n${o.msgin5g.replace(/^/gm, '  ')}\n` : ''}workload:
${o.workload.replace(/^/gm, '  ')}
observe:
  watch: { first: ${o.watch ?? 10} }
  interval: 1s
${o.extra ?? ''}`;
}
