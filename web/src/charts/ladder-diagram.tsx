/**
 * The ladder (sequence) diagram, virtualised: only the rows in view (plus a margin) are in the DOM,
 * so 100,000 messages scroll as smoothly as 50. The lane headers stay on top (sticky) and every
 * row carries its time, so lanes and the time axis stay in view while scrolling. Fixed row height
 * makes the window arithmetic exact (visibleRows), which is why this is hand-rolled rather than a
 * list library: the rows are SVG groups sharing one coordinate system across the lanes.
 *
 * The diagram is one tab stop (a listbox): ↑/↓ move the selection, Home/End jump, PageUp/PageDown
 * move a screen; the view adds playback keys. The active row is announced via aria-activedescendant.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent } from 'react';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { arrowColor, arrowLabel, formatTime } from '../views/ladder-export.ts';
import { FAILURE_LABELS, type RecordInfo } from './ladder-classify.ts';
import { arrowAt, LADDER, ladderHeight, visibleRows, type LaneLayout } from './ladder-layout.ts';

export interface LadderDiagramProps {
  lanes: LaneLayout;
  trace: readonly TraceRecord[];
  info: readonly RecordInfo[];
  /** Trace indices of the rows shown, in order. */
  rows: readonly number[];
  /** Trace index of the selected message. */
  selected?: number;
  /** Trace indices that match the search (highlighted). */
  searchHits?: ReadonlySet<number>;
  onSelect(index: number): void;
  onKey?(e: KeyboardEvent): void;
  /** The first row in view, as it changes (the time slider follows it). */
  onFirstRow?(row: number): void;
  label: string;
}

export interface LadderHandle {
  /** Scrolls so the row is in view (centred when it was far away). */
  scrollToRow(row: number): void;
  /** Scrolls so the row is the first in view (the time slider). */
  scrollToTop(row: number): void;
  focus(): void;
  element(): HTMLDivElement | null;
}

export const LadderDiagram = forwardRef<LadderHandle, LadderDiagramProps>(function LadderDiagram(
  { lanes, trace, info, rows, selected, searchHits, onSelect, onKey, onFirstRow, label },
  ref,
) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const frame = useRef(0);

  const measure = useCallback(() => {
    const el = scrollRef.current;
    if (el) setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
  }, []);
  useEffect(() => {
    measure();
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure]);
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      measure();
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const selectedRow = selected === undefined ? -1 : rows.indexOf(selected);
  useImperativeHandle(
    ref,
    () => ({
      scrollToRow(row: number) {
        const el = scrollRef.current;
        if (!el || row < 0) return;
        // Body coordinates: the sticky lane strip (LADDER.header) sits above the body in the flow.
        const y = LADDER.top + row * LADDER.row;
        const viewTop = el.scrollTop;
        const viewH = el.clientHeight - LADDER.header;
        if (y < viewTop || y + LADDER.row > viewTop + viewH) {
          const far = y < viewTop - viewH || y > viewTop + 2 * viewH;
          el.scrollTop = far ? y - viewH / 2 : y < viewTop ? y : y + LADDER.row - viewH;
        }
        measure();
      },
      scrollToTop(row: number) {
        const el = scrollRef.current;
        if (!el) return;
        el.scrollTop = LADDER.top + Math.max(0, row) * LADDER.row;
        measure();
      },
      focus() {
        scrollRef.current?.focus({ preventScroll: true });
      },
      element() {
        return scrollRef.current;
      },
    }),
    [measure],
  );

  const { first, last } = visibleRows(Math.max(0, view.top - LADDER.header), view.height, rows.length);
  const topRow = Math.min(rows.length - 1, Math.max(0, Math.floor((view.top - LADDER.top) / LADDER.row)));
  useEffect(() => onFirstRow?.(topRow), [topRow, onFirstRow]);
  const height = ladderHeight(rows.length);
  const top = LADDER.top + first * LADDER.row;
  const winH = (last - first) * LADDER.row + LADDER.bottom;
  const drawn = [];
  for (let r = first; r < last; r++) {
    const index = rows[r]!;
    const rec = trace[index];
    if (!rec) continue;
    drawn.push(
      <Row
        key={index}
        rec={rec}
        info={info[index]}
        row={r}
        offset={top - LADDER.top}
        lanes={lanes}
        selected={index === selected}
        hit={searchHits?.has(index) ?? false}
        onSelect={onSelect}
        index={index}
      />,
    );
  }
  const activeId = selectedRow >= 0 ? `ladder-msg-${selected}` : undefined;
  return (
    <div
      className="ladder-scroll"
      ref={scrollRef}
      onScroll={onScroll}
      tabIndex={0}
      role="listbox"
      aria-label={label}
      aria-activedescendant={activeId && selectedRow >= first && selectedRow < last ? activeId : undefined}
      onKeyDown={onKey}
      data-testid="ladder-scroll"
      data-rows={rows.length}
      data-first={first}
      data-last={last}
    >
      <div className="ladder-lanes" style={{ width: lanes.width }} data-testid="ladder-lanes">
        <div className="ladder-lanes-time" style={{ width: LADDER.gutter }}>
          time
        </div>
        {lanes.lanes.map((l) => (
          <div
            key={l.id}
            className={`ladder-lane${l.pseudo ? ' is-pseudo' : ''}`}
            data-testid="ladder-lane"
            data-lane={l.id}
            style={{ left: l.x - l.width / 2 + 3, width: l.width - 6 }}
            title={`${l.id}${l.type ? ` (${l.type})` : ''}`}
          >
            <span className="ladder-lane-id">{l.pseudo ? l.id.replace(/[()]/g, '') : l.id}</span>
            {l.type && l.type !== l.id && <span className="ladder-lane-type">{l.type}</span>}
          </div>
        ))}
      </div>
      <div className="ladder-body" style={{ height, width: lanes.width }}>
        <svg
          data-testid="ladder-svg"
          className="ladder-svg"
          width={lanes.width}
          height={winH}
          style={{ top: top - LADDER.top }}
          viewBox={`0 0 ${lanes.width} ${winH}`}
          aria-hidden={false}
          role="presentation"
        >
          {lanes.lanes.map((l) => (
            <line key={l.id} className="ladder-lifeline" x1={l.x} x2={l.x} y1={0} y2={winH} />
          ))}
          {drawn}
        </svg>
      </div>
    </div>
  );
});

