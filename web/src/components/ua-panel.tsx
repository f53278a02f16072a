/**
 * "Join with your own UA": a sip.js user agent in this page joins the running emulation over
 * WebSocket (issue 17 item 4). It registers the student's identity, subscribes to the reg event of a
 * CS subscriber's public identity, and lists each NOTIFY with what its reginfo says; every message
 * it sends or receives goes on its own lane of the ladder.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { EmulateEndpoint, EmulateSubscriber, TraceRecord } from '../../../sim/server/emulate-types.ts';
import type { BrowserUa, UaStatus } from '../ua/browser-ua.ts';
import { bodyOf, parseRegInfo, subscriptionState, uaRecord, UA_LANE, wsUrlOf, type RegInfo } from '../ua/sip-text.ts';

export interface UaPanelProps {
  endpoints: EmulateEndpoint[];
  subscribers: EmulateSubscriber[];
  /** The emulation runs: joining is possible; when it ends the UA leaves. */
  live: boolean;
  /** The emulation's clock on the page: ns since its start (for the UA's ladder records). */
  nowNs(): number;
  addLocal(records: Omit<TraceRecord, 'seq'>[]): void;
}

interface NotifyView {
  n: number;
  state?: string;
  reason?: string;
  reginfo?: RegInfo;
}

/** The lab's WebSocket listeners: node and ws:// URL. */
export function wsEndpoints(endpoints: readonly EmulateEndpoint[]): { node: string; url: string }[] {
  const out: { node: string; url: string }[] = [];
  for (const e of endpoints) {
    const url = wsUrlOf(e.url);
    if (url) out.push({ node: e.node, url });
  }
  return out;
}

