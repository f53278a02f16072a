import { LatencyRecorder } from './latency.ts';
import { TraceHash, kindHashOf } from './trace-hash.ts';
import type { NodeSummary, ProcedureCurves, ProcedureSummary, SampleRow, TraceRecord, WireMark } from './records.ts';

/** Where a workload trigger comes from (sim/net/message.ts FROM_WORKLOAD; observe imports only kernel/). */
const FROM_WORKLOAD = -1;

/** What a recorder needs of a message (structurally the network's Message; observe imports only kernel/). */
export interface ObservedMessage {
  readonly proto: string;
  readonly kind: string;
  readonly bytes: number;
  readonly sub: number;
  readonly subs?: ArrayLike<number>;
  readonly procedure?: string;
  readonly rules?: readonly string[];
  wire?(): string;
  /** A 32-bit digest of the content (sim/net/message.ts); without one the byte count stands for it. */
  digest?(): number;
  /**
   * The wire text with where each cited rule shows in it, rendered in one pass by the code that
   * writes the headers (it knows the rule ids); preferred over wire() when present.
   */
  wireMarked?(): { wire: string; marks: readonly WireMark[] };
}

/** What a recorder reads of a node when sampling. */
export interface ObservedNode {
  readonly id: string;
  readonly workers: number;
  readonly queueLength: number;
  readonly peakQueue: number;
  busyTime(): number;
}

/** A watched message kept in memory for the rule checker: the record and the message object. */
export interface TraceEntry {
  rec: TraceRecord;
  msg: ObservedMessage;
}

export interface RecorderOptions {
  /** The run's nodes; may be filled after construction (nodes need the recorder as their signals). */
  nodes: readonly ObservedNode[];
  /** How many nodes there will be (default: nodes.length). */
  nodeCount?: number;
  nodeTypes: readonly string[];
  population: number;
  /** Subscribers whose messages are traced in full. */
  watched: Uint8Array;
  /** At most this many trace records are kept (the rest are counted, not stored). */
  traceLimit: number;
  onTrace?: (rec: TraceRecord) => void;
}

/**
 * Messages and bytes per (node, kind), kinds interned to small integers: one lookup per message
 * (often none: the last kind seen is kept) instead of a Map per node. `order` lists the kinds in
 * the order the node first counted them, which is the key order of kindsIn/kindsOut.
 */
class KindCounts {
  msgs = new Float64Array(8);
  bytes = new Float64Array(8);
  readonly order: number[] = [];

  add(id: number, bytes: number): void {
    if (id >= this.msgs.length) this.grow(id);
    if (this.msgs[id] === 0) this.order.push(id);
    this.msgs[id]++;
    this.bytes[id] += bytes;
  }

  toRecord(names: readonly string[]): Record<string, { msgs: number; bytes: number }> {
    const out: Record<string, { msgs: number; bytes: number }> = {};
    for (const id of this.order) out[names[id]] = { msgs: this.msgs[id], bytes: this.bytes[id] };
    return out;
  }

  private grow(id: number): void {
    let c = this.msgs.length * 2;
    while (c <= id) c *= 2;
    const m = new Float64Array(c);
    m.set(this.msgs);
    const b = new Float64Array(c);
    b.set(this.bytes);
    this.msgs = m;
    this.bytes = b;
  }
}

class ProcStats {
  // A time: past 2^31 ns (2.1 s) it no longer fits a small integer. Held in a Float64Array so V8
  // never has to change the field's representation mid-run (which deprecates the object's shape
  // and throws away every optimized function that touched one: the 1 M storm's deopt trace).
  private readonly last = new Float64Array(1);
  get lastCompleted(): number {
    return this.last[0];
  }
  set lastCompleted(t: number) {
    this.last[0] = t;
  }
  started = 0;
  completed = 0;
  failed = 0;
  abandoned = 0;
  readonly latency = new LatencyRecorder();
}

/**
 * Turns the network's and nodes' signals into metrics (DESIGN principle 6): per-node and per-kind
 * counters, procedure latencies, named signals, the trace hash over all deliveries, the full trace
 * of watched subscribers, and time-series samples.
 */
