/** Axis and tooltip number formats for the campaign charts, with units (one place decides). */
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });
const PLAIN = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** Ticks: 1.2K, 3.4M; small values with up to 3 decimals. */
export function tick(v: number): string {
  return Math.abs(v) >= 10_000 ? COMPACT.format(v) : PLAIN.format(v);
}

/** A tooltip value with its unit: '1,234.5 msg/s', '42 %'. */
export function withUnit(v: number, unit: string): string {
  const n = Math.abs(v) >= 1e6 ? COMPACT.format(v) : PLAIN.format(v);
  return unit ? `${n} ${unit}` : n;
}

/** Dash patterns that keep series on top of each other distinguishable (colour + dash). */
const DASHES = [undefined, '6 3', '2 3', '8 3 2 3'];
export function dashFor(i: number): string | undefined {
  return DASHES[Math.floor(i / 8) % DASHES.length] ?? DASHES[i % DASHES.length];
}
