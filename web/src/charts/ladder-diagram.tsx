/**
 * The ladder (sequence) diagram: presentational, from a LadderLayout. Lane headers stay visible
 * while the rows scroll (a sticky HTML strip above the SVG). A row is clickable anywhere across its
 * width, and reachable by keyboard.
 */
import type { KeyboardEvent } from 'react';
import { formatMs } from '../format.ts';
import type { ArrowLayout, LadderLayout } from './ladder-layout.ts';
import { LADDER } from './ladder-layout.ts';
import { DROPPED_COLOR, protoColor } from './palette.ts';

export interface LadderDiagramProps {
  layout: LadderLayout;
  selected?: number;
  onSelect(index: number): void;
}

export function LadderDiagram({ layout, selected, onSelect }: LadderDiagramProps) {
  const { lanes, arrows, width, height } = layout;
  return (
    <div className="ladder" style={{ width }}>
      <div className="ladder-lanes" style={{ width }}>
        <div className="ladder-lanes-time" style={{ width: LADDER.gutter }}>
          time
        </div>
        {lanes.map((l) => (
          <div key={l.id} className="ladder-lane" style={{ left: l.x - layout.laneGap / 2 + 6, width: layout.laneGap - 12 }} title={`${l.id}${l.type ? ` (${l.type})` : ''}`}>
            <span className="ladder-lane-id">{l.id}</span>
            {l.type && l.type !== l.id && <span className="ladder-lane-type">{l.type}</span>}
          </div>
        ))}
      </div>
      <svg
        data-testid="ladder-svg"
        className="ladder-svg"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="list"
        aria-label={`Message ladder: ${arrows.length} messages`}
      >
        {lanes.map((l) => (
          <line key={l.id} className="ladder-lifeline" x1={l.x} x2={l.x} y1={0} y2={height} />
        ))}
        {arrows.map((a) => (
          <Arrow key={a.index} a={a} width={width} selected={a.index === selected} onSelect={onSelect} />
        ))}
      </svg>
    </div>
  );
}

function Arrow({ a, width, selected, onSelect }: { a: ArrowLayout; width: number; selected: boolean; onSelect(i: number): void }) {
  const { rec, y, x1, x2 } = a;
  const color = a.dropped ? DROPPED_COLOR : protoColor(rec.proto);
  const rowTop = y - LADDER.row * 0.62;
  const dir = x2 >= x1 ? 1 : -1;
  const labelX = a.self ? x1 + LADDER.selfLoop + 8 : (x1 + x2) / 2;
  const label = a.dropped ? `${rec.kind} — dropped${rec.reason ? `: ${rec.reason}` : ''}` : rec.kind;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(a.index);
    }
  };
  return (
    <g
      data-testid="ladder-arrow"
      data-kind={rec.kind}
      data-from={rec.from}
      data-to={rec.to}
      data-seq={rec.seq}
      data-event={rec.event}
      className={`ladder-arrow${selected ? ' is-selected' : ''}${a.dropped ? ' is-dropped' : ''}`}
      role="listitem"
      tabIndex={0}
      aria-label={`${formatMs(rec.t)}: ${rec.kind} from ${rec.from} to ${rec.to}${a.dropped ? `, dropped${rec.reason ? ` (${rec.reason})` : ''}` : ''}`}
      aria-selected={selected}
      onClick={() => onSelect(a.index)}
      onKeyDown={onKey}
    >
      <rect className="ladder-row" x={0} y={rowTop} width={width} height={LADDER.row} />
      <text className="ladder-time" x={LADDER.gutter - 12} y={y + 4} textAnchor="end">
        {formatMs(rec.t)}
      </text>
      {a.self ? (
        <path
          d={`M${x1},${y - 8} h${LADDER.selfLoop} v16 h${-LADDER.selfLoop + 7}`}
          fill="none"
          stroke={color}
          strokeWidth={1.6}
          strokeDasharray={a.dropped ? '5 4' : undefined}
        />
      ) : (
        <line x1={x1} y1={y} x2={a.dropped ? x2 : x2 - dir * 7} y2={y} stroke={color} strokeWidth={1.6} strokeDasharray={a.dropped ? '5 4' : undefined} />
      )}
      {a.dropped ? (
        <Cross x={a.self ? x1 + 10 : x2} y={a.self ? y + 8 : y} color={color} />
      ) : (
        <polygon
          points={a.self ? `${x1},${y + 8} ${x1 + 8},${y + 4} ${x1 + 8},${y + 12}` : `${x2},${y} ${x2 - dir * 9},${y - 4.5} ${x2 - dir * 9},${y + 4.5}`}
          fill={color}
        />
      )}
      <text
        className="ladder-label"
        x={labelX}
        y={a.self ? y - 1 : y - 7}
        textAnchor={a.self ? 'start' : 'middle'}
      >
        {label}
      </text>
    </g>
  );
}

function Cross({ x, y, color }: { x: number; y: number; color: string }) {
  const s = 6;
  return (
    <g stroke={color} strokeWidth={2.2} strokeLinecap="round">
      <line x1={x - s} y1={y - s} x2={x + s} y2={y + s} />
      <line x1={x - s} y1={y + s} x2={x + s} y2={y - s} />
    </g>
  );
}
