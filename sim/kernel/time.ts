/**
 * Simulated time is an integer number of nanoseconds held in a JS number (as ns-3's Time).
 * A double is exact for integers up to 2^53 ns ≈ 104.2 days, far beyond any scenario here, and
 * fine enough for the serialization delay of one byte on a 10 Gbit/s link (0.8 ns → rounds to 1).
 */
export type Ns = number;

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SECOND = 1_000_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** Largest time the kernel represents exactly: 2^53 - 1 ns. */
export const MAX_TIME: Ns = Number.MAX_SAFE_INTEGER;

/**
 * A time split in two small integers (t = high * 2^30 + low), for message fields: a field holding
 * ns beyond 2^31 would be a boxed double, one allocation per message. `timeHigh(t) * 2^30 +
 * timeLow(t)` is t exactly (division by a power of two, the fraction and its product are exact).
 *
 * Why not `t - high * 2^30`: at the start of a run that product is a small integer, so optimized
 * code speculates it stays one, and the first time past 2^31 ns (2.15 s) every function that
 * inlined the split is deoptimized and recompiled — in the 1 M storm eight of its largest. Here
 * each operation sees a fraction from the first call on.
 */
export function timeHigh(t: Ns): number {
  return Math.floor(t / TIME_SPLIT);
}
/** See timeHigh: 0 … 2^30 − 1. */
export function timeLow(t: Ns): number {
  const q = t / TIME_SPLIT;
  return ((q - Math.floor(q)) * TIME_SPLIT) | 0;
}
const TIME_SPLIT = 1073741824;

/** Rounds a (possibly fractional) nanosecond count to the integer grid the kernel works on. */
export function toNs(x: number): Ns {
  return Math.round(x);
}

export function fromMs(ms: number): Ns {
  return Math.round(ms * MS);
}

export function toMs(t: Ns): number {
  return t / MS;
}

export function toSeconds(t: Ns): number {
  return t / SECOND;
}

/** Human form for tables and logs: picks the largest unit that keeps the number >= 1. */
export function formatNs(t: Ns): string {
  // Choose the unit after rounding, so 999_999_999 ns reads 1s, not 1000ms.
  const a = Math.abs(t);
  if (a >= SECOND || Number(trim(a / MS)) >= 1000) return `${trim(t / SECOND)}s`;
  if (a >= MS || Number(trim(a / US)) >= 1000) return `${trim(t / MS)}ms`;
  if (a >= US) return `${trim(t / US)}us`;
  return `${t}ns`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}
