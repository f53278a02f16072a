/** Play / pause / step / speed / stop point for the ladder (the logic is ladder-playback.ts). */
import { MESSAGE_SPEEDS, TIME_SPEEDS, type PlaybackMode, type PlaybackState } from './ladder-playback.ts';

export interface PlaybackBarProps {
  state: PlaybackState;
  rows: number;
  cursorLabel: string;
  onToggle(): void;
  onStep(delta: number): void;
  onMode(m: PlaybackMode): void;
  onSpeed(s: number): void;
  onStopAt(seq: number | undefined): void;
}

export function PlaybackBar({ state, rows, cursorLabel, onToggle, onStep, onMode, onSpeed, onStopAt }: PlaybackBarProps) {
  const speeds = state.mode === 'message' ? MESSAGE_SPEEDS : TIME_SPEEDS;
  return (
    <div className="playback-bar" role="group" aria-label="Playback" data-testid="playback-bar">
      <button type="button" className="btn btn-small" onClick={() => onStep(-1)} aria-label="Step back one message" data-testid="step-back" disabled={rows === 0}>
        ‹ Back
      </button>
      <button type="button" className="btn btn-small btn-primary" onClick={onToggle} aria-label={state.playing ? 'Pause' : 'Play'} data-testid="play-button" data-playing={state.playing} disabled={rows === 0}>
        {state.playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <button type="button" className="btn btn-small" onClick={() => onStep(1)} aria-label="Step forward one message" data-testid="step-forward" disabled={rows === 0}>
        Next ›
      </button>
      <label className="field-inline">
        <span>Pace</span>
        <select value={state.mode} onChange={(e) => onMode(e.target.value as PlaybackMode)} data-testid="playback-mode">
          <option value="message">message by message</option>
          <option value="time">simulated time</option>
        </select>
      </label>
      <label className="field-inline">
        <span>Speed</span>
        <select value={state.speed} onChange={(e) => onSpeed(Number(e.target.value))} data-testid="playback-speed">
          {speeds.map((s) => (
            <option key={s} value={s}>
              {state.mode === 'message' ? `${s} msg/s` : `${s} ms per s`}
            </option>
          ))}
        </select>
      </label>
      <label className="field-inline">
        <span>Stop at #</span>
        <input
          className="input-narrow"
          inputMode="numeric"
          data-testid="stop-at"
          placeholder="none"
          value={state.stopAt ?? ''}
          onChange={(e) => {
            const v = e.target.value.trim();
            onStopAt(/^\d+$/.test(v) ? Number(v) : undefined);
          }}
        />
      </label>
      <span className="playback-pos muted" data-testid="playback-pos" aria-live="polite">
        {cursorLabel}
      </span>
    </div>
  );
}
