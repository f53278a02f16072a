/**
 * Values with units, as scenario files write them: durations (`5ms`, `2 s`, `1.5min`), bandwidths
 * (`10kbit/s`, `1Gbit/s`), rates (`100/s`, `6000/min`) and probabilities (`0.05`, `5%`).
 * Each parser returns undefined on anything it does not read exactly, so the schema can say what is
 * allowed; nothing is guessed.
 */

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  sec: 1e9,
  min: 60e9,
  h: 3600e9,
};

const NUMBER = String.raw`([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)`;
const DURATION_RE = new RegExp(`^${NUMBER}\\s*(ns|us|µs|ms|s|sec|min|h)$`);

export const DURATION_HELP = 'a non-negative number with a unit: ns, us, ms, s, min or h (e.g. 5ms, 2s, 1.5min)';

/** Integer nanoseconds, or undefined. Plain 0 is allowed without a unit (zero in any unit). */
export function parseDuration(v: unknown): number | undefined {
  if (v === 0 || v === '0') return 0;
  if (typeof v !== 'string') return undefined;
  const m = DURATION_RE.exec(v.trim());
  if (!m) return undefined;
  const ns = Math.round(Number(m[1]) * DURATION_UNITS[m[2]]);
  return Number.isSafeInteger(ns) ? ns : undefined;
}

const BANDWIDTH_UNITS: Record<string, number> = {
  'bit/s': 1,
  bps: 1,
  'kbit/s': 1e3,
  kbps: 1e3,
  'Mbit/s': 1e6,
  Mbps: 1e6,
  'Gbit/s': 1e9,
  Gbps: 1e9,
};
const BANDWIDTH_RE = new RegExp(`^${NUMBER}\\s*(bit/s|bps|kbit/s|kbps|Mbit/s|Mbps|Gbit/s|Gbps)$`);

export const BANDWIDTH_HELP = "a positive number with a unit: bit/s, kbit/s, Mbit/s or Gbit/s (e.g. 10kbit/s, 1Gbit/s), or 'unlimited'";

/** Bits per second (Infinity for 'unlimited'), or undefined. */
export function parseBandwidth(v: unknown): number | undefined {
  if (v === 'unlimited') return Infinity;
  if (typeof v !== 'string') return undefined;
  const m = BANDWIDTH_RE.exec(v.trim());
  if (!m) return undefined;
  const bps = Number(m[1]) * BANDWIDTH_UNITS[m[2]];
  // An overflowing number must not turn into 'unlimited'.
  return bps > 0 && Number.isFinite(bps) ? bps : undefined;
}

const RATE_UNITS: Record<string, number> = { s: 1, sec: 1, min: 1 / 60, h: 1 / 3600 };
const RATE_RE = new RegExp(`^${NUMBER}\\s*/\\s*(s|sec|min|h)$`);

export const RATE_HELP = 'a positive number of events per unit time: /s, /min or /h (e.g. 100/s, 6000/min)';

/** Events per second, or undefined. */
export function parseRate(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = RATE_RE.exec(v.trim());
  if (!m) return undefined;
  const r = Number(m[1]) * RATE_UNITS[m[2]];
  return r > 0 && Number.isFinite(r) ? r : undefined;
}

export const PROBABILITY_HELP = 'a number from 0 to 1, or a percentage from 0% to 100% (e.g. 0.05 or 5%)';

/** A probability in [0, 1], or undefined. */
export function parseProbability(v: unknown): number | undefined {
  let p: number;
  if (typeof v === 'number') p = v;
  else if (typeof v === 'string' && /^\s*[0-9]+(\.[0-9]+)?\s*%\s*$/.test(v)) p = Number(v.trim().slice(0, -1).trim()) / 100;
  else return undefined;
  return p >= 0 && p <= 1 ? p : undefined;
}
