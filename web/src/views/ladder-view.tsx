/**
 * The Run view's ladder: every watched message (no cap: the diagram is virtualised), with filters
 * and search, playback, a time slider, exports, and the selected message decoded beside it. One
 * tab stop: inside the ladder ↑/↓ (and ←/→) step, Home/End jump, space plays or pauses.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { NodeInfo, TraceRecord } from '../../../sim/server/api-types.ts';
import { Card } from '../components/card.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { WirePanel } from '../components/wire-panel.tsx';
import { LadderIndex } from '../charts/ladder-classify.ts';
import { LadderDiagram, type LadderHandle } from '../charts/ladder-diagram.tsx';
import { layoutLanes } from '../charts/ladder-layout.ts';
import { formatInt } from '../format.ts';
import { useElementWidth } from '../hooks/use-element-width.ts';
import { LadderExports } from './ladder-exports.tsx';
import { compileFilter, filterIndices, isFiltering, NO_FILTER, type LadderFilter } from './ladder-filter.ts';
import { LadderFilters } from './ladder-filters.tsx';
import { LadderLegend } from './ladder-legend.tsx';
import { advance, initialPlayback, play, step, type PlaybackRows, type PlaybackState } from './ladder-playback.ts';
import { PlaybackBar } from './playback-bar.tsx';
import { onFocusMessage } from './ladder-focus.ts';
import { formatTime } from './ladder-export.ts';
import { showTour } from './ladder-tour.tsx';
import './ladder.css';

export interface LadderViewProps {
  nodes: NodeInfo[];
  trace: TraceRecord[];
  running: boolean;
  /** URL path of the finished run's files, for the downloads. */
  files?: string;
  scenario?: string;
}

