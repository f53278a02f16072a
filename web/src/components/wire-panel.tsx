/**
 * One message in full: where and when, its size, the spec steps it realises (title and the clause's
 * sentence), and its content decoded (SIP header table, Diameter AVP tree, MSGin5G JSON with IE
 * names) or raw. Hovering or selecting a step lights the exact header line(s) / JSON field(s) the
 * model marked for it (TraceRecord.marks); the search text is highlighted too. Long text wraps.
 */
import { memo, useMemo, useState } from 'react';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { FAILURE_LABELS, type RecordInfo } from '../charts/ladder-classify.ts';
import { formatBytes } from '../format.ts';
import { specStep } from '../spec/spec-steps.ts';
import { findAll } from '../views/ladder-filter.ts';
import { formatTime } from '../views/ladder-export.ts';
import { DecodedView, type Lit } from './decode/decoded-view.tsx';
import { EmptyState } from './empty-state.tsx';

export interface WirePanelProps {
  record?: TraceRecord;
  info?: RecordInfo;
  search?: string;
  onStopHere?(index: number): void;
  stopAt?: number;
}

/** Memoised: playback and scrolling re-render the ladder every frame, not the open message. */
export const WirePanel = memo(function WirePanel({ record, info, search = '', onStopHere, stopAt }: WirePanelProps) {
  const [pinned, setPinned] = useState<string | undefined>(undefined);
  const [hovered, setHovered] = useState<string | undefined>(undefined);
  const [tab, setTab] = useState<'decoded' | 'raw'>('decoded');
  const active = hovered ?? pinned;
  const marks = record?.marks ?? [];
  const lit: Lit = useMemo(() => {
    const ranges: [number, number][] = active ? marks.filter((m) => m.rule === active).map((m) => [m.start, m.end]) : [];
    return { ranges, search: record ? findAll(record.wire, search, 500) : [] };
  }, [active, marks, record, search]);

  if (!record) {
    return (
      <aside className="wire-panel is-empty" data-testid="wire-panel">
        <EmptyState title="Click a message to read it">
          Its decoded content appears here, with the spec steps that put each header there. In the ladder, ↑ ↓ step through the messages and space plays.
        </EmptyState>
      </aside>
    );
  }
  const steps = record.rules.map((id) => ({ ...specStep(id), marked: marks.some((m) => m.rule === id) }));
  return (
    <aside className="wire-panel" data-testid="wire-panel" aria-label={`Message #${record.seq}: ${record.kind}`}>
      <header className="wire-head">
        <div className="wire-title">
          <span className="wire-num">#{record.seq}</span>
          <span className="wire-kind">{record.kind}</span>
          <span className={`chip chip-proto proto-${record.proto}`}>{record.proto}</span>
          {record.event === 'dropped' && <span className="chip chip-dropped">dropped{record.reason ? `: ${record.reason}` : ''}</span>}
          {info?.failure && info.failure !== 'dropped' && <span className="chip chip-dropped">{FAILURE_LABELS[info.failure]}</span>}
          {info?.retransmitOf !== undefined && <span className="chip chip-retrans">retransmission of #{info.retransmitOf}</span>}
        </div>
        <div className="wire-route">
          {record.from} <span aria-hidden>→</span> {record.to} · {formatTime(record.t)} · {formatBytes(record.bytes)}
        </div>
      </header>
      <dl className="wire-facts">
        <dt>Procedure</dt>
        <dd>{record.procedure ?? <span className="muted">–</span>}</dd>
        {record.subscribers.length > 0 && (
          <>
            <dt>Subscribers</dt>
            <dd>{record.subscribers.slice(0, 8).join(', ') + (record.subscribers.length > 8 ? ` … (${record.subscribers.length.toLocaleString('en-US')})` : '')}</dd>
          </>
        )}
      </dl>
      {onStopHere && (
        <button type="button" className="btn btn-small btn-quiet" data-testid="stop-here" onClick={() => onStopHere(record.seq)} aria-pressed={stopAt === record.seq}>
          {stopAt === record.seq ? 'Playback stops here' : 'Stop playback here'}
        </button>
      )}
      <section className="wire-steps" aria-label="Spec steps this message realises" data-testid="wire-steps">
        <h3 className="section-title wire-section-title">Spec steps</h3>
        {steps.length === 0 ? (
          <p className="muted wire-note">This message cites no spec step.</p>
        ) : (
          <ol className="step-list">
            {steps.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className={`step${active === s.id ? ' is-active' : ''}`}
                  data-testid="wire-step"
                  data-rule={s.id}
                  aria-pressed={pinned === s.id}
                  onMouseEnter={() => setHovered(s.id)}
                  onMouseLeave={() => setHovered(undefined)}
                  onFocus={() => setHovered(s.id)}
                  onBlur={() => setHovered(undefined)}
                  onClick={() => setPinned((p) => (p === s.id ? undefined : s.id))}
                >
                  <span className="step-head">
                    <code className="step-id">{s.id}</code> <span className="step-title">{s.title}</span>
                  </span>
                  <span className="step-sentence" data-testid="step-sentence">
                    {s.paraphrase ? s.sentence : `“${s.sentence}”`}
                  </span>
                  <span className="step-source" title={s.source}>
                    {s.source.split(' (')[0]}
                    {!s.marked && s.known && ' · not tied to one header'}
                  </span>
                </button>
              </li>
            ))}
          </ol>
        )}
      </section>
      <div className="wire-tabs" role="tablist" aria-label="Message view">
        <button type="button" role="tab" aria-selected={tab === 'decoded'} className="wire-tab" data-testid="tab-decoded" onClick={() => setTab('decoded')}>
          Decoded
        </button>
        <button type="button" role="tab" aria-selected={tab === 'raw'} className="wire-tab" data-testid="tab-raw" onClick={() => setTab('raw')}>
          Raw
        </button>
        <CopyButton text={record.wire} />
      </div>
      {tab === 'decoded' ? <DecodedView record={record} lit={lit} /> : <RawText wire={record.wire} lit={lit} />}
    </aside>
  );
});

