import { evaluateRules } from '../observe/rules.ts';
import type { ExtraFile } from '../observe/export.ts';
import type { Summary } from '../observe/records.ts';
import type { RunResult } from '../scenario/run.ts';
import type { Topology } from '../scenario/build.ts';
import type { Scenario } from '../scenario/load.ts';
import { REGLAB_VERSION } from '../version.ts';

/**
 * The same results `reglab run` produces (summary, rules, trace, samples, probes), from a topology
 * that ran in another world (real time, or a replay). Sampling runs on the kernel's clock as in
 * simulation: install() before the run, finish() after it.
 */
export class ResultCollector {
  private readonly samples: RunResult['samples'] = [];
  private readonly probeRows: RunResult['probes'] = [];
  private lastSample = 0;
  private readonly probes: { name: string; read(): number }[];

  constructor(
    readonly sc: Scenario,
    readonly topo: Topology,
    private readonly horizon: number,
  ) {
    this.probes = [...new Set(topo.nodeTypes)].flatMap((t) => t.probes?.(topo.nodes) ?? []);
  }

  /** Samples every observe.interval up to the horizon (the emulation keeps going while idle, waiting for peers). */
  install(): void {
    const sim = this.topo.sim;
    const interval = this.sc.doc.observe.interval;
    const tick = () => {
      this.take(sim.now());
      if (sim.now() + interval <= this.horizon) sim.schedule(interval, tick);
    };
    if (interval <= this.horizon) sim.schedule(interval, tick);
  }

  private take(t: number): void {
    const rec = this.topo.recorder;
    for (const r of rec.sample(t)) this.samples.push(r);
    if (this.probes.length) this.probeRows.push({ t, values: rec.sampleProbes(t, this.probes) });
    this.lastSample = t;
  }

  finish(end: number, wallMs: number, extra: ExtraFile[]): RunResult {
    const { recorder, sim, nodes, nodeTypes } = this.topo;
    if (end > this.lastSample) this.take(end);
    const entries = recorder.entries;
    const rules = evaluateRules(this.topo.rules, entries);
    const nodeIds = nodes.map((n) => n.id);
    const files: ExtraFile[] = [];
    for (const t of new Set(nodeTypes)) if (t.exports) files.push(...t.exports(entries, nodeIds));
    files.push(...extra);
    const doc = this.sc.doc;
    const summary: Summary = {
      scenario: this.sc.name,
      description: this.sc.description,
      seed: this.sc.seed,
      reglabVersion: REGLAB_VERSION,
      traceHash: recorder.hash.hex(),
      events: sim.events,
      wallMs: Math.round(wallMs),
      simulatedNs: end,
      population: doc.population.size,
      watched: this.topo.watched.reduce((a, b) => a + b, 0),
      // On real sockets nothing counts messages on the wire: what was sent and neither delivered nor
      // dropped when the emulation stopped was still in flight (or lost by a real peer).
      messages: {
        sent: recorder.sentCount,
        delivered: recorder.deliveredCount,
        dropped: recorder.droppedTotal,
        inFlight: Math.max(0, recorder.sentCount - recorder.deliveredCount - recorder.droppedTotal),
        triggersDropped: recorder.triggersDropped,
        bytes: recorder.bytesDelivered,
        byReason: { ...recorder.dropReasons },
      },
      procedures: recorder.procedureSummaries(),
      nodes: recorder.nodeSummaries(end),
      links: recorder.linkSummaries(),
      faults: this.topo.faults ? Object.fromEntries(this.topo.faults.fired) : {},
      probes: recorder.probeSummaries(),
      rules: {
        passed: rules.filter((r) => r.status === 'passed').length,
        failed: rules.filter((r) => r.status === 'failed').length,
        notApplicable: rules.filter((r) => r.status === 'not-applicable').length,
      },
    };
    return { summary, rules, trace: entries.map((e) => e.rec), samples: this.samples, probes: this.probeRows, nodes: nodeIds, entries, extra: files, curves: () => recorder.procedureCurves() };
  }
}
