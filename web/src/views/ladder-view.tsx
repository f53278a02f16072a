/**
 * The watched subscribers' messages as a ladder, with the clicked message in full beside it.
 * ↑/↓ (or k/j) step through the messages once one is selected.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { NodeInfo, TraceRecord } from '../../../sim/server/api-types.ts';
import { Card } from '../components/card.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { WirePanel } from '../components/wire-panel.tsx';
import { LadderDiagram } from '../charts/ladder-diagram.tsx';
import { LADDER, LADDER_MAX_ARROWS, layoutLadder } from '../charts/ladder-layout.ts';
import { formatInt } from '../format.ts';
import { useElementWidth } from '../hooks/use-element-width.ts';

export interface LadderViewProps {
  nodes: NodeInfo[];
  trace: TraceRecord[];
  running: boolean;
}

export function LadderView({ nodes, trace, running }: LadderViewProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(scrollRef);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const layout = useMemo(() => layoutLadder(nodes, trace, width), [nodes, trace, width]);

  // A new run (its trace starts again from nothing) clears the selection.
  useEffect(() => {
    if (trace.length === 0) setSelected(undefined);
  }, [trace.length]);

  const select = (i: number) => {
    setSelected(i);
    const el = scrollRef.current;
    const a = layout.arrows[i];
    if (!el || !a) return;
    // Keep the selected row in view (below the sticky lane headers).
    const top = a.y - LADDER.row - 56;
    const bottom = a.y + LADDER.row;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (bottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom - el.clientHeight;
  };

  const onKey = (e: KeyboardEvent) => {
    if (selected === undefined) return;
    const step = e.key === 'ArrowDown' || e.key === 'j' ? 1 : e.key === 'ArrowUp' || e.key === 'k' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(layout.arrows.length - 1, selected + step));
    select(next);
    (scrollRef.current?.querySelectorAll<SVGGElement>('[data-testid="ladder-arrow"]')[next])?.focus({ preventScroll: true });
  };

  const capped = layout.total > layout.arrows.length;
  return (
    <Card
      title="Message ladder"
      className="ladder-card"
      aside={
        trace.length > 0 && (
          <span className="muted" data-testid="ladder-count">
            {capped
              ? `Showing the first ${formatInt(layout.arrows.length)} of ${formatInt(layout.total)} messages`
              : `${formatInt(layout.total)} message${layout.total === 1 ? '' : 's'}`}
          </span>
        )
      }
    >
      <div className="ladder-grid">
        <div className="ladder-scroll" ref={scrollRef} onKeyDown={onKey}>
          {trace.length === 0 ? (
            <EmptyState title={running ? 'Waiting for the first message…' : 'No messages traced'}>
              {running ? null : 'This run traced no messages: the scenario watches no subscribers, or none of them sent anything.'}
            </EmptyState>
          ) : (
            <LadderDiagram layout={layout} selected={selected} onSelect={select} />
          )}
          {capped && (
            <p className="ladder-cap-note" data-testid="ladder-cap-note">
              Showing the first {formatInt(LADDER_MAX_ARROWS)} of {formatInt(layout.total)} messages. Watch fewer subscribers, or
              read all of them in trace.jsonl (<code>reglab run … --out DIR</code>).
            </p>
          )}
        </div>
        <WirePanel record={selected === undefined ? undefined : trace[selected]} />
      </div>
    </Card>
  );
}
