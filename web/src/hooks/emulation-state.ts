/**
 * The Emulate view's state and the pure reducer that folds /api/emulate events into it
 * (sim/server/emulate-types.ts). Phases:
 *
 *   connecting → ready ⇄ starting → running → stopping → done        (then ready for another)
 *                          ↘ failed (a refused start, a lost connection)
 *
 * `trace` only grows while an emulation runs (the ladder extends its rows in place); records of the
 * page's own SIP user agent (`local`) are appended to it with the next sequence numbers.
 */
import type { EmulateEndpoint, EmulateEvent, EmulateLateness, EmulateNodeInfo, EmulateOutput, EmulateSubscriber, EmulateWire, RuleResult, Summary, TraceRecord } from '../../../sim/server/emulate-types.ts';
import type { NodeInfo } from '../../../sim/server/api-types.ts';

export type EmulationPhase = 'connecting' | 'ready' | 'starting' | 'running' | 'stopping' | 'done' | 'failed';

export interface EmulationRequest {
  scenario: string;
  host: string;
  timeScale: number;
  duration?: string;
}

export interface EmulationState {
  phase: EmulationPhase;
  /** Addresses this server lets the dashboard bind (hello). */
  hosts: string[];
  /** Another page's emulation holds the server's one lab (hello.running). */
  busyElsewhere: boolean;
  request?: EmulationRequest;
  scenario?: string;
  host?: string;
  timeScale: number;
  durationNs: number;
  /** Page clock (ms) when `started` arrived: the emulation's time 0, near enough for a progress bar. */
  startedAtMs?: number;
  nodes: EmulateNodeInfo[];
  endpoints: EmulateEndpoint[];
  /** IMS scenarios: the first subscribers' identities (what a joining UA subscribes to). */
  subscribers: EmulateSubscriber[];
  trace: TraceRecord[];
  /** Records the server counted instead of sending (the page fell behind). */
  skipped: number;
  /** Position in `trace` of the server's record n (its seq, which rules.json cites). */
  serverPos: number[];
  lateness?: EmulateLateness;
  done?: { ended: string; error?: string; dir: string; files: string; outputs: EmulateOutput[]; summary: Summary; rules: RuleResult[]; wire: EmulateWire };
  error?: { code: string; message: string };
}

export type EmulationAction =
  | { type: 'request'; request: EmulationRequest }
  | { type: 'stop' }
  | { type: 'event'; event: EmulateEvent; nowMs: number }
  /** Messages the page's own user agent sent or received (its lane). */
  | { type: 'local'; records: Omit<TraceRecord, 'seq'>[] };

export const INITIAL_EMULATION: EmulationState = {
  phase: 'connecting',
  hosts: [],
  busyElsewhere: false,
  timeScale: 1,
  durationNs: 0,
  nodes: [],
  endpoints: [],
  subscribers: [],
  trace: [],
  skipped: 0,
  serverPos: [],
};

export const isLive = (p: EmulationPhase) => p === 'starting' || p === 'running' || p === 'stopping';

export function emulationReducer(s: EmulationState, a: EmulationAction): EmulationState {
  switch (a.type) {
    case 'request':
      return { ...INITIAL_EMULATION, hosts: s.hosts, phase: 'starting', request: a.request, timeScale: a.request.timeScale };
    case 'stop':
      return s.phase === 'running' || s.phase === 'starting' ? { ...s, phase: 'stopping' } : s;
    case 'local': {
      if (!isLive(s.phase) || a.records.length === 0) return s;
      const base = s.trace.length;
      return { ...s, trace: s.trace.concat(a.records.map((r, i) => ({ ...r, seq: base + i }))) };
    }
    case 'event':
      return applyEvent(s, a.event, a.nowMs);
  }
}