export class Recorder {
  readonly hash = new TraceHash();
  readonly entries: TraceEntry[] = [];
  traceOverflow = 0;
  /** Network messages sent (a fault's duplicate counts as one more). */
  sentCount = 0;
  deliveredCount = 0;
  droppedTotal = 0;
  /** Workload triggers refused or lost at their node (not network messages: not in droppedTotal). */
  triggersDropped = 0;
  // Passes 2^31 in a big run (2.1 GB delivered): a Float64Array slot, for the reason given at ProcStats.
  private readonly totals = new Float64Array(1);
  get bytesDelivered(): number {
    return this.totals[0];
  }
  readonly dropReasons: Record<string, number> = {};
  /** Injected fault events by kind (crash, restart, overload-start, …). */
  readonly faultCounts: Record<string, number> = {};

  private readonly n: number;
  private readonly msgsIn: Float64Array;
  private readonly msgsOut: Float64Array;
  private readonly bytesIn: Float64Array;
  private readonly bytesOut: Float64Array;
  private readonly drops: Float64Array;
  /** Delivered messages and bytes per directed link, indexed from × n + to. */
  private readonly linkMsgs: Float64Array;
  private readonly linkBytes: Float64Array;
  private readonly kindsIn: KindCounts[];
  private readonly kindsOut: KindCounts[];
  // Interned kinds: id by name, name and trace-hash value by id; the last kind looked up.
  private readonly kindIds = new Map<string, number>();
  private readonly kindNames: string[] = [];
  private readonly kindHashes: number[] = [];
  private lastKind: string | undefined = undefined;
  private lastKindId = -1;
  private readonly named: Map<string, number>[];
  /** Per node and signal: exact time integral of the running sum, and its maximum. */
  private readonly gauges: Map<string, { integral: number; since: number; max: number }>[];
  private readonly probeStats = new Map<string, { last: number; max: number; integral: number; since: number; lastNonZero: number }>();
  private readonly sampleTimes: number[] = [];
  private readonly procs = new Map<string, ProcStats>();
  /** Completed procedures by name at each sample, for completion curves (one entry per sample). */
  private readonly completedAtSample: Record<string, number>[] = [];
  // Cumulative values at the previous sample, for per-interval deltas.
  private readonly last: { t: number; msgsIn: Float64Array; msgsOut: Float64Array; bytesIn: Float64Array; bytesOut: Float64Array; drops: Float64Array; busy: Float64Array };

  constructor(private readonly opts: RecorderOptions) {
    const n = (this.n = opts.nodeCount ?? opts.nodes.length);
    this.msgsIn = new Float64Array(n);
    this.msgsOut = new Float64Array(n);
    this.bytesIn = new Float64Array(n);
    this.bytesOut = new Float64Array(n);
    this.drops = new Float64Array(n);
    this.linkMsgs = new Float64Array(n * n);
    this.linkBytes = new Float64Array(n * n);
    this.kindsIn = Array.from({ length: n }, () => new KindCounts());
    this.kindsOut = Array.from({ length: n }, () => new KindCounts());
    this.named = Array.from({ length: n }, () => new Map());
    this.gauges = Array.from({ length: n }, () => new Map());
    this.last = {
      t: 0,
      msgsIn: new Float64Array(n),
      msgsOut: new Float64Array(n),
      bytesIn: new Float64Array(n),
      bytesOut: new Float64Array(n),
      drops: new Float64Array(n),
      busy: new Float64Array(n),
    };
  }

  // ---- Signals ---------------------------------------------------------------------------------

  sent(_t: number, from: number, _to: number, msg: ObservedMessage): void {
    if (from < 0) return;
    this.sentCount++;
    const bytes = msg.bytes;
    this.msgsOut[from]++;
    this.bytesOut[from] += bytes;
    this.kindsOut[from].add(this.kindId(msg.kind), bytes);
  }