interface RowProps {
  rec: TraceRecord;
  info: RecordInfo | undefined;
  row: number;
  offset: number;
  lanes: LaneLayout;
  selected: boolean;
  hit: boolean;
  index: number;
  onSelect(i: number): void;
}

function Row({ rec, info, row, offset, lanes, selected, hit, index, onSelect }: RowProps) {
  const a = arrowAt(lanes, rec, row);
  const y = a.y - offset;
  const { x1, x2 } = a;
  const color = arrowColor(rec, info);
  const rowTop = y - LADDER.row * 0.62;
  const dir = x2 >= x1 ? 1 : -1;
  const labelX = a.self ? x1 + LADDER.selfLoop + 6 : (x1 + x2) / 2;
  const label = arrowLabel(rec, info);
  const retrans = info?.retransmitOf !== undefined;
  const failure = info?.failure;
  const cls = `ladder-arrow${selected ? ' is-selected' : ''}${a.dropped ? ' is-dropped' : ''}${failure ? ' is-failure' : ''}${retrans ? ' is-retransmission' : ''}${hit ? ' is-hit' : ''}`;
  const described = `${formatTime(rec.t)}: ${label}, ${rec.proto}, from ${rec.from} to ${rec.to}${failure ? `, ${FAILURE_LABELS[failure]}` : ''}`;
  return (
    <g
      id={`ladder-msg-${index}`}
      data-testid="ladder-arrow"
      data-kind={rec.kind}
      data-from={rec.from}
      data-to={rec.to}
      data-seq={rec.seq}
      data-event={rec.event}
      data-failure={failure ?? ''}
      data-retransmission={retrans ? 'true' : undefined}
      className={cls}
      role="option"
      aria-selected={selected}
      aria-label={described}
      onClick={() => onSelect(index)}
    >
      <rect className="ladder-row" x={0} y={rowTop} width={lanes.width} height={LADDER.row} />
      <text className="ladder-time" x={LADDER.gutter - 8} y={y + 4} textAnchor="end">
        {formatTime(rec.t)}
      </text>
      {a.self ? (
        <path d={`M${x1},${y - 7} h${LADDER.selfLoop} v14 h${-LADDER.selfLoop + 6}`} fill="none" stroke={color} strokeWidth={1.6} strokeDasharray={a.dropped ? '5 4' : undefined} />
      ) : (
        <line
          x1={x1}
          y1={y}
          x2={a.dropped ? x2 : x2 - dir * 7}
          y2={y}
          stroke={color}
          strokeWidth={failure ? 2.4 : 1.6}
          strokeDasharray={a.dropped ? '5 4' : retrans ? '2 3' : undefined}
        />
      )}
      {a.dropped ? (
        <Cross x={a.self ? x1 + 10 : x2} y={a.self ? y + 7 : y} color={color} />
      ) : (
        <polygon points={a.self ? `${x1},${y + 7} ${x1 + 8},${y + 3} ${x1 + 8},${y + 11}` : `${x2},${y} ${x2 - dir * 9},${y - 4.5} ${x2 - dir * 9},${y + 4.5}`} fill={color} />
      )}
      <text className="ladder-label" x={labelX} y={a.self ? y - 1 : y - 6} textAnchor={a.self ? 'start' : 'middle'} style={failure ? { fill: color } : undefined}>
        {label}
      </text>
    </g>
  );
}

function Cross({ x, y, color }: { x: number; y: number; color: string }) {
  const s = 5;
  return (
    <g stroke={color} strokeWidth={2.2} strokeLinecap="round">
      <line x1={x - s} y1={y - s} x2={x + s} y2={y + s} />
      <line x1={x - s} y1={y + s} x2={x + s} y2={y - s} />
    </g>
  );
}