/** The wire text, wrapped, with marked ranges and search hits highlighted. */
export function RawText({ wire, lit }: { wire: string; lit: Lit }) {
  if (!wire) return <p className="muted wire-note">No wire text: the run rendered this message only as a count (it belongs to an unwatched subscriber or carries no text).</p>;
  return (
    <pre className="wire-text" data-testid="wire-text">
      {highlight(wire, 0, wire.length, lit)}
    </pre>
  );
}

/** Splits text[start, end) into plain runs and <mark>s for lit ranges (steps) and search hits. */
export function highlight(text: string, start: number, end: number, lit: Lit) {
  const cuts: { from: number; to: number; cls: string }[] = [];
  for (const [a, b] of lit.ranges) if (b > start && a < end) cuts.push({ from: Math.max(a, start), to: Math.min(b, end), cls: 'lit-step' });
  for (const [a, b] of lit.search) if (b > start && a < end) cuts.push({ from: Math.max(a, start), to: Math.min(b, end), cls: 'lit-search' });
  if (!cuts.length) return text.slice(start, end);
  cuts.sort((x, y) => x.from - y.from);
  const out = [];
  let pos = start;
  let k = 0;
  for (const c of cuts) {
    if (c.from < pos) continue;
    if (c.from > pos) out.push(text.slice(pos, c.from));
    out.push(
      <mark key={k++} className={c.cls} data-testid={c.cls}>
        {text.slice(c.from, c.to)}
      </mark>,
    );
    pos = c.to;
  }
  if (pos < end) out.push(text.slice(pos, end));
  return out;
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  if (typeof navigator === 'undefined' || !navigator.clipboard) return null;
  return (
    <button
      type="button"
      className="btn btn-small btn-quiet wire-copy"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1200);
          },
          () => {},
        );
      }}
    >
      {copied ? 'Copied' : 'Copy wire text'}
    </button>
  );
}