export function UaPanel({ endpoints, subscribers, live, nowNs, addLocal }: UaPanelProps) {
  const servers = useMemo(() => wsEndpoints(endpoints), [endpoints]);
  const [server, setServer] = useState('');
  const target0 = subscribers[0]?.impus.find((u) => u.startsWith('sip:')) ?? subscribers[0]?.impus[0] ?? '';
  const domain = /@([^;>]+)/.exec(target0)?.[1] ?? 'ims.example.org';
  const last = subscribers.length > 1 ? subscribers[subscribers.length - 1]!.impus.find((u) => u.startsWith('sip:')) : undefined;
  const [aor, setAor] = useState('');
  const [registrar, setRegistrar] = useState('');
  const [target, setTarget] = useState('');
  const [status, setStatus] = useState<{ status: UaStatus | 'idle'; detail?: string }>({ status: 'idle' });
  const [notifies, setNotifies] = useState<NotifyView[]>([]);
  const ua = useRef<BrowserUa | undefined>(undefined);
  const peer = servers.find((s) => s.url === (server || servers[0]?.url))?.node ?? 'lab';

  // The lab stopped: the UA leaves with it (its WebSocket is gone anyway).
  useEffect(() => {
    if (!live && ua.current) {
      void ua.current.leave();
      ua.current = undefined;
    }
  }, [live]);
  useEffect(() => () => void ua.current?.leave(), []);

  if (servers.length === 0) return null;
  const joined = status.status !== 'idle' && status.status !== 'stopped' && status.status !== 'failed';
  const values = { server: server || servers[0]!.url, aor: aor || last || `sip:student@${domain}`, registrar: registrar || `sip:${domain}`, target: target || target0 };

  const join = async () => {
    setNotifies([]);
    setStatus({ status: 'connecting' });
    // sip.js (~230 kB) loads only when a student joins.
    const { BrowserUa } = await import('../ua/browser-ua.ts');
    const u = new BrowserUa(
      { server: values.server, aor: values.aor, registrar: values.registrar, target: values.target },
      {
        onWire: (dir, text) => addLocal([uaRecord(text, dir, peer, nowNs())]),
        onStatus: (s, detail) => setStatus({ status: s, detail }),
        onNotify: (text) =>
          setNotifies((l) => [...l, { n: l.length + 1, ...subscriptionState(text), reginfo: parseRegInfo(bodyOf(text)) }]),
      },
    );
    ua.current = u;
    try {
      await u.join();
    } catch (e) {
      setStatus({ status: 'failed', detail: (e as Error).message });
      // Close the WebSocket of a UA that could not join; the reason stays on screen.
      await u.leave(true);
      if (ua.current === u) ua.current = undefined;
    }
  };
  const leave = () => {
    void ua.current?.leave();
    ua.current = undefined;
  };

  return (
    <section className="card ua-panel" data-testid="ua-panel">
      <header className="card-head">
        <h2 className="card-title">Join with your own SIP UA</h2>
        <div className="card-aside muted">sip.js in this page, over WebSocket (RFC 7118) — lane “{UA_LANE}”</div>
      </header>
      <div className="ua-form">
        <label>
          <span>WebSocket</span>
          <select data-testid="ua-server" value={values.server} disabled={joined} onChange={(e) => setServer(e.target.value)}>
            {servers.map((s) => (
              <option key={s.url} value={s.url}>
                {s.node} {s.url}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Your identity</span>
          <input data-testid="ua-aor" value={values.aor} disabled={joined} onChange={(e) => setAor(e.target.value)} />
        </label>
        <label>
          <span>Registrar</span>
          <input data-testid="ua-registrar" value={values.registrar} disabled={joined} onChange={(e) => setRegistrar(e.target.value)} />
        </label>
        <label>
          <span>Watch (reg event of)</span>
          <input data-testid="ua-target" list="ua-targets" value={values.target} disabled={joined} onChange={(e) => setTarget(e.target.value)} />
          <datalist id="ua-targets">
            {subscribers.flatMap((s) => s.impus.map((u) => <option key={u} value={u}>{`subscriber ${s.subscriber} (IMSI ${s.imsi})`}</option>))}
          </datalist>
        </label>
        {joined ? (
          <button type="button" className="btn" onClick={leave} data-testid="ua-leave">
            Leave
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={() => void join().catch((e: unknown) => setStatus({ status: 'failed', detail: (e as Error).message }))} disabled={!live} data-testid="ua-join">
            Join
          </button>
        )}
      </div>
      <p className="ua-status" data-testid="ua-status" data-status={status.status} aria-live="polite">
        <strong>{STATUS_TEXT[status.status]}</strong>
        {status.detail && <span className="muted"> — {status.detail}</span>}
      </p>
      {notifies.length > 0 && (
        <ol className="ua-notifies">
          {notifies.map((n) => (
            <li
              key={n.n}
              data-testid="ua-notify"
              data-sub-state={n.state ?? ''}
              data-reg-states={(n.reginfo?.registrations ?? []).map((r) => r.state).join(',')}
              className={n.reginfo?.registrations.some((r) => r.state === 'terminated') ? 'is-terminated' : undefined}
            >
              NOTIFY {n.n}: subscription <strong>{n.state ?? '?'}</strong>
              {n.reason ? ` (${n.reason})` : ''}
              {n.reginfo && (
                <ul>
                  {n.reginfo.registrations.map((r) => (
                    <li key={r.aor}>
                      <code>{r.aor}</code> <strong>{r.state}</strong>
                      {r.contacts.map((c) => (
                        <span key={c.uri} className="muted">
                          {' '}
                          · contact {c.uri} {c.state}
                          {c.event ? ` (${c.event})` : ''}
                        </span>
                      ))}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const STATUS_TEXT: Record<UaStatus | 'idle', string> = {
  idle: 'Not joined',
  connecting: 'Connecting the WebSocket…',
  registering: 'Registering…',
  registered: 'Registered',
  subscribed: 'Registered and subscribed to the reg event',
  unregistered: 'Not registered',
  stopped: 'Left the lab',
  failed: 'Failed',
};
