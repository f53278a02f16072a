/**
 * The Emulate tab (docs/dashboard.md): an emulate/ scenario on real loopback sockets, started from
 * the page. Shows the endpoints as `reglab emulate` prints them, the live ladder of real traffic
 * (a node a real peer plays is its own lane, named with the peer's address), the lateness gauge,
 * and once stopped the run directory's files as links, with the summary and the rules.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { ScenarioInfo } from '../../../sim/server/api-types.ts';
import { Card } from '../components/card.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { EndpointsTable } from '../components/endpoints-table.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { LatenessGauge } from '../components/lateness-gauge.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { CollapsibleText } from '../components/rich-text.tsx';
import { UaPanel } from '../components/ua-panel.tsx';
import { formatBytes, formatDuration, formatInt } from '../format.ts';
import { emulatedFraction, isLive, laneNodes, type EmulationState } from '../hooks/emulation-state.ts';
import type { UseEmulation } from '../hooks/use-emulation.ts';
import { LadderView } from './ladder-view.tsx';
import { SummaryView } from './summary-view.tsx';
import './emulate.css';

export interface EmulateViewProps {
  scenario?: ScenarioInfo;
  emulation: UseEmulation;
}

export function EmulateView({ scenario, emulation }: EmulateViewProps) {
  const { state, start, stop, reconnect, addLocal } = emulation;
  const clock = useRef(state);
  clock.current = state;
  const nowNs = useCallback(() => {
    const s = clock.current;
    return s.startedAtMs === undefined ? 0 : ((performance.now() - s.startedAtMs) / s.timeScale) * 1e6;
  }, []);
  const [duration, setDuration] = useState('');
  const [timeScale, setTimeScale] = useState('1');
  const [host, setHost] = useState('127.0.0.1');
  const live = isLive(state.phase);
  const isEmulate = scenario?.group === 'emulate';
  const scale = Number(timeScale);
  const scaleOk = scale > 0 && scale <= 100;
  const lost = state.phase === 'failed' && state.error?.code === 'E_CONNECTION';
  const canStart = isEmulate && scaleOk && !live && !lost && state.phase !== 'connecting';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!canStart || !scenario) return;
    start({ scenario: scenario.path, host: state.hosts.includes(host) ? host : '127.0.0.1', timeScale: scale, duration: duration.trim() || undefined });
  };

  return (
    <>
      <section className="run-bar card" data-testid="emulate-bar">
        <form className="run-form" onSubmit={submit}>
          <div className="run-what">
            <div className="run-eyebrow">{scenario ? scenario.path : 'No scenario selected'} · emulation on real sockets</div>
            <h1 className="run-title">{scenario?.name ?? 'Pick an emulate/ scenario'}</h1>
            {scenario?.description && <CollapsibleText key={scenario.path} text={scenario.description} className="run-desc" />}
          </div>
          <div className="run-controls emulate-controls">
            <label className="seed-field">
              <span>Duration</span>
              <input data-testid="emulate-duration" placeholder="the scenario's" value={duration} disabled={live} onChange={(e) => setDuration(e.target.value)} />
            </label>
            <label className="seed-field">
              <span>Slower ×</span>
              <input data-testid="emulate-time-scale" inputMode="decimal" value={timeScale} aria-invalid={!scaleOk} disabled={live} onChange={(e) => setTimeScale(e.target.value)} />
            </label>
            <label className="seed-field">
              <span>Listen on</span>
              <select data-testid="emulate-host" value={host} disabled={live || state.hosts.length <= 1} onChange={(e) => setHost(e.target.value)}>
                {(state.hosts.length ? state.hosts : ['127.0.0.1']).map((h) => (
                  <option key={h} value={h}>
                    {h}
                  </option>
                ))}
              </select>
            </label>
            {live ? (
              <button type="button" className="btn btn-primary" onClick={stop} disabled={state.phase === 'stopping'} data-testid="emulate-stop">
                {state.phase === 'stopping' ? 'Stopping…' : 'Stop'}
              </button>
            ) : (
              <button type="submit" className="btn btn-primary" disabled={!canStart} data-testid="emulate-start">
                Start
              </button>
            )}
          </div>
        </form>
        {!scaleOk && <p className="field-error">Slower × is a number above 0 and at most 100 (2 runs twice slower than real time; below 1 faster).</p>}
        {state.hosts.length <= 1 && state.phase !== 'connecting' && (
          <p className="muted emulate-host-note" data-testid="emulate-host-note">
            Emulations started here listen on 127.0.0.1 only. To open one to a network, start the server with <code>reglab serve --emulate-host ADDR</code>.
          </p>
        )}
        {state.busyElsewhere && !live && <p className="muted">Another page is running an emulation on this server; it has to stop first (one lab per server).</p>}
        <EmulateStatus state={state} selected={scenario?.path} />
      </section>
      {!isEmulate && scenario && (
        <div className="card">
          <EmptyState title="Pick a scenario of the Emulate group" testId="emulate-pick">
            Only <code>emulate/</code> scenarios say how their nodes listen and what to point at them. {scenario.path} runs in virtual time on the Run tab.
          </EmptyState>
        </div>
      )}
      {state.error && (
        <ErrorPanel
          title={lost ? 'Lost the connection to the server' : 'The emulation could not run'}
          code={state.error.code}
          message={state.error.message}
          action={
            lost ? (
              <button type="button" className="btn btn-small" onClick={reconnect}>
                Reconnect
              </button>
            ) : undefined
          }
        />
      )}
      {(state.endpoints.length > 0 || state.lateness) && (
        <div className="emulate-grid">
          <Card title="Endpoints" aside={<span className="muted">point real peers here</span>} testId="endpoints-card">
            <EndpointsTable nodes={state.nodes} endpoints={state.endpoints} />
          </Card>
          <Card title="Lateness" aside={<span className="muted">{live ? 'live' : 'final'}</span>} testId="lateness-card">
            <LatenessGauge lateness={state.lateness} live={live} />
          </Card>
        </div>
      )}
      {state.endpoints.length > 0 && <UaPanel endpoints={state.endpoints} subscribers={state.subscribers} live={state.phase === 'running'} nowNs={nowNs} addLocal={addLocal} />}
      {state.done && <Outputs done={state.done} />}
      {(state.nodes.length > 0 || state.trace.length > 0) && (
        <LadderView nodes={laneNodes(state.nodes)} trace={state.trace} running={live} files={state.done?.files} scenario={state.scenario} />
      )}
      {state.done && <SummaryView summary={state.done.summary} rules={state.done.rules} />}
    </>
  );
}

function EmulateStatus({ state, selected }: { state: EmulationState; selected?: string }) {
  const [now, setNow] = useState(() => performance.now());
  const running = state.phase === 'running' || state.phase === 'stopping';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(t);
  }, [running]);
  if (state.phase === 'connecting' || state.phase === 'ready') return null;
  const fraction = state.phase === 'done' ? 1 : emulatedFraction(state, now);
  let text: string;
  switch (state.phase) {
    case 'starting':
      text = 'Opening the listeners…';
      break;
    case 'running':
    case 'stopping': {
      const ns = fraction * state.durationNs;
      text = `${state.phase === 'stopping' ? 'Stopping, writing the outputs' : 'Emulating'} · ${formatDuration(ns)} of ${formatDuration(state.durationNs)} on ${state.host}${state.timeScale !== 1 ? ` · ${state.timeScale}× slower than real time` : ''}`;
      break;
    }
    case 'done':
      text = state.done?.ended === 'stopped' ? 'Stopped; outputs written' : state.done?.ended === 'error' ? `Ended on an error: ${state.done.error ?? ''}` : 'Ran its duration; outputs written';
      break;
    default:
      text = 'Failed';
  }
  const phaseClass = state.phase === 'done' ? 'finished' : state.phase === 'failed' ? 'failed' : 'running';
  return (
    <div className={`run-status is-${phaseClass}`} data-testid="emulate-status" data-phase={state.phase} aria-live="polite">
      <ProgressBar fraction={fraction} label="Emulation progress" />
      <div className="run-status-line">
        <span className="status-dot" aria-hidden />
        {text}
        {state.trace.length > 0 && <span className="muted"> · {formatInt(state.trace.length)} messages on the ladder</span>}
        {state.skipped > 0 && <span className="muted"> · {formatInt(state.skipped)} not shown (the page fell behind; all are in trace.jsonl)</span>}
        {state.scenario && state.scenario !== selected && <span className="muted"> · this is {state.scenario}</span>}
      </div>
    </div>
  );
}

function Outputs({ done }: { done: NonNullable<EmulationState['done']> }) {
  const w = done.wire;
  return (
    <Card title="Outputs" aside={<span className="muted">the run directory, as reglab emulate --out writes it</span>} testId="emulate-outputs">
      <p className="emulate-dir">
        <code data-testid="emulate-dir">{done.dir}</code>
      </p>
      <ul className="emulate-files">
        {done.outputs.map((f) => (
          <li key={f.name}>
            <a href={`${done.files}${encodeURIComponent(f.name)}`} download={f.name} data-testid="emulate-output" data-name={f.name}>
              {f.name}
            </a>{' '}
            <span className="muted">{formatBytes(f.bytes)}</span>
          </li>
        ))}
      </ul>
      <p className="muted" data-testid="emulate-wire">
        Wire: {formatInt(w.sent)} sent, {formatInt(w.received)} received, {formatInt(w.rejected)} rejected, {formatInt(w.discarded)} discarded, {formatInt(w.udpToTcp)} over TCP for their size
        {w.decodeMismatch > 0 ? `, ${formatInt(w.decodeMismatch)} decode mismatches` : ''}.
      </p>
    </Card>
  );
}
