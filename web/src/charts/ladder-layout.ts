/**
 * Geometry of the ladder (sequence) diagram, kept apart from the SVG so it is plain data: one lane
 * per node in the order the run announced them, one row per trace record in time order.
 */
import type { NodeInfo, TraceRecord } from '../../../sim/server/api-types.ts';

/** More arrows than this are not drawn (the view says "showing the first N of M"). */
export const LADDER_MAX_ARROWS = 500;

export const LADDER = {
  /** Left column with the time of each row. */
  gutter: 96,
  minLaneGap: 130,
  maxLaneGap: 240,
  row: 38,
  top: 14,
  bottom: 20,
  /** A dropped message's arrow stops this far along, where its ✕ is. */
  dropAt: 0.72,
  selfLoop: 34,
} as const;

export interface Lane {
  id: string;
  type: string;
  x: number;
}

export interface ArrowLayout {
  /** Index in the trace (not seq: seq is the trace's own numbering, shown to the user). */
  index: number;
  rec: TraceRecord;
  /** y of the arrow line. */
  y: number;
  x1: number;
  /** Where the line ends: the target lane, or the ✕ of a dropped message. */
  x2: number;
  self: boolean;
  dropped: boolean;
}

export interface LadderLayout {
  lanes: Lane[];
  arrows: ArrowLayout[];
  width: number;
  height: number;
  laneGap: number;
  /** Records in the trace; arrows.length is min(total, max). */
  total: number;
}

/**
 * Lays out the first `max` records across `width` pixels (lanes spread to fill it, within
 * minLaneGap..maxLaneGap).
 */
export function layoutLadder(nodes: NodeInfo[], trace: TraceRecord[], width: number, max = LADDER_MAX_ARROWS): LadderLayout {
  const shown = trace.slice(0, max);
  const laneNodes = lanesFor(nodes, shown);
  const n = Math.max(laneNodes.length, 1);
  const laneGap = Math.min(LADDER.maxLaneGap, Math.max(LADDER.minLaneGap, (width - LADDER.gutter) / n));
  const lanes = laneNodes.map((node, i) => ({ id: node.id, type: node.type, x: LADDER.gutter + laneGap * (i + 0.5) }));
  const xOf = new Map(lanes.map((l) => [l.id, l.x]));
  const arrows = shown.map((rec, index): ArrowLayout => {
    const x1 = xOf.get(rec.from)!;
    const xTo = xOf.get(rec.to)!;
    const dropped = rec.event === 'dropped';
    const self = rec.from === rec.to;
    const x2 = dropped && !self ? x1 + (xTo - x1) * LADDER.dropAt : xTo;
    return { index, rec, y: LADDER.top + LADDER.row * index + LADDER.row * 0.62, x1, x2, self, dropped };
  });
  return {
    lanes,
    arrows,
    width: Math.max(width, LADDER.gutter + laneGap * n),
    height: LADDER.top + LADDER.row * arrows.length + LADDER.bottom,
    laneGap,
    total: trace.length,
  };
}

/**
 * The run's nodes in their order, plus a lane for every endpoint the node list does not name (such
 * as the workload that triggers a client), so no record is left out: endpoints that only ever send
 * go on the left, where a reader expects a sequence to start; others on the right.
 */
function lanesFor(nodes: NodeInfo[], records: TraceRecord[]): NodeInfo[] {
  const known = new Set(nodes.map((n) => n.id));
  const extra = new Map<string, { receives: boolean }>();
  for (const r of records) {
    for (const [id, receives] of [
      [r.from, false],
      [r.to, true],
    ] as const) {
      if (known.has(id)) continue;
      const e = extra.get(id);
      if (e) e.receives ||= receives;
      else extra.set(id, { receives });
    }
  }
  const left = [...extra].filter(([, e]) => !e.receives).map(([id]) => ({ id, type: '' }));
  const right = [...extra].filter(([, e]) => e.receives).map(([id]) => ({ id, type: '' }));
  return [...left, ...nodes, ...right];
}
