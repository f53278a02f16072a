/**
 * The decoded form of a message by protocol: SIP as a header table, Diameter Cx as its AVP tree,
 * MSGin5G HTTP/JSON as headers and a JSON tree with the spec's IE names. A row whose characters a
 * lit range (a spec step's mark) touches is highlighted. What no decoder reads is shown raw, with
 * a note saying why — never a blank panel.
 */
import { useState, type ReactNode } from 'react';
import type { TraceRecord } from '../../../../sim/server/api-types.ts';
import { highlight, RawText } from '../wire-panel.tsx';
import { decodeCx, DIAMETER_FLAGS, type AvpNode } from './cx-decode.ts';
import { decodeMsgin5g, type JsonNode } from './msgin5g-decode.ts';
import { decodeSip } from './sip-decode.ts';

/** Character ranges to light: a spec step's marks, and the search hits. */
export interface Lit {
  ranges: [number, number][];
  search: [number, number][];
}

/** List entries shown before "show all" (a 10,000-entry bulk is readable, and the page stays fast). */
export const LIST_PREVIEW = 50;

function touches(lit: Lit, start: number, end: number): boolean {
  return lit.ranges.some(([a, b]) => a < end && b > start);
}

export function DecodedView({ record, lit }: { record: TraceRecord; lit: Lit }) {
  const proto = record.proto.toLowerCase();
  let body: ReactNode;
  if (!record.wire) body = <RawText wire="" lit={lit} />;
  else if (proto === 'sip') body = <SipTable wire={record.wire} lit={lit} />;
  else if (proto === 'cx' || proto === 'diameter') body = <CxTree wire={record.wire} lit={lit} />;
  else if (proto === 'msgin5g' || proto === 'http') body = <HttpJson wire={record.wire} lit={lit} />;
  else
    body = (
      <>
        <p className="wire-note" data-testid="decode-note">
          No decoder for protocol “{record.proto}”: shown as sent.
        </p>
        <RawText wire={record.wire} lit={lit} />
      </>
    );
  return (
    <div className="decoded" data-testid="decoded">
      {body}
    </div>
  );
}

function Fallback({ reason, wire, lit }: { reason: string; wire: string; lit: Lit }) {
  return (
    <>
      <p className="wire-note is-warn" data-testid="decode-note">
        Could not decode: {reason}. The raw text follows.
      </p>
      <RawText wire={wire} lit={lit} />
    </>
  );
}

