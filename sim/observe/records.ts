/**
 * The shapes of what RegLab reports: trace records, time-series samples, the run summary and rule
 * results. These are the output-file contracts (docs/output-formats.md) and the dashboard's data;
 * plain JSON-able types, no behaviour.
 */

/** One line of trace.jsonl: a message of a watched subscriber, delivered or dropped. */
export interface TraceRecord {
  /** Position in the trace (0-based), the id rules cite as evidence. */
  seq: number;
  /** Time in integer ns. */
  t: number;
  from: string;
  to: string;
  proto: string;
  kind: string;
  subscribers: number[];
  bytes: number;
  /** The message as it is on the wire (text; binary protocols as a readable dump). */
  wire: string;
  procedure?: string;
  /** Spec step ids this message realises. */
  rules: string[];
  /**
   * Where in `wire` each cited step shows: written by the code that renders the header or JSON field
   * (it knows the rule id), so the dashboard highlights exactly those characters. Absent when the
   * message has no wire text or cites nothing it can point at.
   */
  marks?: WireMark[];
  /** 'delivered' (default) or 'dropped' with the reason, so a ladder shows where a message died. */
  event: 'delivered' | 'dropped';
  reason?: string;
}

/** A spec step's place in a message's wire text: characters [start, end) of `wire`. */
export interface WireMark {
  rule: string;
  start: number;
  end: number;
}

/** One row of metrics.csv: a node over one interval [t - interval, t). */
export interface SampleRow {
  /** End of the interval, ns. */
  t: number;
  node: string;
  msgsIn: number;
  msgsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Fraction of the interval the node's workers were busy (0..1). */
  busy: number;
  /** Queue length at the end of the interval. */
  queue: number;
  dropped: number;
  /** The node's named signals (running sums) at the end of the interval. */
  signals?: Record<string, number>;
}

/** A probe's values at one sample (domain-wide quantities, e.g. mismatched views). */
export interface ProbeRow {
  t: number;
  values: Record<string, number>;
}

export interface ProbeSummary {
  /** Value at the end of the run. */
  last: number;
  max: number;
  /** Time integral over the sampled series, value·seconds. */
  seconds: number;
  /** First sample time (s) from which the value stayed 0; null if it is not 0 at the end. */
  consistentSinceS: number | null;
}

export interface LatencyStats {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface ProcedureSummary {
  started: number;
  completed: number;
  failed: number;
  abandoned: number;
  /** Milliseconds, over completed procedures; percentiles are nearest-rank. */
  latencyMs: LatencyStats;
  /** Simulated time of the last completion, ms ("time until every UE is registered"); 0 if none. */
  lastCompletedMs: number;
}

export interface NodeSummary {
  type: string;
  msgsIn: number;
  msgsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Busy fraction over the run: busy time / (workers × simulated time). */
  busy: number;
  /** Busy time in seconds summed over workers (CPU-seconds of the capacity model). */
  busySeconds: number;
  peakQueue: number;
  dropped: number;
  /** Per message kind received: count and bytes. */
  kindsIn: Record<string, { msgs: number; bytes: number }>;
  /** Per message kind sent. */
  kindsOut: Record<string, { msgs: number; bytes: number }>;
  /** Named signals: running sums at the end (a counter's total, a gauge's final value). */
  signals: Record<string, number>;
  /** Time integral of each named signal, value·seconds (e.g. stale binding-seconds). */
  signalSeconds: Record<string, number>;
  /** Highest value each named signal reached. */
  signalMax: Record<string, number>;
}

/** Completion curves and latency CDFs of a run (the dashboard's compare view; not in summary.json). */
export interface ProcedureCurves {
  /** Sample times, ns (the same instants as the sample rows). */
  t: number[];
  procedures: Record<string, { completed: number[]; cdfMs: [number, number][] }>;
}

export interface RuleResult {
  id: string;
  title: string;
  status: 'passed' | 'failed' | 'not-applicable';
  /** Why, in a sentence: what was checked, or what broke it. */
  detail: string;
  /** Trace records (seq) that prove the status. */
  evidence: number[];
}

export interface Summary {
  scenario: string;
  description: string;
  seed: number;
  reglabVersion: string;
  /** Hash over every delivered message (time, endpoints, kind, subscriber ids, content digest), all subscribers. */
  traceHash: string;
  events: number;
  wallMs: number;
  simulatedNs: number;
  population: number;
  watched: number;
  /**
   * Network messages: every one sent is delivered (accepted by its node), dropped (lost on a link,
   * refused on arrival, or lost in a node later) or still in flight on a link at the end — exactly
   * one of the three: sent = delivered + dropped + inFlight. Workload triggers are not messages;
   * those a node refused or lost are `triggersDropped`.
   */
  messages: {
    sent: number;
    delivered: number;
    dropped: number;
    inFlight: number;
    triggersDropped: number;
    bytes: number;
    byReason: Record<string, number>;
  };
  procedures: Record<string, ProcedureSummary>;
  nodes: Record<string, NodeSummary>;
  /** Domain probes sampled every interval (node types' probes, e.g. mismatched views). */
  probes: Record<string, ProbeSummary>;
  /** Injected faults: times each rule acted, by rule name (empty without faults). */
  faults: Record<string, number>;
  /** Per directed link, keyed 'from→to': messages and bytes delivered. */
  links: Record<string, { msgs: number; bytes: number }>;
  rules: { passed: number; failed: number; notApplicable: number };
}
