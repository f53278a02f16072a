/**
 * The lateness gauge's scale: how far behind the wall clock the emulation's events ran
 * (docs/emulation.md "Lateness"), on a log axis from 10 µs to 1 s — lateness spans decades, from
 * tens of microseconds on an idle machine to hundreds of milliseconds when the CPU is taken.
 * Levels follow issue 12's target (p99 < 5 ms, max < 50 ms); a `hard-limit=<ms>` mode draws its
 * limit and makes anything past it bad.
 */
export const GAUGE_MIN_MS = 0.01;
export const GAUGE_MAX_MS = 1000;

/** Targets per figure: ok below `warn`, bad from `bad` on. */
export const LATENESS_TARGETS = {
  p50Ms: { warn: 1, bad: 5 },
  p99Ms: { warn: 5, bad: 50 },
  maxMs: { warn: 50, bad: 500 },
} as const;

export type LatenessFigure = keyof typeof LATENESS_TARGETS;
export type LatenessLevel = 'ok' | 'warn' | 'bad';

/** Position of `ms` on the gauge, 0…1 (log scale, clamped at both ends). */
export function gaugeFraction(ms: number): number {
  if (!(ms > GAUGE_MIN_MS)) return 0;
  const f = Math.log10(ms / GAUGE_MIN_MS) / Math.log10(GAUGE_MAX_MS / GAUGE_MIN_MS);
  return Math.min(1, f);
}

export function latenessLevel(figure: LatenessFigure, ms: number, hardLimitMs?: number): LatenessLevel {
  if (hardLimitMs !== undefined && ms > hardLimitMs) return 'bad';
  const t = LATENESS_TARGETS[figure];
  return ms >= t.bad ? 'bad' : ms >= t.warn ? 'warn' : 'ok';
}

/** The limit of a `hard-limit=<ms>` mode, else undefined. */
export function hardLimitOf(mode: string): number | undefined {
  const m = /^hard-limit=([0-9.]+)/.exec(mode);
  return m ? Number(m[1]) : undefined;
}

/** Tick marks of the axis: each decade, labelled as people write them (10 µs, 1 ms, 1 s). */
export function gaugeTicks(): { ms: number; at: number; label: string }[] {
  const out = [];
  for (let ms = GAUGE_MIN_MS; ms <= GAUGE_MAX_MS * 1.0001; ms *= 10) {
    const v = Number(ms.toPrecision(1));
    out.push({ ms: v, at: gaugeFraction(v), label: v < 1 ? `${Math.round(v * 1000)} µs` : v < 1000 ? `${v} ms` : `${v / 1000} s` });
  }
  return out;
}

/** A lateness figure as text: 37 µs, 1.24 ms, 312 ms. */
export function formatLateness(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  return `${ms.toLocaleString('en-US', { maximumFractionDigits: ms < 10 ? 2 : ms < 100 ? 1 : 0 })} ms`;
}
