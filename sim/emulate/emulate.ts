import { wallClockMs } from '../kernel/real-time-clock.ts';
import { writePcapng } from '../observe/pcapng.ts';
import type { RunResult } from '../scenario/run.ts';
import { buildTopology } from '../scenario/build.ts';
import type { Scenario } from '../scenario/load.ts';
import type { TraceRecord } from '../observe/records.ts';
import type { EmulateSection } from '../scenario/types/emulate.ts';
import { RealTimeDriver, type LatenessMode, type LatenessSummary } from './realtime-driver.ts';
import { handOverToPeers } from './peer-nodes.ts';
import { ResultCollector } from './results.ts';
import { WireNetwork, type EndpointInfo, type WireCounters } from './wire-network.ts';

export interface EmulateOptions {
  /** Address every listener binds (default 127.0.0.1). */
  host?: string;
  /** Run length in ns (default: the scenario's duration). */
  durationNs?: number;
  timeScale?: number;
  lateness?: LatenessMode;
  /** Check every decoded message against the received text (tests). */
  verify?: boolean;
  /** SO_RCVBUF of the SIP UDP sockets in bytes (default UDP_RECEIVE_BUFFER; 0: the OS default). */
  udpReceiveBuffer?: number;
  /** Ends the emulation early (Ctrl-C, the dashboard's stop): outputs are still produced. */
  signal?: AbortSignal;
  onStarted?(endpoints: EndpointInfo[]): void;
  onTrace?(rec: TraceRecord): void;
  /** Lateness so far, about once a second (the dashboard's gauge). */
  onLateness?(l: LatenessSummary): void;
}

export interface EmulationResult extends RunResult {
  endpoints: EndpointInfo[];
  lateness: LatenessSummary;
  wire: WireCounters;
  /** Why it ended: the duration ran out, it was stopped, or it failed (hard-limit lateness). */
  ended: 'duration' | 'stopped' | 'error';
  error?: string;
}

/**
 * `reglab emulate`: the scenario's nodes in real time on real sockets. Builds the same topology as
 * `reglab run`, binds its network to the wire (WireNetwork) and its clock to the wall
 * (RealTimeDriver), runs until the duration ends or the signal aborts, then produces the same
 * outputs — with trace.pcapng from the bytes really sent and received, emulation.json (endpoints,
 * lateness, wire counters) and arrivals.jsonl (the recording `reglab run --replay` re-runs).
 */
export async function runEmulation(sc: Scenario, opts: EmulateOptions = {}): Promise<EmulationResult> {
  const wall0 = wallClockMs();
  const host = opts.host ?? '127.0.0.1';
  const horizon = opts.durationNs ?? sc.duration;
  const topo = await buildTopology(sc, opts.onTrace);
  const driver = new RealTimeDriver(topo.sim, opts.timeScale ?? 1, opts.lateness ?? { kind: 'best-effort' });
  const section = (sc.doc as { emulate?: EmulateSection }).emulate;
  const wire = new WireNetwork({
    sim: topo.sim,
    net: topo.net,
    nodes: topo.nodes,
    nodeTypes: sc.doc.nodes.map((n) => n.type),
    signals: topo.recorder,
    host,
    section,
    inject: (fn, a) => driver.inject(fn as (x: unknown) => void, a),
    verify: opts.verify,
    udpReceiveBuffer: opts.udpReceiveBuffer,
  });
  // A node a real peer plays never runs here, and the rules judge none of its acts.
  handOverToPeers(topo.nodes, section);
  try {
    await wire.start();
  } catch (e) {
    await wire.close();
    wire.releaseRecording();
    throw e;
  }
  const endpoints = wire.endpoints();
  opts.onStarted?.(endpoints);

  const results = new ResultCollector(sc, topo, horizon);
  results.install();
  const tw = section?.watchdog ?? 30_000_000_000;
  const watchdog = () => {
    for (const c of wire.diameterConnections()) c.watchdog();
    topo.sim.schedule(tw, watchdog);
  };
  topo.sim.schedule(tw, watchdog);
  if (opts.onLateness) {
    const report = () => {
      opts.onLateness!(driver.lateness());
      topo.sim.schedule(1_000_000_000, report);
    };
    topo.sim.schedule(1_000_000_000, report);
  }

  let ended: EmulationResult['ended'] = 'duration';
  let error: string | undefined;
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = (why: EmulationResult['ended'], err?: Error) => {
      if (done) return;
      done = true;
      ended = why;
      error = err?.message;
      driver.stop();
      resolve();
    };
    topo.sim.post(horizon, () => {
      done = true;
      driver.stop();
      resolve();
    });
    driver.onError = (e) => finish('error', e);
    if (opts.signal?.aborted) finish('stopped');
    opts.signal?.addEventListener('abort', () => finish('stopped'), { once: true });
    driver.start();
  });
  const end = Math.min(horizon, Math.max(topo.sim.now(), driver.wallNow()));
  await wire.close();

  const lateness = driver.lateness();
  const extra = [];
  try {
    // Captured in time order already (each frame at its event's time); the sort is stable.
    if (wire.frames > 0) extra.push({ name: 'trace.pcapng', data: writePcapng(wire.capturedFrames().sort((a, b) => a.t - b.t)) });
    extra.push({ name: 'arrivals.jsonl', data: wire.recordingJsonl() });
  } finally {
    wire.releaseRecording();
  }
  extra.push({
    name: 'emulation.json',
    data: JSON.stringify({ host, ended, error, horizonNs: horizon, endpoints, lateness, wire: wire.counters }, null, 2) + '\n',
  });
  const r = results.finish(end, wallClockMs() - wall0, extra);
  (r.summary as unknown as Record<string, unknown>).emulation = { lateness, wire: wire.counters, ended, endpoints: endpoints.length };
  return { ...r, endpoints, lateness, wire: wire.counters, ended, error };
}
