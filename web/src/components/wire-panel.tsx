/**
 * One message in full: where and when, its size, procedure and spec step ids, and its wire text
 * exactly as sent (monospace, line breaks kept).
 */
import { useState } from 'react';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { formatBytes, formatMs } from '../format.ts';
import { EmptyState } from './empty-state.tsx';

export function WirePanel({ record }: { record?: TraceRecord }) {
  if (!record) {
    return (
      <aside className="wire-panel is-empty" data-testid="wire-panel">
        <EmptyState title="Click a message to read it">
          Its wire text appears here, with the spec steps that put each part there. Use ↑ ↓ to step through the ladder.
        </EmptyState>
      </aside>
    );
  }
  return (
    <aside className="wire-panel" data-testid="wire-panel" aria-label={`Message ${record.seq}: ${record.kind}`}>
      <header className="wire-head">
        <div className="wire-title">
          <span className="wire-kind">{record.kind}</span>
          <span className="chip chip-proto">{record.proto}</span>
          {record.event === 'dropped' && <span className="chip chip-dropped">dropped{record.reason ? `: ${record.reason}` : ''}</span>}
        </div>
        <div className="wire-route">
          {record.from} <span aria-hidden>→</span> {record.to}
        </div>
      </header>
      <dl className="wire-facts">
        <dt>Time</dt>
        <dd data-testid="wire-time">{formatMs(record.t)}</dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(record.bytes)}
          {record.bytes >= 1024 && <span className="muted"> ({record.bytes.toLocaleString('en-US')} B)</span>}
        </dd>
        <dt>Procedure</dt>
        <dd>{record.procedure ?? <span className="muted">–</span>}</dd>
        {record.subscribers.length > 0 && (
          <>
            <dt>Subscribers</dt>
            <dd>{record.subscribers.slice(0, 8).join(', ') + (record.subscribers.length > 8 ? ` … (${record.subscribers.length})` : '')}</dd>
          </>
        )}
        <dt>Spec steps</dt>
        <dd className="wire-rules">
          {record.rules.length ? (
            record.rules.map((r) => (
              <code key={r} className="chip chip-rule">
                {r}
              </code>
            ))
          ) : (
            <span className="muted">none cited</span>
          )}
        </dd>
        <dt>Trace #</dt>
        <dd>{record.seq}</dd>
      </dl>
      <div className="wire-text-head">
        <span>Wire text</span>
        <CopyButton text={record.wire} />
      </div>
      <pre className="wire-text" data-testid="wire-text">
        {record.wire}
      </pre>
    </aside>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  if (!navigator.clipboard) return null;
  return (
    <button
      type="button"
      className="btn btn-small btn-quiet"
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
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