  delivered(t: number, from: number, to: number, msg: ObservedMessage): void {
    const bytes = msg.bytes;
    this.deliveredCount++;
    this.totals[0] += bytes;
    this.msgsIn[to]++;
    this.bytesIn[to] += bytes;
    if (from >= 0) {
      const k = from * this.n + to;
      this.linkMsgs[k]++;
      this.linkBytes[k] += bytes;
    }
    const id = this.kindId(msg.kind);
    this.kindsIn[to].add(id, bytes);
    this.hash.addHashed(t, from, to, this.kindHashes[id], msg.sub, msg.subs, msg.digest !== undefined ? msg.digest() : bytes);
    if (this.isWatched(msg)) this.record(t, from, to, msg, 'delivered');
  }

  dropped(t: number, from: number, at: number, msg: ObservedMessage, reason: string): void {
    if (from === FROM_WORKLOAD) this.triggersDropped++;
    else {
      this.droppedTotal++;
      this.dropReasons[reason] = (this.dropReasons[reason] ?? 0) + 1;
    }
    if (at >= 0 && at < this.n) this.drops[at]++;
    if (this.isWatched(msg)) this.record(t, from, at, msg, 'dropped', reason);
  }

  discarded(t: number, from: number, at: number, msg: ObservedMessage, reason: string): void {
    // Counted as delivered when it arrived; now it is a drop instead (issue 11 item 9: never both).
    if (from !== FROM_WORKLOAD) {
      this.deliveredCount--;
      this.totals[0] -= msg.bytes;
    }
    this.dropped(t, from, at, msg, reason);
  }

  triggered(t: number, to: number, msg: ObservedMessage): void {
    this.hash.add(t, -1, to, msg.kind, msg.sub, msg.subs, msg.digest !== undefined ? msg.digest() : msg.bytes);
    if (this.isWatched(msg)) this.record(t, -1, to, msg, 'delivered');
  }

  fault(t: number, node: number, kind: string, detail: string): void {
    this.faultCounts[kind] = (this.faultCounts[kind] ?? 0) + 1;
    // Fault events concern nodes, not subscribers: always traced, so a ladder shows them.
    const msg: ObservedMessage = { proto: 'fault', kind, bytes: 0, sub: -1, wire: () => detail };
    this.record(t, node, node, msg, 'delivered');
  }

  procedureStarted(_t: number, _node: number, name: string, _sub: number): void {
    this.proc(name).started++;
  }

  procedureEnded(t: number, _node: number, name: string, _sub: number, started: number, outcome: string): void {
    const p = this.proc(name);
    if (outcome === 'completed') {
      p.completed++;
      p.latency.add(t - started);
      if (t > p.lastCompleted) p.lastCompleted = t;
    } else if (outcome === 'failed') p.failed++;
    else p.abandoned++;
  }

  /**
   * A named signal is a running sum: a counter when only increments are signalled, a gauge when
   * +1/-1 are (e.g. 'binding.stale'). Its exact time integral is kept too: stale binding-seconds.
   */
  signal(t: number, node: number, name: string, value: number, _sub: number): void {
    if (node < 0 || node >= this.n) return;
    const m = this.named[node];
    const before = m.get(name) ?? 0;
    m.set(name, before + value);
    const g = this.gauges[node];
    let st = g.get(name);
    if (!st) g.set(name, (st = { integral: 0, since: t, max: 0 }));
    st.integral += before * (t - st.since);
    st.since = t;
    if (before + value > st.max) st.max = before + value;
  }

  // ---- probes: domain-wide quantities read at every sample ----------------------------------

  /** Reads every probe at time t (called by the runner at each sample and at the end). */
  sampleProbes(t: number, probes: readonly { name: string; read(): number }[]): Record<string, number> {
    const row: Record<string, number> = {};
    for (const p of probes) {
      const v = p.read();
      row[p.name] = v;
      let st = this.probeStats.get(p.name);
      if (!st) this.probeStats.set(p.name, (st = { last: 0, max: 0, integral: 0, since: t, lastNonZero: -1 }));
      // Left-rectangle integral over the sampled series: the value held since the previous sample.
      st.integral += st.last * (t - st.since);
      st.since = t;
      st.last = v;
      if (v > st.max) st.max = v;
      if (v !== 0) st.lastNonZero = t;
    }
    return row;
  }