function SipTable({ wire, lit }: { wire: string; lit: Lit }) {
  const d = decodeSip(wire);
  if (!d.ok) return <Fallback reason={d.reason} wire={wire} lit={lit} />;
  return (
    <>
      <p className="decoded-start" data-testid="decoded-start">
        {highlight(wire, 0, d.startLine.length, lit)}
      </p>
      <table className="decoded-table" data-testid="sip-headers">
        <thead>
          <tr>
            <th scope="col">Header</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {d.headers.map((h, i) => (
            <tr key={i} className={touches(lit, h.start, h.end) ? 'is-lit' : undefined} data-testid="sip-header" data-header={h.fullName} data-lit={touches(lit, h.start, h.end) ? 'true' : undefined}>
              <th scope="row">
                {h.fullName}
                {h.fullName !== h.name && <span className="muted"> ({h.name})</span>}
              </th>
              <td>
                <span className="decoded-value">{highlight(wire, h.start + h.name.length + 1, h.end, lit)}</span>
                {h.params.length > 0 && (
                  <ul className="param-list">
                    {h.params.map(([k, v], j) => (
                      <li key={j}>
                        <code>{k}</code>
                        {v !== '' && <> = {v}</>}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {d.body && (
        <>
          <h4 className="section-title wire-section-title">Body</h4>
          <pre className="wire-text">{highlight(wire, d.bodyStart, wire.length, lit)}</pre>
        </>
      )}
    </>
  );
}

function CxTree({ wire, lit }: { wire: string; lit: Lit }) {
  const d = decodeCx(wire);
  if (!d.ok) return <Fallback reason={d.reason} wire={wire} lit={lit} />;
  return (
    <>
      <dl className="decoded-head" data-testid="cx-head">
        <dt>Command</dt>
        <dd data-testid="cx-command">
          {d.command} — code {d.commandCode}
        </dd>
        <dt>Flags</dt>
        <dd>{d.flags.length ? d.flags.map((f) => DIAMETER_FLAGS[f] ?? f).join(', ') : 'none (answer)'}</dd>
        {d.header.map((h, i) => (
          <dd key={i} className="decoded-head-wide">
            {h}
          </dd>
        ))}
      </dl>
      <ul className="avp-tree" data-testid="avp-tree" role="tree" aria-label="AVPs">
        {d.avps.map((a, i) => (
          <Avp key={i} a={a} lit={lit} wire={wire} />
        ))}
      </ul>
    </>
  );
}

function Avp({ a, lit, wire }: { a: AvpNode; lit: Lit; wire: string }) {
  const on = touches(lit, a.start, a.end);
  return (
    <li role="treeitem" aria-expanded={a.children.length ? true : undefined} className={on ? 'is-lit' : undefined} data-testid="avp" data-avp={a.name}>
      <span className="avp-name">{a.name}</span>{' '}
      <span className="avp-meta">
        ({a.code}
        {a.vendor !== undefined && `, vendor ${a.vendor}`}
        {a.mandatory && ', M'})
      </span>
      {a.value && <>: {highlight(wire, a.end - a.value.length, a.end, lit)}</>}
      {a.children.length > 0 && (
        <ul role="group">
          {a.children.map((c, i) => (
            <Avp key={i} a={c} lit={lit} wire={wire} />
          ))}
        </ul>
      )}
    </li>
  );
}

function HttpJson({ wire, lit }: { wire: string; lit: Lit }) {
  const d = decodeMsgin5g(wire);
  if (!d.ok) return <Fallback reason={d.reason} wire={wire} lit={lit} />;
  return (
    <>
      <p className="decoded-start">{d.startLine}</p>
      <table className="decoded-table" data-testid="http-headers">
        <tbody>
          {d.headers.map((h, i) => (
            <tr key={i} className={touches(lit, h.start, h.end) ? 'is-lit' : undefined}>
              <th scope="row">{h.name}</th>
              <td>{h.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {d.bodyError && (
        <>
          <p className="wire-note is-warn" data-testid="decode-note">
            The JSON body does not parse: {d.bodyError}. Shown as sent.
          </p>
          <pre className="wire-text">{d.bodyText}</pre>
        </>
      )}
      {d.body && (
        <ul className="json-tree" data-testid="json-tree" role="tree" aria-label="JSON body with the IE names of TS 23.554">
          <JsonItem n={d.body} lit={lit} />
        </ul>
      )}
    </>
  );
}

function JsonItem({ n, lit }: { n: JsonNode; lit: Lit }) {
  const [all, setAll] = useState(false);
  // Lit when a mark starts at or before the field and reaches past its start: a field's own mark,
  // or a mark over the whole list it is in — not the parent of a marked field.
  const on = lit.ranges.some(([a, b]) => a <= n.start && n.start < b);
  const kids = n.kind === 'array' && !all ? n.children.slice(0, LIST_PREVIEW) : n.children;
  return (
    <li role="treeitem" className={on ? 'is-lit' : undefined} data-testid="json-node" data-key={n.key} data-lit={on ? 'true' : undefined}>
      {n.key !== undefined && (
        <>
          <code className="json-key">{n.key}</code>
          {n.ie && <span className="json-ie"> — {n.ie}</span>}
          {n.kind === 'scalar' ? ': ' : ''}
        </>
      )}
      {n.kind === 'scalar' ? (
        <span className="json-value">{n.value}</span>
      ) : (
        <span className="muted">{n.kind === 'array' ? ` [${n.children.length.toLocaleString('en-US')}]` : ''}</span>
      )}
      {n.children.length > 0 && (
        <ul role="group">
          {kids.map((c, i) => (
            <JsonItem key={i} n={c} lit={lit} />
          ))}
          {kids.length < n.children.length && (
            <li className="json-more">
              <span className="muted" data-testid="json-more-note">
                Showing {kids.length} of {n.children.length.toLocaleString('en-US')} entries.{' '}
              </span>
              <button type="button" className="btn btn-small btn-quiet" onClick={() => setAll(true)}>
                Show all {n.children.length.toLocaleString('en-US')}
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}
