import { wallClockMs, yieldToHost } from '../kernel/real-time-clock.ts';
import { evaluateRules } from '../observe/rules.ts';
import type { TraceEntry } from '../observe/recorder.ts';
import type { ProcedureCurves, ProbeRow, RuleResult, SampleRow, Summary, TraceRecord } from '../observe/records.ts';
import type { ExtraFile } from '../observe/export.ts';
import { writePcapng, nodeAddress, frameComment, type PcapFrame } from '../observe/pcapng.ts';
import type { NodeType } from './node-type.ts';
import { REGLAB_VERSION } from '../version.ts';
import { buildTopology } from './build.ts';
import type { BindPorts } from './simulation-ports.ts';
import type { Scenario } from './load.ts';

export interface RunHooks {
  onStarted?(info: { nodes: { id: string; type: string }[]; durationNs: number; sampleIntervalNs: number }): void;
  /** Watched subscribers' messages, in time order. */
  onTrace?(rec: TraceRecord): void;
  /** One row per node at each sampling interval. */
  onSample?(rows: SampleRow[]): void;
  onProgress?(p: { simulatedNs: number; events: number; fraction: number }): void;
  /** Abort → the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /** The world's binding of the node ports (build.ts BindPorts; tests wrap the transport). */
  bind?: BindPorts;
}

export interface RunResult {
  summary: Summary;
  rules: RuleResult[];
  trace: TraceRecord[];
  samples: SampleRow[];
  /** Probe values at each sample (empty when no node type has probes). */
  probes: ProbeRow[];
  /** Node ids in scenario order. */
  nodes: string[];
  /** The watched trace with the message objects (for rule checks and protocol exports). */
  entries: TraceEntry[];
  /** Files protocol modules add to the run directory (e.g. trace.pcapng). */
  extra: ExtraFile[];
  /** Completion curves and latency CDFs per procedure (computed on demand: it sorts latencies). */
  curves(): ProcedureCurves;
}

/** Events processed between two looks at the host (abort, progress, sockets). */
const CHUNK = 50_000;
const PROGRESS_EVERY_MS = 100;