  probeSummaries(): Record<string, { last: number; max: number; seconds: number; consistentSinceS: number | null }> {
    const out: Record<string, { last: number; max: number; seconds: number; consistentSinceS: number | null }> = {};
    for (const [name, st] of this.probeStats) {
      out[name] = {
        last: st.last,
        max: st.max,
        seconds: st.integral / 1e9,
        // The first sample from which the value stayed 0 (null while it is still non-zero).
        consistentSinceS: st.last !== 0 ? null : st.lastNonZero < 0 ? 0 : this.sampleAfter(st.lastNonZero) / 1e9,
      };
    }
    return out;
  }

  private sampleAfter(t: number): number {
    let best = Infinity;
    for (const s of this.sampleTimes) if (s > t && s < best) best = s;
    return best === Infinity ? t : best;
  }

  /** The small integer of a message kind, interned on first sight. */
  private kindId(kind: string): number {
    if (kind === this.lastKind) return this.lastKindId;
    let id = this.kindIds.get(kind);
    if (id === undefined) {
      id = this.kindNames.length;
      this.kindIds.set(kind, id);
      this.kindNames.push(kind);
      this.kindHashes.push(kindHashOf(kind));
    }
    this.lastKind = kind;
    this.lastKindId = id;
    return id;
  }

  // ---- trace -----------------------------------------------------------------------------------

  private isWatched(msg: ObservedMessage): boolean {
    const w = this.opts.watched;
    const subs = msg.subs;
    if (subs !== undefined) {
      for (let i = 0; i < subs.length; i++) if (w[subs[i]] === 1) return true;
      return false;
    }
    return msg.sub >= 0 && w[msg.sub] === 1;
  }

  private record(t: number, from: number, to: number, msg: ObservedMessage, event: 'delivered' | 'dropped', reason?: string): void {
    if (this.entries.length >= this.opts.traceLimit) {
      this.traceOverflow++;
      return;
    }
    const nodes = this.opts.nodes;
    const rec: TraceRecord = {
      seq: this.entries.length,
      t,
      from: from >= 0 ? nodes[from].id : from === -2 ? '(self)' : '(workload)',
      to: to >= 0 && to < nodes.length ? nodes[to].id : '(nowhere)',
      proto: msg.proto,
      kind: msg.kind,
      subscribers: msg.subs ? Array.from(msg.subs) : msg.sub >= 0 ? [msg.sub] : [],
      bytes: msg.bytes,
      wire: '',
      rules: msg.rules ? [...msg.rules] : [],
      event,
    };
    if (msg.wireMarked) {
      const w = msg.wireMarked();
      rec.wire = w.wire;
      if (w.marks.length) rec.marks = [...w.marks];
    } else if (msg.wire) rec.wire = msg.wire();
    if (msg.procedure) rec.procedure = msg.procedure;
    if (reason) rec.reason = reason;
    this.entries.push({ rec, msg });
    this.opts.onTrace?.(rec);
  }

  // ---- time series and summaries ---------------------------------------------------------------

  /** One row per node for the interval since the previous sample. */
  sample(t: number): SampleRow[] {
    const rows: SampleRow[] = [];
    const L = this.last;
    const span = t - L.t;
    for (let i = 0; i < this.n; i++) {
      const node = this.opts.nodes[i];
      const busy = node.busyTime();
      const row: SampleRow = {
        t,
        node: node.id,
        msgsIn: this.msgsIn[i] - L.msgsIn[i],
        msgsOut: this.msgsOut[i] - L.msgsOut[i],
        bytesIn: this.bytesIn[i] - L.bytesIn[i],
        bytesOut: this.bytesOut[i] - L.bytesOut[i],
        busy: span > 0 ? round4((busy - L.busy[i]) / (span * node.workers)) : 0,
        queue: node.queueLength,
        dropped: this.drops[i] - L.drops[i],
      };
      // Only nodes that emit named signals carry them (most rows have none).
      if (this.named[i].size > 0) row.signals = Object.fromEntries(this.named[i]);
      rows.push(row);
      L.busy[i] = busy;
    }
    L.msgsIn.set(this.msgsIn);
    L.msgsOut.set(this.msgsOut);
    L.bytesIn.set(this.bytesIn);
    L.bytesOut.set(this.bytesOut);
    L.drops.set(this.drops);
    L.t = t;
    this.sampleTimes.push(t);
    const done: Record<string, number> = {};
    for (const [name, p] of this.procs) done[name] = p.completed;
    this.completedAtSample.push(done);
    return rows;
  }