function applyEvent(s: EmulationState, ev: EmulateEvent, nowMs: number): EmulationState {
  switch (ev.type) {
    case 'hello':
      // The first greeting, or one after a reconnect: ready for a start; results on screen stay.
      return { ...s, hosts: ev.hosts, busyElsewhere: ev.running, phase: s.phase === 'connecting' || s.phase === 'failed' ? 'ready' : s.phase, error: undefined };
    case 'started':
      return {
        ...s,
        phase: s.phase === 'stopping' ? 'stopping' : 'running',
        busyElsewhere: false,
        scenario: ev.scenario,
        host: ev.host,
        timeScale: ev.timeScale,
        durationNs: ev.durationNs,
        startedAtMs: nowMs,
        nodes: ev.nodes,
        endpoints: ev.endpoints,
        subscribers: ev.subscribers,
      };
    case 'trace': {
      if (!isLive(s.phase)) return s;
      // The server numbers its records 0, 1, 2…; the page's own records take later numbers, so
      // every record is renumbered by its place here (the ladder selects by position).
      const base = s.trace.length;
      const records = ev.records.map((r, i) => (r.seq === base + i ? r : { ...r, seq: base + i }));
      const serverPos = s.serverPos.slice();
      ev.records.forEach((r, i) => (serverPos[r.seq] = base + i));
      return { ...s, trace: s.trace.concat(records), skipped: s.skipped + (ev.skipped ?? 0), serverPos };
    }
    case 'lateness':
      return isLive(s.phase) ? { ...s, lateness: ev.lateness } : s;
    case 'done':
      return {
        ...s,
        phase: 'done',
        lateness: ev.lateness,
        done: {
          ended: ev.ended,
          error: ev.error,
          dir: ev.dir,
          files: ev.files,
          outputs: ev.outputs,
          summary: ev.summary,
          // Evidence points at the ladder's rows (the page's own records shift the numbers).
          rules: ev.rules.map((r) => ({ ...r, evidence: r.evidence.map((seq) => s.serverPos[seq] ?? seq) })),
          wire: ev.wire,
        },
      };
    case 'error':
      if (ev.code === 'E_CONNECTION') return { ...s, phase: 'failed', error: { code: ev.code, message: ev.message } };
      // A refused or failed start; an error outside one (a stray stop) is shown without losing the results.
      return isLive(s.phase) ? { ...s, phase: 'failed', error: { code: ev.code, message: ev.message } } : { ...s, error: { code: ev.code, message: ev.message } };
  }
}

/**
 * The ladder's lanes: the scenario's nodes in order, a node a real peer plays named as such with
 * its address (its lane carries what RegLab sent to and received from that peer).
 */
export function laneNodes(nodes: readonly EmulateNodeInfo[]): NodeInfo[] {
  return nodes.map((n) => ({ id: n.id, type: n.external ? `external ${n.external}` : n.type }));
}

/** Endpoints grouped by node in the scenario's order (the table's rows), external peers included. */
export function endpointRows(nodes: readonly EmulateNodeInfo[], endpoints: readonly EmulateEndpoint[]): { node: string; type: string; external?: string; urls: { proto: string; url: string }[] }[] {
  const rows = nodes.map((n) => ({ node: n.id, type: n.type, external: n.external, urls: [] as { proto: string; url: string }[] }));
  const byId = new Map(rows.map((r) => [r.node, r]));
  for (const e of endpoints) {
    // `reglab emulate` prints a real peer's address as an endpoint too: the row names it once.
    if (e.proto === 'external') continue;
    let row = byId.get(e.node);
    if (!row) {
      row = { node: e.node, type: '', external: undefined, urls: [] };
      byId.set(e.node, row);
      rows.push(row);
    }
    row.urls.push({ proto: e.proto, url: e.url });
  }
  return rows.filter((r) => r.urls.length > 0 || r.external);
}

/** How far the emulation is, 0…1, from the page clock (the run's time runs `timeScale` times slower). */
export function emulatedFraction(s: Pick<EmulationState, 'startedAtMs' | 'timeScale' | 'durationNs'>, nowMs: number): number {
  if (s.startedAtMs === undefined || s.durationNs <= 0) return 0;
  const emulatedNs = ((nowMs - s.startedAtMs) / s.timeScale) * 1e6;
  return Math.min(1, Math.max(0, emulatedNs / s.durationNs));
}
