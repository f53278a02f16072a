/**
 * What a trace record means for a reader of the ladder: its failure class (SIP 4xx/5xx/6xx, a
 * Diameter result other than 2001, an MSGin5G FAILURE entry or HTTP error, a drop) and whether it
 * repeats an earlier message byte for byte (a retransmission). Pure and incremental: a LadderIndex
 * ingests the records a streaming run appends, so a 100,000-message trace is read once.
 */
import type { TraceRecord } from '../../../sim/server/api-types.ts';

export type FailureClass = '4xx' | '5xx' | '6xx' | 'diameter-error' | 'msgin5g-failure' | 'dropped';

/** SIP / HTTP status of a response kind such as "403 REGISTER" or "200 bulk-registration". */
export function statusOf(kind: string): number | undefined {
  const m = /^(\d{3})\s/.exec(kind);
  return m ? Number(m[1]) : undefined;
}

/** Result-Code or Experimental-Result-Code of a Diameter dump (sim/ims/cx.ts renders them). */
export function diameterResult(wire: string): number | undefined {
  const m = /(?:Experimental-)?Result-Code \(\d+[^)]*\): (\d+)/.exec(wire);
  return m ? Number(m[1]) : undefined;
}

export function failureClass(rec: TraceRecord): FailureClass | undefined {
  if (rec.event === 'dropped') return 'dropped';
  const p = rec.proto.toLowerCase();
  if (p === 'cx' || p === 'diameter') {
    const r = diameterResult(rec.wire);
    return r !== undefined && r !== 2001 ? 'diameter-error' : undefined;
  }
  const status = statusOf(rec.kind);
  if (p === 'sip') {
    if (status === undefined || status < 400) return undefined;
    return status >= 600 ? '6xx' : status >= 500 ? '5xx' : '4xx';
  }
  if (p === 'msgin5g' || p === 'http') {
    if (status !== undefined && status >= 400) return status >= 500 ? '5xx' : '4xx';
    // A 200 bulk response may still carry failed entries (Table 8.2.x-2's list).
    if (status !== undefined && /"(?:de)?[rR]egistrationResult"\s*:\s*"FAILURE"/.test(rec.wire)) return 'msgin5g-failure';
  }
  return undefined;
}

export const FAILURE_LABELS: Record<FailureClass, string> = {
  '4xx': 'client error (4xx)',
  '5xx': 'server error (5xx)',
  '6xx': 'global failure (6xx)',
  'diameter-error': 'Diameter result ≠ 2001',
  'msgin5g-failure': 'MSGin5G FAILURE entries',
  dropped: 'dropped',
};

export interface RecordInfo {
  failure?: FailureClass;
  /** Index (in the trace) of the earlier identical message this one repeats. */
  retransmitOf?: number;
}

/** Per-record facts for a growing trace; rebuilt only when the trace is replaced. */
export class LadderIndex {
  private trace: readonly TraceRecord[] | undefined;
  private first: TraceRecord | undefined;
  readonly info: RecordInfo[] = [];
  private seen = new Map<string, number>();
  /** Simulated time of each record, for time → row searches. */
  times = new Float64Array(1024);
  /** Values seen, in first-seen order, for the filter selects. */
  readonly procedures = new Set<string>();
  readonly protos = new Set<string>();
  readonly nodes = new Set<string>();

  /** Brings the index up to `trace` (appended to since the last call, or a new trace). */
  update(trace: readonly TraceRecord[]): void {
    if (trace.length < this.info.length || trace[0] !== this.first) this.reset();
    this.trace = trace;
    this.first = trace[0];
    if (this.times.length < trace.length) {
      const t = new Float64Array(Math.max(trace.length, this.times.length * 2));
      t.set(this.times.subarray(0, this.info.length));
      this.times = t;
    }
    for (let i = this.info.length; i < trace.length; i++) {
      const rec = trace[i]!;
      const info: RecordInfo = {};
      const f = failureClass(rec);
      if (f) info.failure = f;
      // A retransmission is the same bytes on the same hop again (a new transaction has a new branch).
      if (rec.wire && rec.event === 'delivered') {
        const key = `${rec.from}\u0000${rec.to}\u0000${rec.wire}`;
        const prev = this.seen.get(key);
        if (prev !== undefined) info.retransmitOf = prev;
        else this.seen.set(key, i);
      }
      this.info.push(info);
      this.times[i] = rec.t;
      if (rec.procedure) this.procedures.add(rec.procedure);
      this.protos.add(rec.proto);
      this.nodes.add(rec.from);
      this.nodes.add(rec.to);
    }
  }

  get length(): number {
    return this.info.length;
  }

  private reset(): void {
    this.info.length = 0;
    this.seen = new Map();
    this.procedures.clear();
    this.protos.clear();
    this.nodes.clear();
  }

  /** First record index with t ≥ tNs (binary search; the trace is in time order). */
  indexAtTime(tNs: number): number {
    let lo = 0;
    let hi = this.info.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < tNs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get source(): readonly TraceRecord[] | undefined {
    return this.trace;
  }
}
