/**
 * Geometry of the ladder (sequence) diagram, kept apart from the SVG so it is plain data. Lanes fit
 * the width they are given (DESIGN: every lane of a learn scenario visible at 1280×800 without
 * horizontal scrolling): pseudo endpoints such as the workload get a narrow lane, the nodes share
 * the rest. Rows are computed only for what is drawn, so a 100,000-message trace costs nothing
 * until it scrolls into view.
 */
import type { NodeInfo, TraceRecord } from '../../../sim/server/api-types.ts';

export const LADDER = {
  /** Left column with the time of each row. */
  gutter: 70,
  minLaneGap: 72,
  maxLaneGap: 220,
  /** Lanes of pseudo endpoints ("(workload)"): they only trigger, so they need little room. */
  pseudoLane: 60,
  row: 30,
  top: 6,
  bottom: 14,
  /** A dropped message's arrow stops this far along, where its ✕ is. */
  dropAt: 0.72,
  selfLoop: 28,
  /** Height of the sticky lane header strip. */
  header: 44,
} as const;

export interface Lane {
  id: string;
  type: string;
  x: number;
  /** Width the lane's header may use. */
  width: number;
  pseudo: boolean;
}

export interface LaneLayout {
  lanes: Lane[];
  /** x of each lane by node id. */
  xOf: Map<string, number>;
  width: number;
}

export interface ArrowGeometry {
  y: number;
  x1: number;
  /** Where the line ends: the target lane, or the ✕ of a dropped message. */
  x2: number;
  self: boolean;
  dropped: boolean;
}

/** Lanes for the run's nodes plus every endpoint the trace names, spread across `width` pixels. */
export function layoutLanes(nodes: readonly NodeInfo[], endpoints: Iterable<string>, width: number): LaneLayout {
  const laneNodes = lanesFor(nodes, endpoints);
  const pseudo = laneNodes.filter((n) => n.pseudo).length;
  const normal = Math.max(laneNodes.length - pseudo, 1);
  const free = width - LADDER.gutter - pseudo * LADDER.pseudoLane;
  const gap = Math.min(LADDER.maxLaneGap, Math.max(LADDER.minLaneGap, free / normal));
  let x = LADDER.gutter;
  const lanes: Lane[] = laneNodes.map((n) => {
    const w = n.pseudo ? LADDER.pseudoLane : gap;
    const lane = { id: n.id, type: n.type, x: x + w / 2, width: w, pseudo: n.pseudo };
    x += w;
    return lane;
  });
  return { lanes, xOf: new Map(lanes.map((l) => [l.id, l.x])), width: Math.max(width, x) };
}

/** The arrow of a record drawn in row `row` (its position among the rows shown). */
export function arrowAt(lanes: LaneLayout, rec: TraceRecord, row: number): ArrowGeometry {
  const x1 = lanes.xOf.get(rec.from) ?? LADDER.gutter;
  const xTo = lanes.xOf.get(rec.to) ?? x1;
  const dropped = rec.event === 'dropped';
  const self = rec.from === rec.to;
  const x2 = dropped && !self ? x1 + (xTo - x1) * LADDER.dropAt : xTo;
  return { y: rowY(row), x1, x2, self, dropped };
}

export function rowY(row: number): number {
  return LADDER.top + LADDER.row * row + LADDER.row * 0.62;
}

export function ladderHeight(rows: number): number {
  return LADDER.top + LADDER.row * rows + LADDER.bottom;
}

/** Rows [first, last) to draw for a viewport, with `overscan` rows either side. */
export function visibleRows(scrollTop: number, viewport: number, rows: number, overscan = 12): { first: number; last: number } {
  const first = Math.min(rows, Math.max(0, Math.floor((scrollTop - LADDER.top) / LADDER.row) - overscan));
  const last = Math.min(rows, Math.ceil((scrollTop + viewport - LADDER.top) / LADDER.row) + overscan);
  return { first, last: Math.max(first, last) };
}

/**
 * The run's nodes in their order, plus a lane for every endpoint the node list does not name (such
 * as the workload that triggers a client): endpoints in parentheses are pseudo endpoints, drawn
 * narrow on the left, where a reader expects a sequence to start; unknown real ones on the right.
 */
function lanesFor(nodes: readonly NodeInfo[], endpoints: Iterable<string>): (NodeInfo & { pseudo: boolean })[] {
  const known = new Set(nodes.map((n) => n.id));
  const left: (NodeInfo & { pseudo: boolean })[] = [];
  const right: (NodeInfo & { pseudo: boolean })[] = [];
  for (const id of endpoints) {
    if (known.has(id)) continue;
    known.add(id);
    if (id.startsWith('(')) left.push({ id, type: '', pseudo: true });
    else right.push({ id, type: '', pseudo: false });
  }
  return [...left, ...nodes.map((n) => ({ ...n, pseudo: false })), ...right];
}
