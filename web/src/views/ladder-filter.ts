/**
 * Filter and search over a trace: by subscriber (its number, or an IMSI / IMPU / UE Service ID as it
 * appears in the message), procedure, protocol, node, errors only, and free text (Call-ID, branch,
 * any header value). Pure: the view keeps the matching trace indices and draws only those rows.
 */
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import type { RecordInfo } from '../charts/ladder-classify.ts';

export interface LadderFilter {
  /** "3" → subscriber #3; anything else → an identity the message's wire text carries. */
  subscriber: string;
  procedure: string;
  proto: string;
  node: string;
  errorsOnly: boolean;
  /** Free text, case-insensitive, in kind, endpoints and wire text. */
  text: string;
}

export const NO_FILTER: LadderFilter = { subscriber: '', procedure: '', proto: '', node: '', errorsOnly: false, text: '' };

export function isFiltering(f: LadderFilter): boolean {
  return f.subscriber.trim() !== '' || f.procedure !== '' || f.proto !== '' || f.node !== '' || f.errorsOnly || f.text.trim() !== '';
}

/** A compiled filter: one predicate per record, the strings prepared once. */
export function compileFilter(f: LadderFilter): (rec: TraceRecord, info: RecordInfo | undefined) => boolean {
  const sub = f.subscriber.trim();
  const subNumber = /^\d{1,9}$/.test(sub) ? Number(sub) : undefined;
  const subText = subNumber === undefined && sub ? sub.toLowerCase() : '';
  const text = f.text.trim().toLowerCase();
  return (rec, info) => {
    if (f.proto && rec.proto !== f.proto) return false;
    if (f.procedure && rec.procedure !== f.procedure) return false;
    if (f.node && rec.from !== f.node && rec.to !== f.node) return false;
    if (f.errorsOnly && !info?.failure && info?.retransmitOf === undefined) return false;
    if (subNumber !== undefined && !rec.subscribers.includes(subNumber)) return false;
    if (subText && !rec.wire.toLowerCase().includes(subText)) return false;
    if (text && !matchesText(rec, text)) return false;
    return true;
  };
}

function matchesText(rec: TraceRecord, lower: string): boolean {
  return rec.kind.toLowerCase().includes(lower) || rec.wire.toLowerCase().includes(lower) || rec.from.toLowerCase() === lower || rec.to.toLowerCase() === lower;
}

/**
 * Indices of the records that pass, extending `prev` (the result for trace[0..prev.scanned)) when the
 * filter is unchanged and the trace only grew.
 */
export function filterIndices(
  trace: readonly TraceRecord[],
  info: readonly RecordInfo[],
  pass: (rec: TraceRecord, info: RecordInfo | undefined) => boolean,
  prev?: { indices: number[]; scanned: number },
): { indices: number[]; scanned: number } {
  const indices = prev ? prev.indices : [];
  for (let i = prev ? prev.scanned : 0; i < trace.length; i++) if (pass(trace[i]!, info[i])) indices.push(i);
  return { indices, scanned: trace.length };
}

/** [start, end) ranges of `needle` in `text`, case-insensitive (for search highlight). */
export function findAll(text: string, needle: string, max = 1000): [number, number][] {
  const out: [number, number][] = [];
  const n = needle.trim().toLowerCase();
  if (!n) return out;
  const hay = text.toLowerCase();
  for (let i = hay.indexOf(n); i >= 0 && out.length < max; i = hay.indexOf(n, i + n.length)) out.push([i, i + n.length]);
  return out;
}
