/**
 * The emulation's lateness, live: p50, p99 and max so far as bars on one log axis (10 µs … 1 s),
 * each coloured against issue 12's target (lateness-scale.ts), with the event count and the mode.
 */
import type { EmulateLateness } from '../../../sim/server/emulate-types.ts';
import { formatInt } from '../format.ts';
import { formatLateness, gaugeFraction, gaugeTicks, hardLimitOf, LATENESS_TARGETS, latenessLevel, type LatenessFigure } from './lateness-scale.ts';

const FIGURES: { key: LatenessFigure; label: string }[] = [
  { key: 'p50Ms', label: 'p50' },
  { key: 'p99Ms', label: 'p99' },
  { key: 'maxMs', label: 'max' },
];

const TICKS = gaugeTicks();

export function LatenessGauge({ lateness, live }: { lateness?: EmulateLateness; live: boolean }) {
  const limit = lateness ? hardLimitOf(lateness.mode) : undefined;
  return (
    <div className="lateness" data-testid="lateness-gauge" data-events={lateness?.events ?? 0}>
      {FIGURES.map(({ key, label }) => {
        const ms = lateness?.[key];
        const level = ms === undefined ? undefined : latenessLevel(key, ms, limit);
        return (
          <div key={key} className={`lateness-row${level ? ` is-${level}` : ''}`} data-testid="lateness-figure" data-figure={label} data-ms={ms ?? ''}>
            <span className="lateness-label">{label}</span>
            <div className="lateness-track" role="meter" aria-label={`lateness ${label}`} aria-valuemin={0} aria-valuemax={1000} aria-valuenow={ms ?? 0} aria-valuetext={ms === undefined ? 'no events yet' : formatLateness(ms)}>
              <div className="lateness-fill" style={{ width: `${(ms === undefined ? 0 : gaugeFraction(ms)) * 100}%` }} />
              <div className="lateness-target" style={{ left: `${gaugeFraction(LATENESS_TARGETS[key].warn) * 100}%` }} title={`target: below ${formatLateness(LATENESS_TARGETS[key].warn)}`} />
              {limit !== undefined && <div className="lateness-limit" style={{ left: `${gaugeFraction(limit) * 100}%` }} title={`hard limit ${formatLateness(limit)}`} />}
            </div>
            <span className="lateness-value">{ms === undefined ? '–' : formatLateness(ms)}</span>
          </div>
        );
      })}
      <div className="lateness-axis" aria-hidden>
        {TICKS.map((t) => (
          <span key={t.ms} style={{ left: `${t.at * 100}%` }}>
            {t.label}
          </span>
        ))}
      </div>
      <p className="lateness-note muted">
        {lateness ? `${formatInt(lateness.events)} events · ${lateness.mode}${lateness.timeScale !== 1 ? ` · ${lateness.timeScale}× slower than real time` : ''}.` : live ? 'The first figures arrive after a second.' : 'How far behind the wall clock each event ran.'}
        {' '}Ticks mark the targets (p50 below 1 ms, p99 below 5 ms, max below 50 ms).
      </p>
    </div>
  );
}