export async function runScenario(sc: Scenario, hooks: RunHooks = {}): Promise<RunResult> {
  const wall0 = wallClockMs();
  const topo = await buildTopology(sc, hooks.onTrace, hooks.bind);
  const { sim, nodes, recorder } = topo;
  const doc = sc.doc;
  const interval = doc.observe.interval;
  hooks.onStarted?.({
    nodes: doc.nodes.map((n) => ({ id: n.id, type: n.type })),
    durationNs: sc.duration,
    sampleIntervalNs: interval,
  });

  const samples: SampleRow[] = [];
  const probeRows: ProbeRow[] = [];
  const probes = [...new Set(topo.nodeTypes)].flatMap((t) => t.probes?.(nodes) ?? []);
  let lastSample = 0;
  /** Where activity ended, when a sampler tick finds the model idle (else the kernel's clock). */
  let idleSince: number | undefined;
  const takeSample = (t: number) => {
    const rows = recorder.sample(t);
    if (probes.length) probeRows.push({ t, values: recorder.sampleProbes(t, probes) });
    lastSample = t;
    for (const r of rows) samples.push(r);
    hooks.onSample?.(rows);
  };
  // The sampler keeps itself alive only while the model has something left to do. A tick that
  // finds nothing else pending is past the end: the run ended at the event before it, and must not
  // be stretched to the tick (that would dilute busy fractions).
  const sampler = () => {
    if (sim.pending === 0) {
      idleSince = sim.previousTime();
      return;
    }
    takeSample(sim.now());
    if (sim.now() + interval <= sc.duration) sim.schedule(interval, sampler);
  };
  if (interval <= sc.duration) sim.schedule(interval, sampler);

  let lastProgress = wallClockMs();
  for (;;) {
    const outcome = sim.run(sc.duration, CHUNK);
    if (outcome !== 'budget') break;
    if (hooks.signal?.aborted) throw abortError();
    const now = wallClockMs();
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      hooks.onProgress?.({ simulatedNs: sim.now(), events: sim.events, fraction: Math.min(1, sim.now() / sc.duration) });
    }
    await yieldToHost();
    if (hooks.signal?.aborted) throw abortError();
  }
  const end = idleSince ?? sim.now();
  if (end > lastSample) takeSample(end);
  hooks.onProgress?.({ simulatedNs: end, events: sim.events, fraction: 1 });

  const entries = recorder.entries;
  const rules = evaluateRules(topo.rules, entries);
  const nodeIds = nodes.map((n) => n.id);
  const extra: ExtraFile[] = [];
  for (const t of new Set(topo.nodeTypes)) if (t.exports) extra.push(...t.exports(entries, nodeIds));
  const pcap = capture(topo.nodeTypes, entries, nodeIds, new Map(rules.map((r) => [r.id, r.title])));
  if (pcap) extra.push({ name: 'trace.pcapng', data: pcap });

  const summary: Summary = {
    scenario: sc.name,
    description: sc.description,
    seed: sc.seed,
    reglabVersion: REGLAB_VERSION,
    traceHash: recorder.hash.hex(),
    events: sim.events,
    wallMs: Math.round(wallClockMs() - wall0),
    simulatedNs: end,
    population: doc.population.size,
    watched: topo.watched.reduce((a, b) => a + b, 0),
    messages: {
      sent: recorder.sentCount,
      delivered: recorder.deliveredCount,
      dropped: recorder.droppedTotal,
      inFlight: topo.net.inFlight,
      triggersDropped: recorder.triggersDropped,
      bytes: recorder.bytesDelivered,
      byReason: { ...recorder.dropReasons },
    },
    procedures: recorder.procedureSummaries(),
    nodes: recorder.nodeSummaries(end),
    links: recorder.linkSummaries(),
    faults: topo.faults ? Object.fromEntries(topo.faults.fired) : {},
    probes: recorder.probeSummaries(),
    rules: {
      passed: rules.filter((r) => r.status === 'passed').length,
      failed: rules.filter((r) => r.status === 'failed').length,
      notApplicable: rules.filter((r) => r.status === 'not-applicable').length,
    },
  };
  return { summary, rules, trace: entries.map((e) => e.rec), samples, probes: probeRows, nodes: nodeIds, entries, extra, curves: () => recorder.procedureCurves() };
}

function abortError(): Error {
  const e = new Error('run aborted');
  e.name = 'AbortError';
  return e;
}

/** One capture for every protocol some node type can frame; undefined when nothing was framed. */
function capture(types: readonly NodeType[], entries: readonly TraceEntry[], nodeIds: readonly string[], titles: ReadonlyMap<string, string>): Uint8Array | undefined {
  const byProto = new Map<string, NonNullable<NodeType['pcap']>>();
  for (const t of types) if (t.pcap) for (const p of t.pcap.protos) byProto.set(p, t.pcap);
  if (byProto.size === 0) return undefined;
  const index = new Map(nodeIds.map((id, i) => [id, i]));
  const addressOf = (id: string) => nodeAddress(index.get(id) ?? nodeIds.length);
  const frames: PcapFrame[] = [];
  for (const e of entries) {
    if (e.rec.event !== 'delivered') continue;
    const enc = byProto.get(e.rec.proto);
    if (!enc) continue;
    const fs = enc.frames(e, addressOf);
    // The message number and its spec steps as the packet comment (sim/observe/pcapng.ts).
    if (fs[0]) fs[0].comment = frameComment(e.rec, titles);
    frames.push(...fs);
  }
  return frames.length ? writePcapng(frames, { names: nodeIds.map((id, i) => ({ ip: nodeAddress(i), name: id })) }) : undefined;
}