  nodeSummaries(simulatedNs: number): Record<string, NodeSummary> {
    const out: Record<string, NodeSummary> = {};
    for (let i = 0; i < this.n; i++) {
      const node = this.opts.nodes[i];
      const busy = node.busyTime();
      out[node.id] = {
        type: this.opts.nodeTypes[i],
        msgsIn: this.msgsIn[i],
        msgsOut: this.msgsOut[i],
        bytesIn: this.bytesIn[i],
        bytesOut: this.bytesOut[i],
        busy: simulatedNs > 0 ? round4(busy / (simulatedNs * node.workers)) : 0,
        busySeconds: busy / 1e9,
        peakQueue: node.peakQueue,
        dropped: this.drops[i],
        kindsIn: this.kindsIn[i].toRecord(this.kindNames),
        kindsOut: this.kindsOut[i].toRecord(this.kindNames),
        signals: Object.fromEntries(this.named[i]),
        signalSeconds: this.signalSeconds(i, simulatedNs),
        signalMax: Object.fromEntries([...this.gauges[i]].map(([k, g]) => [k, g.max])),
      };
    }
    return out;
  }

  /** Time integral of each named signal up to `end`, in value·seconds. */
  private signalSeconds(node: number, end: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, g] of this.gauges[node]) {
      const v = this.named[node].get(name) ?? 0;
      out[name] = (g.integral + v * Math.max(0, end - g.since)) / 1e9;
    }
    return out;
  }

  procedureSummaries(): Record<string, ProcedureSummary> {
    const out: Record<string, ProcedureSummary> = {};
    for (const [name, p] of [...this.procs].sort((a, b) => a[0].localeCompare(b[0]))) {
      const { count: _c, ...lat } = p.latency.stats(1e6);
      out[name] = {
        started: p.started,
        completed: p.completed,
        failed: p.failed,
        abandoned: p.abandoned,
        latencyMs: { count: p.latency.count, ...lat },
        lastCompletedMs: p.lastCompleted / 1e6,
      };
    }
    return out;
  }

  /**
   * Per procedure: completions so far at each sample time (the completion curve) and the latency
   * CDF in ms (what the dashboard's compare view draws; not part of summary.json).
   */
  procedureCurves(cdfPoints = 200): ProcedureCurves {
    const out: ProcedureCurves = { t: [...this.sampleTimes], procedures: {} };
    for (const [name, p] of [...this.procs].sort((a, b) => a[0].localeCompare(b[0]))) {
      out.procedures[name] = {
        completed: this.completedAtSample.map((d) => d[name] ?? 0),
        cdfMs: p.latency.cdf(cdfPoints, 1e6),
      };
    }
    return out;
  }

  linkSummaries(): Record<string, { msgs: number; bytes: number }> {
    const out: Record<string, { msgs: number; bytes: number }> = {};
    const nodes = this.opts.nodes;
    for (let f = 0; f < this.n; f++) {
      for (let t = 0; t < this.n; t++) {
        const k = f * this.n + t;
        if (this.linkMsgs[k] > 0) out[`${nodes[f].id}→${nodes[t].id}`] = { msgs: this.linkMsgs[k], bytes: this.linkBytes[k] };
      }
    }
    return out;
  }

  /** Sum of a named signal over all nodes. */
  signalTotal(name: string): number {
    let s = 0;
    for (const m of this.named) s += m.get(name) ?? 0;
    return s;
  }

  private proc(name: string): ProcStats {
    let p = this.procs.get(name);
    if (!p) this.procs.set(name, (p = new ProcStats()));
    return p;
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