export function LadderView({ nodes, trace, running, files, scenario }: LadderViewProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const ladderRef = useRef<LadderHandle>(null);
  const width = useElementWidth(boxRef);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [filter, setFilter] = useState<LadderFilter>(NO_FILTER);
  const [pb, setPb] = useState<PlaybackState>(initialPlayback);

  // Per-record facts (failure class, retransmission), read once as the trace grows.
  const indexRef = useRef(new LadderIndex());
  const index = indexRef.current;
  index.update(trace);
  const endpoints = index.nodes;
  const laneKey = [...endpoints].join('\u0000');
  const lanes = useMemo(() => layoutLanes(nodes, endpoints, Math.max(width - 2, 300)), [nodes, laneKey, width]); // eslint-disable-line react-hooks/exhaustive-deps

  // Matching rows, extended incrementally while a run streams and the filter stays the same.
  const pass = useMemo(() => compileFilter(filter), [filter]);
  const filtering = isFiltering(filter);
  const cache = useRef<{ pass: typeof pass; trace0?: TraceRecord; res: { indices: number[]; scanned: number } } | undefined>(undefined);
  const allRef = useRef<number[]>([]);
  let rows: number[];
  if (!filtering) {
    // 0..n-1, extended in place while the trace grows (no copy per streamed batch).
    if (allRef.current.length > trace.length) allRef.current = [];
    for (let i = allRef.current.length; i < trace.length; i++) allRef.current.push(i);
    rows = allRef.current;
  } else {
    const c = cache.current;
    const reuse = c && c.pass === pass && c.trace0 === trace[0] && c.res.scanned <= trace.length;
    const res = filterIndices(trace, index.info, pass, reuse ? c.res : undefined);
    cache.current = { pass, trace0: trace[0], res };
    rows = res.indices;
  }
  const searchHits = useMemo(() => (filter.text.trim() ? new Set(rows) : undefined), [rows, filter.text]);

  // A new run (its trace starts again from nothing) clears the selection and playback.
  useEffect(() => {
    if (trace.length === 0) {
      setSelected(undefined);
      setPb(initialPlayback());
    }
  }, [trace.length]);

  const pbRows: PlaybackRows = useMemo(
    () => ({ count: rows.length, timeOf: (r) => trace[rows[r]!]?.t ?? 0, indexOf: (r) => rows[r] ?? -1 }),
    [rows, trace],
  );

  const select = useCallback(
    (i: number | undefined, scroll = true) => {
      setSelected(i);
      if (i === undefined) return;
      const row = rows.indexOf(i);
      if (scroll) ladderRef.current?.scrollToRow(row);
      setPb((s) => ({ ...s, row, cursorNs: trace[i]?.t ?? s.cursorNs }));
    },
    [rows, trace],
  );

  // Playback: one requestAnimationFrame loop while playing; the cursor row is the selection.
  useEffect(() => {
    if (!pb.playing) return;
    let last = performance.now();
    let raf = requestAnimationFrame(function tick(now) {
      const dt = now - last;
      last = now;
      setPb((s) => advance(s, dt, pbRows));
      raf = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(raf);
  }, [pb.playing, pbRows]);
  useEffect(() => {
    if (pb.row < 0) return;
    const i = rows[pb.row];
    if (i !== undefined && i !== selected) {
      setSelected(i);
      ladderRef.current?.scrollToRow(pb.row);
    }
  }, [pb.row]); // eslint-disable-line react-hooks/exhaustive-deps

  // Summary rule evidence links ("#40") land here.
  useEffect(
    () =>
      onFocusMessage((seq) => {
        if (!trace[seq]) return;
        const row = rows.indexOf(seq);
        if (row < 0) setFilter(NO_FILTER);
        setSelected(seq);
        requestAnimationFrame(() => {
          ladderRef.current?.scrollToRow(row < 0 ? seq : row);
          ladderRef.current?.element()?.scrollIntoView({ block: 'nearest' });
          ladderRef.current?.focus();
        });
      }),
    [trace, rows],
  );

  const toggleStop = useCallback((seq: number) => setPb((s) => ({ ...s, stopAt: s.stopAt === seq ? undefined : seq })), []);
  const togglePlay = () => setPb((s) => (s.playing ? { ...s, playing: false } : play(s, pbRows)));
  const stepBy = (d: number) => setPb((s) => step(s.row < 0 && d > 0 ? { ...s, row: -1 } : s, d, pbRows));

  const onKey = (e: KeyboardEvent) => {
    const cur = selected === undefined ? -1 : rows.indexOf(selected);
    const page = 15;
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowRight':
      case 'j':
        next = cur + 1;
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
      case 'k':
        next = cur < 0 ? 0 : cur - 1;
        break;
      case 'PageDown':
        next = cur + page;
        break;
      case 'PageUp':
        next = cur - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = rows.length - 1;
        break;
      case ' ':
        e.preventDefault();
        togglePlay();
        return;
      default:
        return;
    }
    e.preventDefault();
    if (!rows.length) return;
    next = Math.max(0, Math.min(rows.length - 1, next));
    setPb((s) => ({ ...s, playing: false }));
    select(rows[next]);
  };

  const jumpToRow = (row: number) => {
    ladderRef.current?.scrollToRow(row);
  };

  const total = trace.length;
  const record = selected === undefined ? undefined : trace[selected];
  return (
    <Card
      title="Message ladder"
      className="ladder-card"
      testId="ladder-card"
      aside={
        total > 0 && (
          <span className="muted" data-testid="ladder-count">
            {filtering ? `${formatInt(rows.length)} of ${formatInt(total)} messages match` : `${formatInt(total)} message${total === 1 ? '' : 's'}`}
          </span>
        )
      }
    >
      {total > 0 && (
        <>
          <PlaybackBar
            state={pb}
            rows={rows.length}
            onToggle={togglePlay}
            onStep={stepBy}
            onMode={(mode) => setPb((s) => ({ ...s, mode, speed: mode === 'message' ? 2 : 10, playing: false }))}
            onSpeed={(speed) => setPb((s) => ({ ...s, speed }))}
            onStopAt={(stopAt) => setPb((s) => ({ ...s, stopAt }))}
            cursorLabel={pb.row >= 0 && rows[pb.row] !== undefined ? `#${rows[pb.row]} at ${formatTime(trace[rows[pb.row]!]!.t)}` : 'before the first message'}
          />
          <LadderFilters filter={filter} onChange={setFilter} index={index} seen={index.length} />
        </>
      )}
      <div className="ladder-grid">
        <div className="ladder-box" ref={boxRef}>
          {total === 0 ? (
            <EmptyState title={running ? 'Waiting for the first message…' : 'No messages traced'} testId="ladder-empty">
              {running ? null : 'This run traced no messages: the scenario watches no subscribers, or none of them sent anything.'}
            </EmptyState>
          ) : rows.length === 0 ? (
            <EmptyState title="No message matches the filter" testId="ladder-no-match">
              {formatInt(total)} messages were traced; none passes the filter.{' '}
              <button type="button" className="btn btn-small" onClick={() => setFilter(NO_FILTER)}>
                Clear the filter
              </button>
            </EmptyState>
          ) : (
            <>
              <LadderDiagram
                ref={ladderRef}
                lanes={lanes}
                trace={trace}
                info={index.info}
                rows={rows}
                selected={selected}
                searchHits={searchHits}
                onSelect={(i) => {
                  setPb((s) => ({ ...s, playing: false }));
                  select(i, false);
                }}
                onKey={onKey}
                label={`Message ladder, ${formatInt(rows.length)} messages. Arrow keys move, space plays or pauses.`}
              />
              <TimeSlider rows={rows} trace={trace} onJump={jumpToRow} />
              <p className="ladder-hint" data-testid="ladder-hint">
                Click the ladder, then <kbd>↑</kbd> <kbd>↓</kbd> step · <kbd>Space</kbd> play / pause · <kbd>Home</kbd> <kbd>End</kbd> first / last ·{' '}
                <button type="button" className="btn btn-small btn-quiet" onClick={showTour}>
                  Tour
                </button>
              </p>
            </>
          )}
          <LadderLegend />
          {total > 0 && <LadderExports lanes={lanes} trace={trace} rows={rows} info={index.info} files={files} scenario={scenario} filtered={filtering} />}
        </div>
        <WirePanel
          record={record}
          info={selected === undefined ? undefined : index.info[selected]}
          search={filter.text}
          stopAt={pb.stopAt}
          onStopHere={toggleStop}
        />
      </div>
    </Card>
  );
}

/** Jump to any moment: a slider over the shown messages, labelled with the simulated time. */
function TimeSlider({ rows, trace, onJump }: { rows: readonly number[]; trace: readonly TraceRecord[]; onJump(row: number): void }) {
  const [value, setValue] = useState(0);
  const max = Math.max(0, rows.length - 1);
  const v = Math.min(value, max);
  const rec = trace[rows[v] ?? 0];
  return (
    <label className="time-slider">
      <span>Jump to</span>
      <input
        type="range"
        min={0}
        max={max}
        value={v}
        data-testid="time-slider"
        aria-label="Jump to a moment of the run"
        aria-valuetext={rec ? `message #${rec.seq} at ${formatTime(rec.t)}` : undefined}
        onChange={(e) => {
          const r = Number(e.target.value);
          setValue(r);
          onJump(r);
        }}
      />
      <output className="muted">{rec ? `#${rec.seq} · ${formatTime(rec.t)}` : ''}</output>
    </label>
  );
}
