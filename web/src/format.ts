/** Number formatting shared by the views: one place decides how times, bytes and rates read. */

const NS_PER_MS = 1_000_000;

/** Simulated time in ms with enough decimals for a ladder label (1.234 ms, 12.35 ms, 1234.5 ms). */
export function formatMs(ns: number): string {
  const ms = ns / NS_PER_MS;
  const abs = Math.abs(ms);
  const digits = abs >= 1000 ? 1 : abs >= 100 ? 2 : 3;
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`;
}

/** A duration in human units: 850 ms, 12.4 s, 3 min 20 s. */
export function formatDuration(ns: number): string {
  const s = ns / 1e9;
  if (s < 1) return `${(ns / NS_PER_MS).toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;
  if (s < 120) return `${s.toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${formatInt(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 2 : 1 })} ${units[i]}`;
}

export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  return `${p.toLocaleString('en-US', { maximumFractionDigits: p < 10 ? 1 : 0 })} %`;
}

/** A latency in ms from a summary (already ms). */
export function formatLatencyMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return `${ms.toLocaleString('en-US', { maximumFractionDigits: ms < 10 ? 2 : 1 })} ms`;
}
