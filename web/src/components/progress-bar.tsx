/** A thin determinate progress bar (fraction 0..1). */
export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  const pct = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0)) * 100;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} data-testid="progress">
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
