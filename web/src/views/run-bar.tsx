/**
 * The run controls and status: the chosen scenario and what it teaches, a seed, Run / Cancel, and
 * live progress while the run streams.
 */
import { useState, type FormEvent } from 'react';
import type { ScenarioInfo } from '../../../sim/server/api-types.ts';
import { ProgressBar } from '../components/progress-bar.tsx';
import { CollapsibleText } from '../components/rich-text.tsx';
import { LadderTour } from './ladder-tour.tsx';
import { formatDuration, formatInt } from '../format.ts';
import type { RunState } from '../hooks/run-state.ts';

export interface RunBarProps {
  scenario?: ScenarioInfo;
  run: RunState;
  onRun(seed?: number): void;
  onCancel(): void;
}

export function RunBar({ scenario, run, onRun, onCancel }: RunBarProps) {
  const [seedText, setSeedText] = useState('');
  const seed = parseSeed(seedText);
  const busy = run.phase === 'connecting' || run.phase === 'running';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!scenario || seed === 'invalid') return;
    onRun(seed);
  };

  return (
    <section className="run-bar card">
      <form className="run-form" onSubmit={submit}>
        <div className="run-what">
          <div className="run-eyebrow">{scenario ? scenario.path : 'No scenario selected'}</div>
          <h1 className="run-title">{scenario?.name ?? 'Pick a scenario'}</h1>
          {scenario?.description && <CollapsibleText key={scenario.path} text={scenario.description} className="run-desc" testId="run-desc" />}
        </div>
        <div className="run-controls">
          <label className="seed-field">
            <span>Seed</span>
            <input
              data-testid="seed-input"
              inputMode="numeric"
              placeholder="default"
              value={seedText}
              aria-invalid={seed === 'invalid'}
              onChange={(e) => setSeedText(e.target.value)}
            />
          </label>
          {busy ? (
            <button type="button" className="btn" onClick={onCancel} data-testid="cancel-button">
              Cancel
            </button>
          ) : null}
          <button type="submit" className="btn btn-primary" data-testid="run-button" disabled={!scenario || seed === 'invalid'}>
            {busy ? 'Restart' : 'Run'}
          </button>
        </div>
      </form>
      {seed === 'invalid' && <p className="field-error">Seed must be a whole number, 0 or more (or empty for the scenario's own seed).</p>}
      <RunStatus run={run} selected={scenario?.path} />
      <LadderTour />
    </section>
  );
}

function RunStatus({ run, selected }: { run: RunState; selected?: string }) {
  if (run.phase === 'idle') return null;
  const p = run.progress;
  const fraction = run.phase === 'finished' ? 1 : (p?.fraction ?? 0);
  let text: string;
  switch (run.phase) {
    case 'connecting':
      text = 'Starting…';
      break;
    case 'running':
      text = p
        ? `Simulated ${formatDuration(p.simulatedNs)}${run.durationNs ? ` of ${formatDuration(run.durationNs)}` : ''} · ${formatInt(p.events)} events`
        : 'Running…';
      break;
    case 'finished':
      text = run.summary
        ? `Finished: ${formatDuration(run.summary.simulatedNs)} simulated, ${formatInt(run.summary.events)} events in ${formatInt(run.summary.wallMs)} ms · seed ${run.seed}`
        : 'Finished';
      break;
    case 'cancelled':
      text = 'Cancelled';
      break;
    case 'failed':
      text = 'Failed';
      break;
  }
  return (
    <div className={`run-status is-${run.phase}`} data-testid="run-status" data-phase={run.phase} aria-live="polite">
      <ProgressBar fraction={fraction} label="Run progress" />
      <div className="run-status-line">
        <span className="status-dot" aria-hidden />
        {text}
        {run.trace.length > 0 && <span className="muted"> · {formatInt(run.trace.length)} traced messages</span>}
        {run.request && run.request.scenario !== selected && <span className="muted"> · results of {run.request.scenario}</span>}
      </div>
    </div>
  );
}

function parseSeed(text: string): number | undefined | 'invalid' {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t)) return 'invalid';
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : 'invalid';
}
